import ArgumentParser
import FieldAudit

/// `--skip-bad-rows`, shared by the commands that import a CSV table.
struct CSVImportOptions: ParsableArguments {
    @Flag(help: "Record the rows that can be recorded even when others are refused (the command still exits 65).")
    var skipBadRows = false
}

/// How an import of a CSV table reports each row: recorded, unchanged and skipped rows on
/// standard output, refused ones on standard error, then a summary; and how it ends.
enum CSVImportOutput {
    /// Prints the report, then throws `FieldAuditError.rowsRefused` if any row was refused.
    /// `noun` names what a row records, singular and plural (`("AI system", "AI systems")`).
    static func finish(_ report: CSVImportReport, noun: (one: String, many: String)) throws {
        for line in report.lines {
            let named = "line \(line.line)" + (line.label.isEmpty ? "" : " (\(Terminal.shown(line.label)))")
            switch line.outcome {
            case .added: Terminal.print("\(named): \(report.recorded ? "added" : "not recorded (would be added)")")
            case let .updated(changes):
                Terminal.print("\(named): \(report.recorded ? "updated" : "not recorded (would be updated)") (\(Terminal.shown(changes.joined(separator: "; "))))")
            case .unchanged: Terminal.print("\(named): unchanged")
            case let .skipped(reason): Terminal.print("\(named): skipped (\(reason))")
            case let .refused(reason): Terminal.note("\(named): refused: \(Terminal.shown(reason))")
            }
        }
        if !report.ignoredColumns.isEmpty {
            Terminal.note("Ignored columns (not read): \(report.ignoredColumns.map { Terminal.shown($0) }.joined(separator: ", ")); `--help` lists the columns read.")
        }
        func count(_ n: Int) -> String { "\(n) \(n == 1 ? noun.one : noun.many)" }
        if report.recorded, report.added + report.updated == 0 {
            Terminal.print("Nothing to record: \(report.unchanged) unchanged, \(report.skipped) skipped, \(report.refused) refused.")
        } else if report.recorded {
            Terminal.print("Recorded \(count(report.added + report.updated)) (\(report.added) added, \(report.updated) updated); "
                + "\(report.unchanged) unchanged, \(report.skipped) skipped, \(report.refused) refused.")
        }
        if let refusal = report.refusal { throw refusal }
    }
}
