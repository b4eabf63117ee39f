import ArgumentParser
import FieldAudit

extension FieldAuditCommand.TeamCommand {
    /// `fieldaudit team list`: list the audit team.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the audit team.")
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            let (replica, record) = try engagement.open(store)
            if output.json { return try Terminal.printJSON(record.members) }
            Terminal.print(Terminal.columns(
                ["name", "role", "replica", "you"],
                record.members.map { [$0.name, $0.role?.rawValue ?? "?", $0.replica?.short ?? "?", $0.replica == replica.identity.id ? "*" : ""] }))
        }
    }
}
