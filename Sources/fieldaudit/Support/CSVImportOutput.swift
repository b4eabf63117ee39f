import ArgumentParser
import FieldAudit

/// `--skip-bad-rows`, shared by the commands that import a CSV table.
struct CSVImportOptions: ParsableArguments {
    @Flag(help: "Record the rows that can be recorded even when others are refused (the command still exits 65).")
    var skipBadRows = false

    /// The `--help` discussion of an import: how the table is read, what identifies a row's
    /// entity (`its name`), any rule of its own, and the columns accepted.
    static func discussion(identity: String, rules: String = "", schema: CSVTable.Schema) -> String {
        """
        Columns are found by their header name (case, spaces, '_' and '-' ignored), in any order; \
        ',', ';' or tab separated; UTF-8, with or without a byte order mark. \(identity): importing \
        the file again changes nothing, and a changed row updates only what changed. \(rules)Blank \
        rows are skipped. If a row is refused, nothing is recorded (exit 65) unless --skip-bad-rows. \
        Accepted columns:
        \(schema.help)
        """
    }
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
