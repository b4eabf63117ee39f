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

    /// The whole file, refused unread if it is larger than `limit` bytes.
    ///
    /// - Throws: `FieldAuditError.unreadableInput`, or `.invalidInput` naming the file's size and
    ///   the limit, what a file of that kind cannot exceed (`what`: "a catalog file").
    public static func contents(of path: String, atMost limit: Int, what: String) throws(FieldAuditError) -> Data {
        let handle = try open(path)
        defer { try? handle.close() }
        func tooLarge(_ size: UInt64) -> FieldAuditError {
            .invalidInput(source: path, reason: "it is \(mebibytes(size)) MiB, and \(what) is at most \(mebibytes(UInt64(limit))) MiB; check that it is the file you meant")
        }
        if let size = try? handle.seekToEnd(), size > UInt64(limit) { throw tooLarge(size) }
        do {
            try handle.seek(toOffset: 0)
            let data = try handle.read(upToCount: limit + 1) ?? Data()
            if data.count > limit { throw tooLarge(UInt64(data.count)) }
            return data
        } catch let error as FieldAuditError {
            throw error
        } catch {
            throw unreadable(path)
        }
    }

    /// Bytes in MiB with one decimal (`50.0`).
    private static func mebibytes(_ bytes: UInt64) -> String {
        String(format: "%.1f", Double(bytes) / Double(1 << 20))
    }

    /// The whole file as UTF-8 text, refused unread if it is larger than `limit` bytes.
    ///
    /// - Throws: `FieldAuditError.unreadableInput`, or `.invalidInput` if it is too large or not UTF-8.
    public static func text(of path: String, atMost limit: Int, what: String) throws(FieldAuditError) -> String {
        try utf8(try contents(of: path, atMost: limit, what: what), path: path)
    }

    /// The whole file as UTF-8 text.
    ///
    /// - Throws: `FieldAuditError.unreadableInput`, or `.invalidInput` if it is not UTF-8.
    public static func text(of path: String) throws(FieldAuditError) -> String {
        try utf8(try contents(of: path), path: path)
    }

    /// Bytes as UTF-8 text.
    ///
    /// - Throws: `FieldAuditError.invalidInput` if they are not UTF-8.
    private static func utf8(_ data: Data, path: String) throws(FieldAuditError) -> String {
        guard let text = String(data: data, encoding: .utf8) else {
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
        guard let output = ScratchFile.create(at: path) else {
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
