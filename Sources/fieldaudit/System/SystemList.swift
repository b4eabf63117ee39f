import ArgumentParser
import FieldAudit

extension FieldAuditCommand.SystemCommand {
    /// `fieldaudit system list`: list the AI-system inventory.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the AI-system inventory.")
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var deletion: DeletedOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            if deletion.deleted { return try DeletionOutput.list(.system, json: output.json, engagement: engagement, store: store) }
            let record = try engagement.open(store).record
            if output.json { return try Terminal.printJSON(record.systems) }
            Terminal.print(Terminal.columns(
                ["id", "name", "role", "risk", "purpose"],
                record.systems.map { [$0.id.short, $0.name, $0.role?.rawValue ?? "", $0.riskClass?.rawValue ?? "", $0.purpose ?? ""] }))
        }
    }
}
