import ArgumentParser
import FieldAudit

extension FieldAuditCommand.EngagementCommand {
    /// `fieldaudit engagement list`: list the engagements this replica holds.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the engagements this replica holds.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            let replica = try store.openReplica()
            let engagements = try replica.engagements()
            let current = try? replica.engagementID(nil)
            if output.json { return try Terminal.printJSON(engagements) }
            if engagements.isEmpty { return Terminal.print("No engagements yet: `fieldaudit engagement create --client NAME`.") }
            Terminal.print(Terminal.columns(
                ["", "id", "client", "type", "dates", "status"],
                engagements.map { engagement in
                    [
                        engagement.id == current ? "*" : "", engagement.id.short, engagement.client,
                        engagement.auditType?.rawValue ?? "", [engagement.startDate, engagement.endDate].compactMap { $0 }.joined(separator: "…"),
                        engagement.status.rawValue,
                    ]
                }))
        }
    }
}
