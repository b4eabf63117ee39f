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
            }
            var engagement: String
            var client: String
            var counts: Counts
            var coverage: Coverage
            var requirements: [Row]
            /// Set once the lead closed the engagement.
            var closing: Closing?
            var lateChanges: [LateChange]
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
            let view = View(
                engagement: record.engagement.id.description, client: record.engagement.client,
                counts: .init(
                    interviews: record.interviews.count, notes: record.notes.count, tests: record.tests.count,
                    evidence: record.evidence.count, findings: record.findings.count, conflicts: status.conflicts,
                    unexportedChanges: status.unexported, changes: status.changes, lateChanges: status.late.count,
                    findingsByGrade: record.findings.reduce(into: [:]) { $0[$1.grade?.rawValue ?? "?", default: 0] += 1 },
                    testsByResult: record.tests.reduce(into: [:]) { $0[$1.result?.rawValue ?? "?", default: 0] += 1 }),
                coverage: .init(clauses: clauses.of, clausesCovered: clauses.covered, controls: controls.of, controlsCovered: controls.covered),
                requirements: status.coverage.rows.map { row in
                    .init(
                        ref: row.ref, kind: row.kind.rawValue, applicable: row.applicable, result: row.result,
                        tests: Dictionary(uniqueKeysWithValues: row.tests.map { ($0.key.rawValue, $0.value) }),
                        findings: Dictionary(uniqueKeysWithValues: row.findings.map { ($0.key.rawValue, $0.value) }),
                        notes: row.notes, workedOnBy: row.workedOnBy)
                },
                closing: status.closing.map { .init(closedAt: $0.closedAt, recommendation: $0.recommendation?.rawValue) },
                lateChanges: status.late, plan: status.plan.lines)
            if output.json { return try Terminal.printJSON(view) }

            Terminal.print("\(Terminal.shown(record.engagement.client)) — \(record.engagement.auditType?.title ?? "audit") against \(Terminal.shown(record.catalog.displayName))")
            if !brief {
                Terminal.print(Terminal.columns(
                    ["ref", "applies", "result", "tests", "findings", "notes", "by"],
                    status.coverage.rows.map { row in
                        [
                            row.ref, row.applicable.map { $0 ? "yes" : "no" } ?? "?", row.result,
                            row.tests.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", "),
                            row.findings.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", "),
                            row.notes == 0 ? "" : String(row.notes), row.workedOnBy.joined(separator: ", "),
                        ]
                    }))
                Terminal.print("")
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
            Terminal.print(Terminal.table([
                ("coverage", "clauses \(clauses.covered)/\(clauses.of), applicable Annex A controls \(controls.covered)/\(controls.of)"),
                ("recorded", "\(counts.interviews) interviews, \(counts.notes) notes, \(counts.tests) tests, \(counts.evidence) evidence files, \(counts.findings) findings"),
                ("findings", FindingGrade.allCases.map { "\(counts.findingsByGrade[$0.rawValue] ?? 0) \($0.rawValue)" }.joined(separator: ", ")),
                ("conflicts", counts.conflicts == 0 ? "none" : "\(counts.conflicts) — see `fieldaudit conflicts`"),
                ("not exported", "\(counts.unexportedChanges) of your changes"),
            ] + closingRows(status)))
        }

        /// The closing and the late changes, once the lead closed the engagement.
        func closingRows(_ status: AuditStatus) -> [(String, String)] {
            guard let closing = status.closing else { return [] }
            let recommendation = closing.recommendation?.title ?? "none recorded"
            return [
                ("closed", "\(Terminal.time(closing.closedAt)); recommendation: \(recommendation)"),
                ("late", status.late.isEmpty
                    ? "none"
                    : "\(status.late.count) change\(status.late.count == 1 ? "" : "s") arrived after closing — list them with `fieldaudit engagement late`, then accept-late or reject-late each"),
            ]
        }
    }
}
