import ArgumentParser
import FieldAudit
import Foundation

/// Long text from an argument, standard input, or the user's editor.
enum TextInput {
    /// `text` itself; standard input for `-`; `$EDITOR` on a terminal when `text` is nil;
    /// otherwise standard input.
    static func read(_ text: String?, purpose: String) throws -> String {
        if let text, text != "-" { return text }
        if text == nil, isatty(STDIN_FILENO) == 1 { return try edit(purpose: purpose) }
        let data = FileHandle.standardInput.readDataToEndOfFile()
        guard let input = String(data: data, encoding: .utf8) else {
            throw FieldAuditError.invalidInput(source: "standard input", reason: "the \(purpose) is not UTF-8 text")
        }
        return input.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Opens `$VISUAL`/`$EDITOR` (default `vi`) on a temporary file and returns what was saved.
    static func edit(purpose: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let editor = environment["VISUAL"] ?? environment["EDITOR"] ?? "vi"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fieldaudit-\(purpose)-\(UUID().uuidString.prefix(8)).txt").path
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(editor) \"$1\"", "sh", path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("the editor exited with status \(process.terminationStatus); nothing was recorded.") }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw FieldAuditError.invalidInput(source: "the text from \(editor)", reason: "the \(purpose) is not UTF-8 text")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
