import AuditStore
import Foundation

/// Where a command writes a file its user asked for (a bundle, a report, an extracted evidence
/// file), or standard output, and how the bytes get there without destroying anything.
///
/// One rule for every command that writes what `-o` names (`export`, `report`, `evidence extract`):
/// - `-` is standard output; output that would garble a terminal refuses one.
/// - An existing directory, or a path ending in `/`, gets the file inside it under the command's
///   default name, made unique (`name-2.ext`, `name-3.ext`, …): nothing in the directory is
///   replaced or removed.
/// - An existing file is replaced only with `force`; a directory, a FIFO, a device or a socket never.
/// - Missing folders on the way are created.
/// - The bytes go to a temporary file in the destination's folder, which is flushed (`fsync`),
///   moved into place and the folder flushed: the destination is then whole, or as it was. Without
///   `force` the move is a `link(2)`, which refuses a file that appeared meanwhile. A failed write
///   removes the temporary file.
public struct OutputFile: Sendable, Equatable, CustomStringConvertible {
    /// Where the bytes go.
    public enum Destination: Sendable, Equatable {
        /// The process's standard output.
        case standardOutput
        /// A file at this path.
        case file(String)
    }

    /// Where the bytes go.
    public let destination: Destination
    /// Whether a file already at the path is replaced.
    let replacesExisting: Bool

    /// The path written, or `nil` for standard output.
    public var path: String? {
        if case let .file(path) = destination { path } else { nil }
    }

    /// The path, or "standard output".
    public var description: String { path ?? "standard output" }

    // MARK: - Resolving a destination

    /// Resolves what the user gave to `-o`: `-`, a file, or a directory to write `defaultName` in.
    ///
    /// Checks everything that can be checked before any work is done: an existing file without
    /// `force`, something that is not a regular file, a terminal; creates missing folders.
    ///
    /// - Parameters:
    ///   - argument: what `-o` was given.
    ///   - defaultName: the file's name inside a directory; any text, reduced by `safeName`.
    ///   - force: replace an existing regular file.
    ///   - terminal: when the output must not go to a terminal, what it is and what to pipe it
    ///     to, for the refusal; `nil` when a terminal is fine.
    /// - Throws: `FieldAuditError.outputExists`, `.outputUnusable` or `.terminalOutput`.
    public static func resolve(
        _ argument: String, defaultName: @autoclosure () -> String, force: Bool,
        refusingTerminal terminal: (what: String, pipeTo: String)? = nil
    ) throws(FieldAuditError) -> OutputFile {
        if argument == "-" {
            if let terminal, isatty(STDOUT_FILENO) == 1 { throw .terminalOutput(what: terminal.what, pipeTo: terminal.pipeTo) }
            return OutputFile(destination: .standardOutput, replacesExisting: false)
        }
        guard !argument.isEmpty else { throw .outputUnusable(path: "''", reason: "the path is empty") }
        if argument.hasSuffix("/") || FileKind.of(argument) == .directory {
            let directory = argument.count > 1 && argument.hasSuffix("/") ? String(argument.dropLast()) : argument
            try makeFolder(directory)
            return OutputFile(destination: .file(freePath(in: directory, for: safeName(defaultName()))), replacesExisting: false)
        }
        let output = OutputFile(destination: .file(argument), replacesExisting: force)
        try output.checkReplaceable()
        try makeFolder(folder(of: argument))
        return output
    }

    /// The files `names` in `directory` (created if missing), for a command that writes several.
    ///
    /// Files already there among `names` are refused together unless `force`; nothing else in
    /// the directory is read, replaced or removed.
    ///
    /// - Throws: `FieldAuditError.outputExists` naming every existing file, or `.outputUnusable`.
    public static func files(_ names: [String], in directory: String, force: Bool) throws(FieldAuditError) -> [OutputFile] {
        if let kind = FileKind.of(directory), kind != .directory {
            throw .outputUnusable(path: directory, reason: "it is \(kind), not a directory")
        }
        try makeFolder(directory)
        let outputs = names.map { OutputFile(destination: .file("\(directory)/\($0)"), replacesExisting: force) }
        var existing: [String] = []
        for output in outputs {
            do throws(FieldAuditError) { try output.checkReplaceable() } catch .outputExists(let paths) { existing += paths }
        }
        if !existing.isEmpty { throw .outputExists(paths: existing) }
        return outputs
    }

    /// Refuses a path that holds something this output may not replace.
    private func checkReplaceable() throws(FieldAuditError) {
        guard let path, FileKind.exists(path) else { return }
        let kind = FileKind.of(path)
        if let kind, kind != .regular {
            throw .outputUnusable(path: path, reason: "it is \(kind), which FieldAudit never replaces. Name a file, or use -o - and redirect")
        }
        if !replacesExisting { throw .outputExists(paths: [path]) }
    }

    /// Creates a folder and its parents if missing.
    private static func makeFolder(_ folder: String) throws(FieldAuditError) {
        if FileKind.of(folder) == .directory { return }
        if FileKind.exists(folder) { throw .outputUnusable(path: folder, reason: "it is not a directory") }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .outputUnusable(path: folder, reason: "the folder cannot be created (\(error.localizedDescription))")
        }
    }

    /// The folder a path is in.
    private static func folder(of path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }

    /// `directory/name`, or `directory/stem-2.ext`, `-3`, … if something is already there.
    private static func freePath(in directory: String, for name: String) -> String {
        let separator = directory.hasSuffix("/") ? "" : "/"
        let stem = (name as NSString).deletingPathExtension, suffix = (name as NSString).pathExtension
        var candidate = directory + separator + name
        var number = 2
        while FileKind.exists(candidate) {
            candidate = directory + separator + stem + "-\(number)" + (suffix.isEmpty ? "" : ".\(suffix)")
            number += 1
        }
        return candidate
    }

    // MARK: - Names

    /// A file name made from text that may come from other people's laptops (an evidence file's
    /// recorded name): slashes, control and format characters (bidirectional overrides among
    /// them) become `-`, leading dots go (no hidden or parent names), at most 200 bytes.
    /// `fallback` when nothing is left.
    public static func safeName(_ text: String, fallback: String = "output") -> String {
        let scalars = text.unicodeScalars.map { scalar -> Character in
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator: "-"
            default: scalar == "/" ? "-" : Character(scalar)
            }
        }
        var name = String(scalars).trimmingCharacters(in: .whitespaces)
        while name.hasPrefix(".") { name.removeFirst() }
        while name.utf8.count > 200 { name.removeLast() }
        return name.isEmpty ? fallback : name
    }

    /// A file name from words: lower case, every run of other characters than letters and
    /// digits one `-`: `fileName(["Ada Lead", "to", "Ben"], extension: "fabundle")` is
    /// `ada-lead-to-ben.fabundle`.
    public static func fileName(_ words: [String], extension suffix: String) -> String {
        let slug = words.joined(separator: " ").lowercased()
            .split { !($0.isLetter || $0.isNumber) }.joined(separator: "-")
        return safeName(String(slug.prefix(120)), fallback: "fieldaudit") + ".\(suffix)"
    }

    // MARK: - Writing

    /// Writes `data`: atomically and durably to a file, or to standard output.
    ///
    /// - Throws: `FieldAuditError.outputExists` if a file appeared at the path meanwhile (without
    ///   `force`), `.outputUnusable` if it cannot be written; the destination is then as it was.
    public func write(_ data: Data) throws(FieldAuditError) {
        try write { handle in try handle.write(contentsOf: data) }
    }

    /// Runs `body` with a handle to write to: standard output, or a temporary file in the
    /// destination's folder that is flushed and moved into place once `body` returns.
    ///
    /// - Throws: what `body` throws (as a `FieldAuditError`), `.outputExists` or
    ///   `.outputUnusable`; a file destination is then as it was and no temporary file is left.
    public func write<T>(_ body: (FileHandle) throws -> T) throws(FieldAuditError) -> T {
        guard let path else {
            do { return try body(FileHandle.standardOutput) } catch { throw failure(error) }
        }
        let folder = Self.folder(of: path)
        let temporary = "\(folder)/.fieldaudit-partial-\(getpid())-\(UUID().uuidString)"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw failure(errno, doing: "a file cannot be created in \(folder)") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
        var isOpen = true
        defer {
            if isOpen { close(descriptor) }
            unlink(temporary)
        }
        let result: T
        do {
            result = try body(handle)
        } catch {
            throw failure(error)
        }
        guard fsync(descriptor) == 0 else { throw failure(errno, doing: "flushing it to the disk failed") }
        close(descriptor)
        isOpen = false
        try moveIntoPlace(temporary, path)
        // Flush the folder, so that the rename survives a power cut.
        let directory = Foundation.open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
        return result
    }

    /// Renames the finished temporary file to the destination; without `replacesExisting`, by a
    /// hard link that fails on an existing file (and, on a file system without hard links such as
    /// FAT, by a rename after checking again).
    private func moveIntoPlace(_ temporary: String, _ path: String) throws(FieldAuditError) {
        if !replacesExisting {
            if link(temporary, path) == 0 { return }
            if errno == EEXIST || FileKind.exists(path) { throw .outputExists(paths: [path]) }
        }
        guard rename(temporary, path) == 0 else { throw failure(errno, doing: "moving it into place failed") }
    }

    /// What `body` threw as an error: FieldAudit's own errors as they are, a failed write with
    /// what the system said.
    private func failure(_ error: any Error) -> FieldAuditError {
        switch error {
        case is FieldAuditError, is StoreError: return Replica.wrap(error)
        default:
            let error = error as NSError
            if error.domain == NSPOSIXErrorDomain { return failure(Int32(error.code), doing: "writing it failed") }
            if let cause = error.userInfo[NSUnderlyingErrorKey] as? NSError, cause.domain == NSPOSIXErrorDomain {
                return failure(Int32(cause.code), doing: "writing it failed")
            }
            return .outputUnusable(path: path ?? "standard output", reason: "writing it failed (\(error.localizedDescription))")
        }
    }

    /// A failed system call as an error: the disk is full, or what the system said.
    private func failure(_ code: Int32, doing what: String) -> FieldAuditError {
        let reason = code == ENOSPC || code == EDQUOT
            ? "\(what): the disk is full. Free some space, or write somewhere else, and run the command again"
            : "\(what) (\(String(cString: strerror(code))))"
        return .outputUnusable(path: path ?? "standard output", reason: reason)
    }
}
