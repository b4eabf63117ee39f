import Foundation

/// Standard output and error, the only place the tool writes to the terminal.
enum Terminal {
    /// Prints to standard output.
    /// Unbuffered, so output interleaves correctly with prompts and child processes.
    static func print(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Prints a prompt without a newline and flushes it.
    static func prompt(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Prints a message for the user to standard error (when standard output carries data).
    static func note(_ message: String) {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }

    /// Prints `fieldaudit: error: …` to standard error.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("fieldaudit: error: \(message)\n".utf8))
    }

    /// Prints a value as pretty JSON with sorted keys.
    static func printJSON<Value: Encodable>(_ value: Value) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// A table with a header row, columns padded to their widest cell.
    static func columns(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
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

    /// Aligned `label  value` lines.
    static func table(_ rows: [(String, String)]) -> String {
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}
