import ArgumentParser
import FieldAudit

extension FieldAuditCommand.SoACommand {
    /// `fieldaudit soa import`: load or update a Statement of Applicability from a CSV table, columns by header name.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Load or update a Statement of Applicability from a CSV table with a header line.",
            discussion: CSVImportOptions.discussion(identity: "An entry is known by its control", rules: "Clauses cannot be excluded; a control only with a justification. ", schema: .applicability))
        @Argument(help: "The CSV file (a spreadsheet must be saved as CSV first).") var file: String
        @Option(help: "In an integrated audit, the standard whose Statement of Applicability the file is (its prefix, such as 27001, or catalog id); a `standard` column says it row by row.")
        var standard: String?
        @OptionGroup var csv: CSVImportOptions
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let report = try store.openReplica().importApplicability(from: file, standard: standard, skipBadRows: csv.skipBadRows, engagement: engagement.engagement)
            try CSVImportOutput.finish(report, noun: ("Statement of Applicability entry", "Statement of Applicability entries"))
        }
    }
}
