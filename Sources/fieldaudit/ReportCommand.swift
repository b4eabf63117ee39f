import ArgumentParser
import AuditReports
import FieldAudit
import Foundation

/// What `fieldaudit report` writes.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    /// The audit report as Markdown.
    case markdown
    /// The audit report as one self-contained, print-ready HTML file.
    case html
    /// One CSV file per table in a directory.
    case csv
    /// An OSCAL assessment-results JSON document.
    case oscal
}

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
            "Where to write: a file ('-' or none for standard output); for csv, a directory (created if missing).", valueName: "path"))
        var output: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if format == .csv, output == nil || output == "-" {
                throw ValidationError("--format csv writes one file per table: give a directory with -o DIR.")
            }
        }

        func run() throws {
            let replica = try store.openReplica()
            let source = try replica.reportSource(
                engagement: engagement.engagement, generator: "fieldaudit \(FieldAuditCommand.configuration.version)")
            switch format {
            case .markdown: try emit(Data(MarkdownReport.render(source.record, context: source.context).utf8))
            case .html: try emit(Data(HTMLReport.render(source.record, context: source.context).utf8))
            case .oscal: try emit(OSCALAssessmentResults.document(source.record, context: source.context))
            case .csv: try writeTables(CSVExport.tables(source.record, context: source.context))
            }
            let conflicts = source.record.conflicts.reduce(0) { $0 + $1.fields.count }
            if conflicts > 0 {
                Terminal.note("note: \(conflicts) field\(conflicts == 1 ? " is" : "s are") in conflict; the report says so at the top and shows every value. `fieldaudit conflicts` lists them.")
            }
            if !source.context.lateChanges.isEmpty {
                let late = source.context.lateChanges.count
                Terminal.note("note: \(late) change\(late == 1 ? "" : "s") arrived after closing and \(late == 1 ? "is" : "are") flagged as late; `fieldaudit engagement accept-late` accepts them.")
            }
        }

        /// Writes one file, or to standard output.
        func emit(_ data: Data) throws {
            guard let output, output != "-" else { return Terminal.output(data) }
            try write(data, to: output)
            Terminal.note("Wrote the \(format.rawValue) report to \(output)")
        }

        /// Writes the CSV tables into the output directory.
        func writeTables(_ tables: [String: String]) throws {
            guard let directory = output else { return }
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw FieldAuditError.io(path: directory, reason: "the directory cannot be created (\(error.localizedDescription))")
            }
            for name in CSVExport.fileNames {
                try write(Data((tables[name] ?? "").utf8), to: (directory as NSString).appendingPathComponent(name))
            }
            Terminal.note("Wrote \(CSVExport.fileNames.joined(separator: ", ")) to \(directory)")
        }

        /// Writes atomically, creating the file's folder if it is missing.
        func write(_ data: Data, to path: String) throws {
            do {
                let folder = (path as NSString).deletingLastPathComponent
                if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
                try data.write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw FieldAuditError.io(path: path, reason: "the file cannot be written (\(error.localizedDescription))")
            }
        }
    }
}
