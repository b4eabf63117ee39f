import ArgumentParser
import FieldAudit

extension FieldAuditCommand.SystemCommand {
    /// `fieldaudit system import`: load an AI-system inventory from CSV: name,purpose,role,risk (with a header line).
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "import", abstract: "Load an AI-system inventory from CSV: name,purpose,role,risk (with a header line).")
        @Argument(help: "The CSV file.") var file: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let count = try store.openReplica().importSystems(from: file, engagement: engagement.engagement)
            Terminal.print("Added \(count) AI systems.")
        }
    }
}
