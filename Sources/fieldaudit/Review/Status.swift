import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit status`: coverage of clauses and Annex A, counts, conflicts.
    struct Status: ReplicaCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show the audit's coverage of every clause and applicable control, counts and conflicts.")
        @Flag(help: "Only the summary counts, not the coverage table.") var brief = false
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        struct View: Encodable {
            struct Counts: Encodable {
                var interviews, notes, tests, evidence, findings, conflicts, unexportedChanges, changes, lateChanges: Int
                var findingsByGrade: [String: Int]
                var testsByResult: [String: Int]
            }
            struct Coverage: Encodable {
                var clauses: Int, clausesCovered: Int, controls: Int, controlsCovered: Int
            }
            struct Row: Encodable {
                var ref: String, kind: String, applicable: Bool?, result: String
                var tests: [String: Int], findings: [String: Int], notes: Int, workedOnBy: [String]
                /// What other standards' examined requirements mapped to this one say (never counted as tested); absent when none.
                var mapped: [String]? = nil
            }
            var engagement: String
            var client: String
            var counts: Counts
            var coverage: Coverage
            var requirements: [Row]
            /// In an integrated audit, each standard's coverage and requirements (`requirements` and
            /// `coverage` are the primary standard's); absent for an audit of one standard.
            var standards: [Standard]?
            struct Standard: Encodable {
                var prefix: String, id: String, version: String?, title: String
                var coverage: Coverage
                var requirements: [Row]
            }
            /// Set once the lead closed the engagement.
            var closing: Closing?
            var lateChanges: [LateChange]
            /// Every major and minor nonconformity's follow-up.
            var nonconformities: [Nonconformity] = []
            /// Corrective actions: open (overdue included), overdue, done.
            var actions: Actions = .init(open: 0, overdue: 0, done: 0)
            /// Findings signed off and changed since, each in words.
            var changedSinceSignOff: [String] = []
            /// Nonconformity numbers two leads assigned at once (`NC-03`), with the findings' labels.
            var numberCollisions: [String] = []
            /// Origins whose history is forked, quarantined from their fork on.
            var forkedOrigins: [ForkNotice] = []
            struct Nonconformity: Encodable {
                var finding: String, label: String?, grade: String, state: String, deadline: String?, overdue: Bool
                var openActions: Int, overdueActions: Int, doneActions: Int
                /// Every auditor who raised it or a finding merged into it, and every evidence file behind it.
                var auditors: [String] = [], evidence: [String] = [], mergedFrom: [String] = []
            }
            struct Actions: Encodable {
                var open: Int, overdue: Int, done: Int
            }
            /// The plan's sessions against what was done.
            var plan: [PlanProgress.Line]
            struct Closing: Encodable {
                var closedAt: Int64, recommendation: String?
            }
        }

        func run(on replica: Replica) throws {
            let status = try replica.status(engagement: engagement.engagement)
            let record = status.record
            let clauses = status.coverage.covered(.clause), controls = status.coverage.covered(.control)
            var view = View(
                engagement: record.engagement.id.description, client: record.engagement.client,
                counts: .init(
                    interviews: record.interviews.count, notes: record.notes.count, tests: record.tests.count,
                    evidence: record.evidence.count, findings: record.findings.count, conflicts: status.conflicts,
                    unexportedChanges: status.unexported, changes: status.changes, lateChanges: status.late.count,
                    findingsByGrade: record.findings.reduce(into: [:]) { $0[$1.grade?.rawValue ?? "?", default: 0] += 1 },
                    testsByResult: record.tests.reduce(into: [:]) { $0[$1.result?.rawValue ?? "?", default: 0] += 1 }),
                coverage: Self.coverageView(status.coverage), requirements: Self.rowViews(status.coverage),
                closing: status.closing.map { .init(closedAt: $0.closedAt, recommendation: $0.recommendation?.rawValue) },
                lateChanges: status.late, plan: status.plan.lines)
            let followUps = record.followUps(today: replica.today(in: record))
            view.nonconformities = followUps.map { item in
                .init(
                    finding: item.finding.id.description, label: record.nonconformityLabel(of: item.finding.id), grade: item.finding.grade?.rawValue ?? "?",
                    state: item.state.rawValue, deadline: item.deadline, overdue: item.isOverdue,
                    openActions: item.actions.filter { !$0.isDone }.count, overdueActions: item.overdueActions.count,
                    doneActions: item.actions.filter(\.isDone).count,
                    auditors: item.finding.contributors, evidence: record.evidence(behind: item.finding).map(\.name),
                    mergedFrom: item.finding.mergedFrom.map { record.nonconformityLabel(of: $0) ?? $0.short })
            }
            view.actions = .init(
                open: view.nonconformities.reduce(0) { $0 + $1.openActions }, overdue: view.nonconformities.reduce(0) { $0 + $1.overdueActions },
                done: view.nonconformities.reduce(0) { $0 + $1.doneActions })
            view.changedSinceSignOff = record.findings.filter { !$0.signOffState.stands && $0.isSignedOff }.map { finding in
                "\(record.nonconformityLabel(of: finding.id) ?? finding.id.short): " + record.signOffSummary(of: finding) { Terminal.time($0, in: record.engagement.siteTime) }
            }
            view.numberCollisions = record.numbering.collisions.map { collision in
                collision.findings.map { record.numbering.labels[$0] ?? $0.short }.joined(separator: ", ")
            }
            view.forkedOrigins = status.forkedOrigins
            let standards = record.standards
            if standards.isIntegrated {
                view.standards = status.coverages.map { coverage in
                    let catalog = standards.catalogs[coverage.standard]
                    return .init(prefix: standards.prefixes[coverage.standard], id: catalog.id, version: catalog.edition, title: catalog.title,
                                 coverage: Self.coverageView(coverage), requirements: Self.rowViews(coverage))
                }
            }
            if output.json { return try Terminal.printJSON(view) }

            let against = standards.catalogs.map(\.displayName).joined(separator: " and ")
            Terminal.print("\(Terminal.shown(record.engagement.client)) — \(record.engagement.auditType?.title ?? "audit") against \(Terminal.shown(against))")
            if !brief {
                for coverage in status.coverages {
                    if standards.isIntegrated {
                        Terminal.print("\(Terminal.shown(standards.prefixes[coverage.standard])): \(Terminal.shown(standards.heading(of: coverage.standard)))")
                    }
                    let mapped = !standards.mappingSets.isEmpty
                    Terminal.print(Terminal.columns(
                        ["ref", "applies", "result", "tests", "findings", "notes", "by"] + (mapped ? ["mapped evidence (not counted)"] : []),
                        coverage.rows.map { row in
                            [
                                row.ref, row.applicable.map { $0 ? "yes" : "no" } ?? "?", row.result,
                                row.tests.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", "),
                                row.findings.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", "),
                                row.notes == 0 ? "" : String(row.notes), row.workedOnBy.joined(separator: ", "),
                            ] + (mapped ? [row.mapped.map(\.description).joined(separator: "; ")] : [])
                        }))
                    Terminal.print("")
                }
            }
            if !status.plan.lines.isEmpty {
                Terminal.print(Terminal.columns(
                    ["session", "when", "function", "auditors", "plan", "not yet covered"],
                    status.plan.lines.map { line in
                        [
                            line.item.id.short, line.item.when, line.item.function ?? "", line.item.auditors.joined(separator: ", "),
                            line.state.rawValue, line.missing.joined(separator: ", "),
                        ]
                    }))
                Terminal.print("")
            }
            let counts = view.counts
            let coverageRows: [(String, String)] = standards.isIntegrated
                ? status.coverages.map { coverage in
                    let clauses = coverage.covered(.clause), controls = coverage.covered(.control)
                    return ("coverage \(standards.prefixes[coverage.standard])", "clauses \(clauses.covered)/\(clauses.of), applicable controls \(controls.covered)/\(controls.of)")
                }
                : [("coverage", "clauses \(clauses.covered)/\(clauses.of), applicable Annex A controls \(controls.covered)/\(controls.of)")]
            Terminal.print(Terminal.table(coverageRows + [
                ("recorded", "\(counts.interviews) interviews, \(counts.notes) notes, \(counts.tests) tests, \(counts.evidence) evidence files, \(counts.findings) findings"),
                ("findings", FindingGrade.allCases.map { "\(counts.findingsByGrade[$0.rawValue] ?? 0) \($0.rawValue)" }.joined(separator: ", ")),
                ("conflicts", counts.conflicts == 0 ? "none" : "\(counts.conflicts) — see `fieldaudit conflicts`"),
                ("not exported", "\(counts.unexportedChanges) of your changes"),
            ] + followUpRows(view) + closingRows(status)
                + view.forkedOrigins.map { ("forked", $0.description) }))
        }

        /// A standard's coverage totals as JSON shows them.
        static func coverageView(_ coverage: Coverage) -> View.Coverage {
            let clauses = coverage.covered(.clause), controls = coverage.covered(.control)
            return .init(clauses: clauses.of, clausesCovered: clauses.covered, controls: controls.of, controlsCovered: controls.covered)
        }

        /// A standard's requirement rows as JSON shows them.
        static func rowViews(_ coverage: Coverage) -> [View.Row] {
            coverage.rows.map { row in
                .init(
                    ref: row.ref, kind: row.kind.rawValue, applicable: row.applicable, result: row.result,
                    tests: Dictionary(uniqueKeysWithValues: row.tests.map { ($0.key.rawValue, $0.value) }),
                    findings: Dictionary(uniqueKeysWithValues: row.findings.map { ($0.key.rawValue, $0.value) }),
                    notes: row.notes, workedOnBy: row.workedOnBy, mapped: row.mapped.isEmpty ? nil : row.mapped.map(\.description))
            }
        }

        /// The nonconformities after the audit: where each stands, the actions, changed sign-offs.
        func followUpRows(_ view: View) -> [(String, String)] {
            var rows: [(String, String)] = []
            if !view.nonconformities.isEmpty {
                rows.append(("nonconformities", view.nonconformities.map { item in
                    "\(item.label ?? String(item.finding.prefix(8))) \(item.grade): \(item.state)"
                        + (item.deadline.map { ", deadline \($0)" } ?? "") + (item.overdue ? " — OVERDUE" : "")
                        + (item.auditors.isEmpty ? "" : "; by \(item.auditors.joined(separator: ", "))")
                        + (item.evidence.isEmpty ? "" : "; evidence \(item.evidence.joined(separator: ", "))")
                        + (item.mergedFrom.isEmpty ? "" : "; merged from \(item.mergedFrom.joined(separator: ", "))")
                }.joined(separator: "\n")))
                rows.append(("actions", "\(view.actions.open) open (\(view.actions.overdue) overdue), \(view.actions.done) done"))
            }
            if !view.changedSinceSignOff.isEmpty {
                rows.append(("sign-offs", view.changedSinceSignOff.joined(separator: "\n")))
            }
            if !view.numberCollisions.isEmpty {
                rows.append(("numbering", "two leads numbered at once: " + view.numberCollisions.joined(separator: "; ")))
            }
            return rows
        }

        /// The closing and the late changes, once the lead closed the engagement.
        func closingRows(_ status: AuditStatus) -> [(String, String)] {
            guard let closing = status.closing else { return [] }
            let recommendation = closing.recommendation?.title ?? "none recorded"
            return [
                ("closed", "\(Terminal.time(closing.closedAt, in: status.record.engagement.siteTime)); recommendation: \(recommendation)"),
                ("late", status.late.isEmpty
                    ? "none"
                    : "\(status.late.count) change\(status.late.count == 1 ? "" : "s") arrived after closing — list them with `fieldaudit engagement late`, then accept-late or reject-late each"),
            ]
        }
    }
}
