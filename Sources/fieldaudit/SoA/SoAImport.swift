import ArgumentParser
import FieldAudit

extension FieldAuditCommand.SoACommand {
    /// `fieldaudit soa import`: load a Statement of Applicability from CSV: ref,applicable,justification,status (with a header line).
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Load a Statement of Applicability from CSV: ref,applicable,justification,status (with a header line).")
        @Argument(help: "The CSV file.") var file: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let count = try store.openReplica().importApplicability(from: file, engagement: engagement.engagement)
            Terminal.print("Recorded \(count) Statement of Applicability entries.")
        }
    }
}
