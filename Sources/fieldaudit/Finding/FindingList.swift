import ArgumentParser
import FieldAudit

extension FieldAuditCommand.FindingCommand {
    /// `fieldaudit finding list`: list findings, flagging any in conflict.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List findings, flagging any in conflict.")
        @Option(help: "Only findings of this grade.") var grade: FindingGrade?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var deletion: DeletedOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            if deletion.deleted { return try DeletionOutput.list(.finding, json: output.json, engagement: engagement, store: store) }
            let record = try engagement.open(store).record
            let findings = record.findings.filter { grade == nil || $0.grade == grade }
            if output.json { return try Terminal.printJSON(findings) }
            Terminal.print(Terminal.columns(
                ["id", "grade", "refs", "signed off", "statement"],
                findings.map { finding in
                    [
                        finding.id.short, finding.grade?.rawValue ?? "?", finding.refs.joined(separator: ","),
                        finding.isSignedOff ? "yes" : "no",
                        (finding.conflicts.isEmpty ? "" : "CONFLICT(\(finding.conflicts.joined(separator: ","))) ") + finding.statement,
                    ]
                }))
        }
    }
}
