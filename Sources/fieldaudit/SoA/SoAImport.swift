import ArgumentParser
import FieldAudit

extension FieldAuditCommand.SoACommand {
    /// `fieldaudit soa import`: load or update a Statement of Applicability from a CSV table, columns by header name.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Load or update a Statement of Applicability from a CSV table with a header line.",
            discussion: """
                Columns are found by their header name (case, spaces, '_' and '-' ignored), in any order; \
                ',', ';' or tab separated; UTF-8, with or without a byte order mark. An entry is known by \
                its control: importing the file again changes nothing, and a changed row updates only what \
                changed. Clauses cannot be excluded; a control only with a justification. Blank rows are \
                skipped. If a row is refused, nothing is recorded (exit 65) unless --skip-bad-rows. \
                Accepted columns:
                \(CSVTable.Schema.applicability.help)
                """)
        @Argument(help: "The CSV file (a spreadsheet must be saved as CSV first).") var file: String
        @OptionGroup var csv: CSVImportOptions
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let report = try store.openReplica().importApplicability(from: file, skipBadRows: csv.skipBadRows, engagement: engagement.engagement)
            try CSVImportOutput.finish(report, noun: ("Statement of Applicability entry", "Statement of Applicability entries"))
        }
    }
}
