import ArgumentParser
import FieldAudit

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

    /// The extension of the file a report of this format gets in a directory.
    var fileExtension: String {
        switch self {
        case .markdown: "md"
        case .html: "html"
        case .csv: "csv"
        case .oscal: "oscal.json"
        }
    }
}
