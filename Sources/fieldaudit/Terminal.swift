import Foundation

/// Standard output and error, the only place the tool writes to the terminal.
enum Terminal {
    /// Prints to standard output.
    static func print(_ text: String) {
        Swift.print(text)
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

    /// Aligned `label  value` lines.
    static func table(_ rows: [(String, String)]) -> String {
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}
