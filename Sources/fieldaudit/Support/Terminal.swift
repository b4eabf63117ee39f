import Foundation

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

    /// How `text` written by someone else is shown: every control character (C0, DEL, C1),
    /// bidirectional formatting character and line or paragraph separator escaped, visibly and
    /// unambiguously (`\e`, `\t`, `\r`, `\0`, `\n`, `\u{7F}`, `\u{202E}`), and `\` doubled. A
    /// bidirectional override or isolate (which could make text read in another order than it is
    /// stored) shows as its escape, in place: the flag the reader sees.
    ///
    /// With `multiline`, line breaks stay line breaks, each following line indented by `indent`
    /// (for `show` commands); otherwise they show as `\n` (table cells, one-line listings).
    static func shown(_ text: String, multiline: Bool = false, indent: String = "  ") -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar == "\n" && multiline {
                result += "\n" + indent
            } else if scalar == "\\" {
                result += "\\\\"
            } else if isHazard(scalar) {
                result += escape(scalar)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `text` with every control character except the line feed escaped as `shown` does (but
    /// backslashes left alone): what `print`, `note` and `error` apply to everything they write.
    static func guarded(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 != "\n" && isHazard($0) }) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar != "\n" && isHazard(scalar) { result += escape(scalar) } else { result.unicodeScalars.append(scalar) }
        }
        return result
    }

    /// Whether a terminal could act on `scalar` rather than show it: C0 and C1 controls, DEL,
    /// the bidirectional formatting characters (U+061C, U+200E–U+200F, U+202A–U+202E,
    /// U+2066–U+2069) and the line and paragraph separators (U+2028, U+2029).
    static func isHazard(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E...0x200F, 0x2028...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// The visible spelling of a hazardous scalar.
    private static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\u{1B}": "\\e"
        case "\n": "\\n"
        case "\r": "\\r"
        case "\t": "\\t"
        case "\0": "\\0"
        default: "\\u{" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 2) + "}"
        }
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

    /// A Unix-millisecond time as `YYYY-MM-DD HH:MM` in local time (or `HH:MM`), or `—`.
    static func time(_ milliseconds: Int64?, timeOnly: Bool = false) -> String {
        guard let milliseconds else { return "—" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = timeOnly ? "HH:mm" : "yyyy-MM-dd HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
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
