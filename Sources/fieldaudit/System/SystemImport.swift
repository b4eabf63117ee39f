import ArgumentParser
import FieldAudit

extension FieldAuditCommand.SystemCommand {
    /// `fieldaudit system import`: load or update an AI-system inventory from a CSV table, columns by header name.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Load or update the AI-system inventory from a CSV table with a header line.",
            discussion: CSVImportOptions.discussion(identity: "A system is known by its name", schema: .systems))
        @Argument(help: "The CSV file (a spreadsheet must be saved as CSV first).") var file: String
        @OptionGroup var csv: CSVImportOptions
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let report = try store.openReplica().importSystems(from: file, skipBadRows: csv.skipBadRows, engagement: engagement.engagement)
            try CSVImportOutput.finish(report, noun: ("AI system", "AI systems"))
        }
    }
}
