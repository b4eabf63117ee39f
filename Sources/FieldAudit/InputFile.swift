import Foundation

/// A file the user names as input (an identity card, a catalog, a vector file, a CSV table, a
/// bundle), read one way so that the same cause always gets the same error: a file that is
/// missing, a directory or unreadable is `FieldAuditError.unreadableInput` (exit 66), and text
/// that is not UTF-8 is `FieldAuditError.invalidInput` (exit 65).
public enum InputFile {
    /// The whole file.
    ///
    /// - Throws: `FieldAuditError.unreadableInput` saying whether the file is missing, a
    ///   directory, or not readable.
    public static func contents(of path: String) throws(FieldAuditError) -> Data {
        let handle = try open(path)
        defer { try? handle.close() }
        do { return try handle.readToEnd() ?? Data() } catch { throw unreadable(path) }
    }

    /// The whole file as UTF-8 text.
    ///
    /// - Throws: `FieldAuditError.unreadableInput`, or `.invalidInput` if it is not UTF-8.
    public static func text(of path: String) throws(FieldAuditError) -> String {
        guard let text = String(data: try contents(of: path), encoding: .utf8) else {
            throw .invalidInput(source: path, reason: "it is not UTF-8 text")
        }
        return text
    }

    /// The file opened for reading, for streaming it.
    ///
    /// - Throws: `FieldAuditError.unreadableInput`.
    public static func open(_ path: String) throws(FieldAuditError) -> FileHandle {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let handle = FileHandle(forReadingAtPath: path)
        else { throw unreadable(path) }
        return handle
    }

    /// Why `path` cannot be read, as an error.
    static func unreadable(_ path: String) -> FieldAuditError {
        var isDirectory: ObjCBool = false
        let reason = !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) ? "no such file"
            : isDirectory.boolValue ? "it is a directory, not a file"
            : "it cannot be read (permission denied?)"
        return .unreadableInput(path: path, reason: reason)
    }

    /// Copies standard input to a new temporary file and returns its path, for a reader that
    /// reads its input more than once (an import verifies a bundle whole before applying it).
    /// The caller removes the file when done.
    ///
    /// - Throws: `FieldAuditError.io` if the copy cannot be made.
    public static func spoolStandardInput() throws(FieldAuditError) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fieldaudit-stdin-\(UUID().uuidString).fabundle").path
        guard FileManager.default.createFile(atPath: path, contents: nil), let output = FileHandle(forWritingAtPath: path) else {
            throw .io(path: path, reason: "cannot spool standard input")
        }
        defer { try? output.close() }
        do {
            while let data = try FileHandle.standardInput.read(upToCount: 1 << 20), !data.isEmpty {
                try output.write(contentsOf: data)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw .io(path: "standard input", reason: (error as NSError).localizedDescription)
        }
        return path
    }
}
