import Foundation
import FieldAudit

/// Standard output and error, the only place the tool writes to the terminal.
///
/// Text written by other people (notes, names, statements, conclusions, catalog titles: anything
/// read from the store, a bundle, a card or a catalog) arrives from other laptops and is hostile
/// when shown. It reaches the terminal only through this type:
/// - `columns` and `table` escape every cell themselves: give them the stored text as it is;
/// - any other line that embeds stored text interpolates it through `shown(_:multiline:)`;
/// - `print`, `prompt`, `note` and `error` pass everything through `guarded(_:)` as a last line
///   of defence, so no control character reaches the terminal raw, whatever the caller forgot;
/// - `printJSON` keeps every value exact, with controls and bidirectional formatting characters
///   as JSON `\uXXXX` escapes;
/// - `output` writes a document (a report) byte for byte into a pipe or a file, and guarded on a
///   terminal.
/// Stored values themselves are never changed: only their display is.
enum Terminal {
    /// Prints to standard output.
    /// Unbuffered, so output interleaves correctly with prompts and child processes.
    static func print(_ text: String) {
        FileHandle.standardOutput.write(Data((guarded(text) + "\n").utf8))
    }

    /// Prints a prompt without a newline and flushes it.
    static func prompt(_ text: String) {
        FileHandle.standardOutput.write(Data(guarded(text).utf8))
    }

    /// Prints a message for the user to standard error (when standard output carries data).
    static func note(_ message: String) {
        FileHandle.standardError.write(Data("\(guarded(message))\n".utf8))
    }

    /// Prints `fieldaudit: error: …` to standard error.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("fieldaudit: error: \(guarded(message))\n".utf8))
    }

    /// Writes a document (a report, a card) to standard output: byte for byte into a pipe or a
    /// file, through `guarded` when standard output is a terminal.
    static func output(_ data: Data) {
        guard isatty(STDOUT_FILENO) == 1 else { return FileHandle.standardOutput.write(data) }
        FileHandle.standardOutput.write(Data(guarded(String(decoding: data, as: UTF8.self)).utf8))
    }

    /// Prints a value as pretty JSON with sorted keys. Values stay exact: besides the controls
    /// JSON itself escapes, DEL, C1 controls and bidirectional formatting characters are written as
    /// `\uXXXX` escapes, which decode to the same string.
    static func printJSON<Value: Encodable>(_ value: Value) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var json = ""
        for scalar in String(decoding: try encoder.encode(value), as: UTF8.self).unicodeScalars {
            // JSON already escapes controls below U+0020 in strings (its own line breaks are
            // structure); the others are inside strings, where `\uXXXX` is valid.
            if scalar.value >= 0x7F && isHazard(scalar) {
                json += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
            } else {
                json.unicodeScalars.append(scalar)
            }
        }
        print(json)
    }

    /// How `text` written by someone else is shown: `DisplayText.shown`, the one escaping rule
    /// (controls, bidirectional formatting characters and separators escaped, `\` doubled). With
    /// `multiline`, line breaks stay line breaks, indented by `indent` (for `show` commands);
    /// otherwise they show as `\n` (table cells, one-line listings).
    static func shown(_ text: String, multiline: Bool = false, indent: String = "  ") -> String {
        DisplayText.shown(text, multiline: multiline, indent: indent)
    }

    /// `text` with every control character except the line feed escaped (`DisplayText.guarded`):
    /// what `print`, `note` and `error` apply to everything they write.
    static func guarded(_ text: String) -> String {
        DisplayText.guarded(text)
    }

    /// Whether a terminal could act on `scalar` rather than show it (`DisplayText.isHazard`).
    static func isHazard(_ scalar: Unicode.Scalar) -> Bool {
        DisplayText.isHazard(scalar)
    }

    /// A table with a header row, columns padded to their widest cell. Every cell is escaped
    /// with `shown` (one line each), so give it stored text as it is.
    static func columns(_ header: [String], _ rows: [[String]]) -> String {
        let all = ([header] + rows).map { $0.map { shown($0) } }
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n")
    }

    /// A Unix-millisecond time as `YYYY-MM-DD HH:MM` and its zone (`2026-12-03 09:30 +01:00`) in
    /// `siteTime`, the engagement's zone (`Engagement.siteTime`, or `SiteTime.local` for times
    /// that belong to no engagement); `—` for none.
    static func time(_ milliseconds: Int64?, in siteTime: SiteTime) -> String {
        siteTime.dateTime(milliseconds)
    }

    /// Aligned `label  value` lines. Values are escaped with `shown`; a value of several lines
    /// keeps its line breaks, its later lines indented under its first, so give it stored text as
    /// it is.
    static func table(_ rows: [(String, String)]) -> String {
        let width = rows.map(\.0.count).max() ?? 0
        let indent = String(repeating: " ", count: width + 2)
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + shown($0.1, multiline: true, indent: indent) }
            .joined(separator: "\n")
    }
}

extension String {
    /// The string with zeros before it up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
