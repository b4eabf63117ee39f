import ArgumentParser
import AuditReports
import FieldAudit
import Foundation

extension FieldAuditCommand {
    /// `fieldaudit report`: the audit report, CSV tables or OSCAL assessment results.
    struct ReportCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Write the audit report (Markdown or print-ready HTML), CSV tables, or OSCAL assessment results.",
            discussion: """
                Any replica can report, the lead's laptop on site or the central repository: the report \
                shows what this replica holds. Open conflicts and changes that arrived after closing are \
                stated at the top, with every value; the report never picks a side. Until the lead \
                closes the engagement (`fieldaudit engagement close`), the report is a draft and the \
                recommendation a proposal. `scripts/render-report` prints the HTML to PDF or PNG.
                """)

        @Option(help: "The format.") var format: ReportFormat = .markdown
        @Option(name: .shortAndLong, help: ArgumentHelp(
            "Where to write: a file, or a directory to write it in under a name made of the client and the date ('-' or none for standard output); for csv, a directory (created if missing).",
            valueName: "path"))
        var output: String?
        @Flag(help: "Replace existing files (for csv, only the tables' own files; nothing else in the directory is touched).") var force = false
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if format == .csv, output == nil || output == "-" {
                throw ValidationError("--format csv writes one file per table: give a directory with -o DIR.")
            }
        }

        func run() throws {
            let progress = Progress(label: "making the \(format.rawValue) report")
            defer { progress.finish() }
            try write(progress: progress)
        }

        /// Reads the engagement, renders the report and writes it; `progress` is erased before any
        /// message is printed.
        private func write(progress: Progress) throws {
            let replica = try store.openReplica()
            let source = try replica.reportSource(
                engagement: engagement.engagement, generator: "fieldaudit \(FieldAuditCommand.configuration.version)",
                generatedAt: try Self.sourceDateEpoch())
            let document: Data
            switch format {
            case .markdown: document = Data(MarkdownReport.render(source.record, context: source.context).utf8)
            case .html: document = Data(HTMLReport.render(source.record, context: source.context).utf8)
            case .oscal: document = try OSCALAssessmentResults.document(source.record, context: source.context)
            case .csv:
                let tables = CSVExport.tables(source.record, context: source.context)
                progress.finish()
                try writeTables(tables)
                document = Data()
            }
            progress.finish()
            if format != .csv { try emit(document, source: source) }
            let conflicts = source.record.conflicts.reduce(0) { $0 + $1.fields.count }
            if conflicts > 0 {
                Terminal.note("note: \(conflicts) field\(conflicts == 1 ? " is" : "s are") in conflict; the report says so at the top and shows every value. `fieldaudit conflicts` lists them.")
            }
            if !source.context.lateChanges.isEmpty {
                let late = source.context.lateChanges.count
                Terminal.note("note: \(late) change\(late == 1 ? "" : "s") arrived after closing and \(late == 1 ? "is" : "are") flagged as late; `fieldaudit engagement accept-late` accepts them.")
            }
        }

        /// The report's time from `SOURCE_DATE_EPOCH` (seconds since 1970, the reproducible-builds
        /// convention), Unix milliseconds; `nil` when unset, for the wall clock's time.
        static func sourceDateEpoch() throws -> Int64? {
            guard let text = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], !text.isEmpty else { return nil }
            guard let seconds = Int64(text), seconds >= 0, seconds < 253_402_300_800 else {
                throw ValidationError("SOURCE_DATE_EPOCH='\(text)' is not a time: give whole seconds since 1970-01-01 UTC, or unset it.")
            }
            return seconds * 1000
        }

        /// Writes one file (see `OutputFile`), or to standard output (escaped on a terminal).
        func emit(_ data: Data, source: ReportSource) throws {
            guard let output, output != "-" else { return Terminal.output(data) }
            let day = source.record.engagement.siteTime.day(source.context.generatedAt)
            let destination = try OutputFile.resolve(
                output, defaultName: OutputFile.fileName([source.record.engagement.client, "report", String(day)], extension: format.fileExtension),
                force: force)
            try destination.write(data)
            Terminal.note("Wrote the \(format.rawValue) report to \(destination)")
        }

        /// Writes the CSV tables into the output directory: every table's file is checked before
        /// any is written, and nothing else in the directory is touched.
        func writeTables(_ tables: [String: String]) throws {
            guard let directory = output else { return }
            let files = try OutputFile.files(CSVExport.fileNames, in: directory, force: force)
            for (name, file) in zip(CSVExport.fileNames, files) {
                try file.write(Data((tables[name] ?? "").utf8))
            }
            Terminal.note("Wrote \(CSVExport.fileNames.joined(separator: ", ")) to \(directory)")
        }
    }
}
