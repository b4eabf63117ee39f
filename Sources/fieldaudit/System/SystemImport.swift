import ArgumentParser
import FieldAudit

extension FieldAuditCommand.SystemCommand {
    /// `fieldaudit system import`: load or update an AI-system inventory from a CSV table, columns by header name.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Load or update the AI-system inventory from a CSV table with a header line.",
            discussion: """
                Columns are found by their header name (case, spaces, '_' and '-' ignored), in any order; \
                ',', ';' or tab separated; UTF-8, with or without a byte order mark. A system is known by \
                its name: importing the file again changes nothing, and a changed row updates only what \
                changed. Blank rows are skipped. If a row is refused, nothing is recorded (exit 65) \
                unless --skip-bad-rows. Accepted columns:
                \(CSVTable.Schema.systems.help)
                """)
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
