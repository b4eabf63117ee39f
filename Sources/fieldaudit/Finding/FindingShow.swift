import ArgumentParser
import FieldAudit

extension FieldAuditCommand.FindingCommand {
    /// `fieldaudit finding show`: show a finding with its evidence; every value of a field in conflict.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a finding with its evidence; every value of a field in conflict.")
        @Argument(help: "The finding id (or prefix, or its number: NC-01).") var id: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        struct View: Encodable {
            var finding: Finding
            var evidence: [Evidence]
            /// `NC-01` once numbered.
            var label: String?
            /// The sign-off in words, flagged when the finding changed after it.
            var signOff: String
            /// For a major or minor nonconformity: its corrective actions and where it stands.
            var followUp: FollowUp?
        }

        struct FollowUp: Encodable {
            var state: String
            var deadline: String?
            var overdue: Bool
            var actions: [CorrectiveAction]
            var verification: ClosureVerification?
        }

        func run() throws {
            let (replica, record) = try engagement.open(store)
            let finding = try replica.finding(named: id, in: record)
            let evidence = record.evidence(behind: finding)
            let label = record.nonconformityLabel(of: finding.id)
            let signOff = record.signOffSummary(of: finding) { Terminal.time($0, in: record.engagement.siteTime) }
            let followUp = finding.grade?.isNonconformity == true && finding.mergedInto == nil ? NonconformityFollowUp(finding, in: record, today: replica.today(in: record)) : nil
            if output.json {
                return try Terminal.printJSON(View(
                    finding: finding, evidence: evidence, label: label, signOff: signOff,
                    followUp: followUp.map { .init(state: $0.state.rawValue, deadline: $0.deadline, overdue: $0.isOverdue, actions: $0.actions, verification: finding.verification) }))
            }
            var rows: [(String, String)] = [("finding", finding.id.description)]
            if let label { rows.append(("number", label)) }
            rows += [
                ("grade", finding.grade?.title ?? "—"), ("grade justification", finding.gradeJustification ?? "—"),
                ("requirements", finding.refs.map(record.standards.shown).joined(separator: ", ")),
            ]
            if finding.statementVersions.count > 1 {
                for (index, version) in finding.statementVersions.enumerated() {
                    rows.append((index == 0 ? "statement" : "", "CONFLICT [\(index + 1)] \(version)"))
                }
            } else {
                rows.append(("statement", finding.statement))
            }
            rows += [
                ("objective evidence", finding.objectiveEvidence ?? "—"),
                ("evidence", evidence.map { "\($0.name) (sha256:\($0.digest?.hex.prefix(12) ?? "")…)" }.joined(separator: ", ")),
                ("discussed", finding.discussed ? "yes" : "no"), ("auditee position", finding.auditeePosition ?? "—"),
                ("status", finding.status.rawValue), ("raised by", finding.raisedBy ?? "—"),
                ("signed off", signOff),
            ]
            rows += Self.mergeRows(finding, record: record)
            if let followUp { rows += Self.followUpRows(followUp, record: record) }
            Terminal.print(Terminal.table(rows))
            if case .changedSinceSignOff = finding.signOffState {
                Terminal.print("the sign-off no longer stands: sign it off again with `fieldaudit finding sign-off \(label ?? finding.id.short)` once the team agrees")
            }
            if !finding.conflicts.isEmpty {
                Terminal.print("conflicting fields: \(finding.conflicts.joined(separator: ", ")); resolve with `fieldaudit resolve \(finding.id.short) FIELD --take N`")
            }
        }

        /// Where a merge put the finding: the findings merged into it and their authors, or the
        /// finding it was merged into (`NC-03 merged into NC-01`).
        static func mergeRows(_ finding: Finding, record: EngagementRecord) -> [(String, String)] {
            let name = { (id: EntityID) in record.nonconformityLabel(of: id).map { "\($0) (\(id.short))" } ?? id.short }
            var rows: [(String, String)] = []
            for (index, id) in finding.mergedFrom.enumerated() {
                let source = record.anyFinding(id)
                rows.append((
                    index == 0 ? "merged from" : "",
                    "\(name(id)), raised by \(source?.raisedBy ?? "—")" + (source?.mergeReason.map { ": \($0)" } ?? "")))
            }
            if !finding.mergedFrom.isEmpty { rows.append(("auditors", finding.contributors.joined(separator: ", "))) }
            if let kept = finding.mergedInto {
                rows.append(("merged into", "\(name(finding.id)) merged into \(name(kept))" + (finding.mergeReason.map { ": \($0)" } ?? "")
                    + " — it is counted and reported there; `fieldaudit finding show \(record.nonconformityLabel(of: kept) ?? kept.short)`"))
            }
            return rows
        }

        /// The follow-up after the audit: correction, root cause, deadline, actions, verification.
        static func followUpRows(_ followUp: NonconformityFollowUp, record: EngagementRecord) -> [(String, String)] {
            let finding = followUp.finding
            var rows: [(String, String)] = [
                ("correction", finding.correction ?? "—"), ("root cause", finding.rootCause ?? "—"),
                ("follow-up", followUp.state.rawValue + (followUp.verificationDisputed ? " (verification in CONFLICT)" : "")),
                ("deadline", (followUp.deadline ?? "not set (no closing or end date)") + (followUp.isOverdue ? " — OVERDUE" : "")),
            ]
            for (index, action) in followUp.actions.enumerated() {
                let done = action.doneOn.map { "done \($0)" + (action.implementation.map { ": \($0)" } ?? "") } ?? "open"
                let files = record.evidence(linkedTo: action.id.description).map(\.name)
                rows.append((
                    index == 0 ? "actions" : "",
                    "\(action.id.short) \(action.action) — owner \(action.owner), due \(action.dueDate), \(done)"
                        + (followUp.overdueActions.contains { $0.id == action.id } ? " — OVERDUE" : "")
                        + (files.isEmpty ? "" : "; evidence: \(files.joined(separator: ", "))")))
            }
            if let verification = finding.verification {
                let who = (try? ReplicaID(hex: verification.by)).map(record.memberName) ?? verification.by
                let files = verification.evidence.compactMap { id in record.evidence.first { $0.id.description == id }?.name }
                rows.append(("verification", "\(verification.outcome.rawValue) by \(who) at \(Terminal.time(verification.at, in: record.engagement.siteTime)): \(verification.reason)"
                    + (files.isEmpty ? "" : " (evidence: \(files.joined(separator: ", ")))")))
            }
            return rows
        }
    }
}
