import ArgumentParser
import FieldAudit

extension FieldAuditCommand.FindingCommand {
    /// `fieldaudit finding show`: show a finding with its evidence; every value of a field in conflict.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a finding with its evidence; every value of a field in conflict.")
        @Argument(help: "The finding id (or prefix).") var id: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        struct View: Encodable {
            var finding: Finding
            var evidence: [Evidence]
        }

        func run() throws {
            let (replica, record) = try engagement.open(store)
            let chosen = try replica.resolve(id, among: record.findings.map(\.id), kind: "finding")
            let finding = record.findings.first { $0.id == chosen }!
            let evidence = record.evidence(linkedTo: finding.id.description)
            if output.json { return try Terminal.printJSON(View(finding: finding, evidence: evidence)) }
            var rows: [(String, String)] = [
                ("finding", finding.id.description), ("grade", finding.grade?.title ?? "—"),
                ("requirements", finding.refs.joined(separator: ", ")),
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
                ("signed off", finding.signedOffBy.map { "by \($0.prefix(8)) at \(Terminal.time(finding.signedOffAt))" } ?? "no"),
            ]
            Terminal.print(Terminal.table(rows))
            if !finding.conflicts.isEmpty {
                Terminal.print("conflicting fields: \(finding.conflicts.joined(separator: ", ")); resolve with `fieldaudit resolve \(finding.id.short) FIELD --take N`")
            }
        }
    }
}
