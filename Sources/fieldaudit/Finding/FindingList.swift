import ArgumentParser
import FieldAudit

extension FieldAuditCommand.FindingCommand {
    /// `fieldaudit finding list`: list findings, flagging any in conflict.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List findings, flagging any in conflict.")
        @Option(help: "Only findings of this grade.") var grade: FindingGrade?
        @Flag(help: "List the findings merged into others instead (with the finding each counts under).") var merged = false
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var deletion: DeletedOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            if deletion.deleted { return try DeletionOutput.list(.finding, json: output.json, engagement: engagement, store: store) }
            let record = try engagement.open(store).record
            if merged { return try listMerged(record) }
            let findings = record.findings.filter { grade == nil || $0.grade == grade }
            if output.json { return try Terminal.printJSON(findings) }
            Terminal.print(Terminal.columns(
                ["id", "number", "grade", "refs", "signed off", "statement"],
                findings.map { finding in
                    [
                        finding.id.short, record.nonconformityLabel(of: finding.id) ?? "", finding.grade?.rawValue ?? "?", finding.refs.map(record.standards.shown).joined(separator: ","),
                        Self.signOff(finding.signOffState),
                        (finding.conflicts.isEmpty ? "" : "CONFLICT(\(finding.conflicts.joined(separator: ","))) ") + finding.statement,
                    ]
                }))
        }

        /// The findings merged into others: `NC-03 merged into NC-01`, by whom they were raised, why.
        func listMerged(_ record: EngagementRecord) throws {
            let findings = record.mergedFindings.filter { grade == nil || $0.grade == grade }
            if output.json { return try Terminal.printJSON(findings) }
            let name = { (id: EntityID) in record.nonconformityLabel(of: id) ?? id.short }
            Terminal.print(Terminal.columns(
                ["id", "number", "grade", "merged into", "raised by", "reason", "statement"],
                findings.map { finding in
                    [
                        finding.id.short, record.nonconformityLabel(of: finding.id) ?? "", finding.grade?.rawValue ?? "?",
                        finding.mergedInto.map { "\(name($0)) (\($0.short))" } ?? "", finding.raisedBy ?? "", finding.mergeReason ?? "", finding.statement,
                    ]
                }))
        }

        /// The sign-off column: `yes`, `no`, or `CHANGED` when the finding changed after it.
        static func signOff(_ state: Finding.SignOffState) -> String {
            switch state {
            case .notSignedOff: "no"
            case .signedOff: "yes"
            case .changedSinceSignOff: "CHANGED, needs a new sign-off"
            }
        }
    }
}
