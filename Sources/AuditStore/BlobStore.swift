import Foundation
import Replication

/// Evidence files, stored once each under their SHA-256 in a directory (`ab/cdef…`).
///
/// Files are written to a temporary name, flushed to disk and renamed into place, so a blob is
/// either whole or absent, never half-written. Reads check the hash.
public struct BlobStore: Sendable {
    /// The blob directory.
    public let directory: String

    /// The size of the pieces files are read and written in.
    static let chunkSize = 1 << 20

    /// A blob store in `directory` (created by the replica; nothing is touched here).
    public init(directory: String) {
        self.directory = directory
    }

    /// Where the blob with this digest lives (whether or not it is there).
    public func path(of digest: BlobDigest) -> String {
        let hex = digest.hex
        return "\(directory)/\(hex.prefix(2))/\(hex.dropFirst(2))"
    }

    /// Whether the blob is stored.
    public func contains(_ digest: BlobDigest) -> Bool {
        FileManager.default.fileExists(atPath: path(of: digest))
    }

    /// What `put` did.
    public struct Stored: Equatable, Sendable {
        /// The file's SHA-256.
        public let digest: BlobDigest
        /// The file's size in bytes.
        public let size: Int64
        /// `false` when an identical file was already stored.
        public let isNew: Bool
    }

    /// Stores a copy of the regular file at `source`, hashing it as it is copied; `progress`
    /// hears the bytes copied so far after each piece.
    ///
    /// The file is opened without blocking and refused unless it is a regular file, before a byte
    /// is read: a FIFO would wait for a writer forever and a device such as `/dev/zero` never ends.
    ///
    /// - Throws: `StoreError.blobUnreadable` if the file cannot be read or is not a regular file
    ///   (nothing is stored), or `.diskFull`/`.blobUnwritable` if the copy cannot be written
    ///   (nothing is left behind).
    public func put(contentsOf source: String, progress: (Int64) -> Void = { _ in }) throws(StoreError) -> Stored {
        let input = Foundation.open(source, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard input >= 0 else { throw .blobUnreadable(path: source, reason: String(cString: strerror(errno))) }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0 else { throw .blobUnreadable(path: source, reason: String(cString: strerror(errno))) }
        let kind = FileKind(mode: info.st_mode)
        guard kind == .regular else { throw .blobUnreadable(path: source, reason: "it is \(kind), not a regular file") }
        return try write { sink throws(StoreError) in
            var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
            var copied: Int64 = 0
            while true {
                let count = buffer.withUnsafeMutableBytes { Foundation.read(input, $0.baseAddress, $0.count) }
                if count < 0 { throw .blobUnreadable(path: source, reason: String(cString: strerror(errno))) }
                if count == 0 { return }
                try sink(buffer[..<count])
                copied += Int64(count)
                progress(copied)
            }
        }
    }

    /// Stores bytes already in memory (a received blob, a small generated file).
    public func put(bytes: [UInt8]) throws(StoreError) -> Stored {
        try write { sink throws(StoreError) in try sink(bytes[...]) }
    }

    /// Writes pieces to a temporary file while hashing them, then moves the file to its digest's path.
    private func write(_ produce: (_ sink: (ArraySlice<UInt8>) throws(StoreError) -> Void) throws(StoreError) -> Void) throws(StoreError) -> Stored {
        let temporary = "\(directory)/\(Self.scratchName())"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .blobUnwritable(path: directory, reason: "\(error.localizedDescription)")
        }
        let output = Foundation.open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard output >= 0 else { throw .blobUnwritable(path: temporary, reason: String(cString: strerror(errno))) }
        var closed = false
        defer {
            if !closed { close(output) }
            unlink(temporary)
        }
        var hasher = BlobHasher()
        var size: Int64 = 0
        try produce { piece throws(StoreError) in
            let failure: Int32? = piece.withUnsafeBytes { raw in
                hasher.update(raw)
                var offset = 0
                while offset < raw.count {
                    let written = Foundation.write(output, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 { return errno }
                    offset += written
                }
                return nil
            }
            if let failure {
                throw failure == ENOSPC ? .diskFull(path: directory) : .blobUnwritable(path: temporary, reason: String(cString: strerror(failure)))
            }
            size += Int64(piece.count)
        }
        guard fsync(output) == 0 else {
            throw errno == ENOSPC ? .diskFull(path: directory) : .blobUnwritable(path: temporary, reason: String(cString: strerror(errno)))
        }
        close(output)
        closed = true
        let digest = hasher.finalize()
        let destination = path(of: digest)
        if FileManager.default.fileExists(atPath: destination) {
            return Stored(digest: digest, size: size, isNew: false)
        }
        do {
            try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw .blobUnwritable(path: destination, reason: error.localizedDescription)
        }
        guard rename(temporary, destination) == 0 else {
            throw .blobUnwritable(path: destination, reason: String(cString: strerror(errno)))
        }
        return Stored(digest: digest, size: size, isNew: true)
    }

    /// A name for a scratch file or folder in the blob directory: `.incoming-PID-UUID`, so that
    /// `removeAbandonedScratch()` can tell those of processes that died from those in use.
    public static func scratchName() -> String {
        ".incoming-\(getpid())-\(UUID().uuidString)"
    }

    /// A scratch file or folder in the blob directory whose process is gone: what an `evidence
    /// add` or `import` that was killed left behind. It is not part of the audit.
    public struct AbandonedScratch: Sendable, Equatable, Encodable {
        /// Its path.
        public let path: String
        /// The process that made it, no longer running.
        public let pid: Int32
        /// Its size in bytes (a folder's: the sum of its files').
        public let bytes: Int64
    }

    /// The scratch files and folders left by processes that no longer run (a `.incoming-PID-…`
    /// name whose PID is gone). Scratch of running processes, this one included, is not listed.
    public func abandonedScratch() -> [AbandonedScratch] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().compactMap { name in
            guard name.hasPrefix(".incoming-") else { return nil }
            let parts = name.dropFirst(".incoming-".count).split(separator: "-", maxSplits: 1)
            guard let pid = parts.first.flatMap({ Int32($0) }), pid > 0, pid != getpid() else { return nil }
            // kill(pid, 0) fails with ESRCH when no such process exists.
            guard kill(pid, 0) != 0, errno == ESRCH else { return nil }
            let path = "\(directory)/\(name)"
            return AbandonedScratch(path: path, pid: pid, bytes: Self.size(of: path))
        }
    }

    /// The bytes of a file, or of the files under a folder.
    private static func size(of path: String) -> Int64 {
        var info = stat()
        guard lstat(path, &info) == 0 else { return 0 }
        guard FileKind(mode: info.st_mode) == .directory else { return Int64(info.st_size) }
        let names = (try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []
        return names.reduce(0) { total, name in
            var entry = stat()
            return lstat("\(path)/\(name)", &entry) == 0 && FileKind(mode: entry.st_mode) == .regular ? total + Int64(entry.st_size) : total
        }
    }

    /// Removes scratch files and folders left by processes that were killed (their PID no longer
    /// runs): every writing command calls this. Nothing at a blob's path is ever touched.
    ///
    /// - Returns: how many were removed.
    @discardableResult
    public func removeAbandonedScratch() -> Int {
        abandonedScratch().filter { (try? FileManager.default.removeItem(atPath: $0.path)) != nil }.count
    }

    /// Removes a stored blob, if present. Only for a blob nothing references (the state, an
    /// import in progress): evidence whose blob is missing fails `verify`.
    public func remove(_ digest: BlobDigest) {
        unlink(path(of: digest))
    }

    /// Re-hashes a stored blob: `true` when present and intact.
    public func verify(_ digest: BlobDigest) -> Bool {
        (try? hash(of: path(of: digest))) == digest
    }

    /// Reads a stored blob in pieces, handing each to `consume`, and checks its hash at the end.
    ///
    /// `consume` has seen every byte when the hash turns out wrong: a caller writing a file
    /// discards it then (`OutputFile` does), and one writing to a stream checks with
    /// `verify(_:)` first.
    ///
    /// - Throws: `StoreError.blobMissing`, `.blobUnreadable` or `.blobCorrupt`; what `consume` throws.
    public func read(_ digest: BlobDigest, into consume: (Data) throws -> Void) throws -> Void {
        let source = path(of: digest)
        guard let input = FileHandle(forReadingAtPath: source) else { throw StoreError.blobMissing(digest: digest.hex) }
        defer { try? input.close() }
        var hasher = BlobHasher()
        while true {
            let data: Data
            do {
                guard let piece = try input.read(upToCount: Self.chunkSize), !piece.isEmpty else { break }
                data = piece
            } catch {
                throw StoreError.blobUnreadable(path: source, reason: error.localizedDescription)
            }
            data.withUnsafeBytes { hasher.update($0) }
            try consume(data)
        }
        guard hasher.finalize() == digest else { throw StoreError.blobCorrupt(digest: digest.hex) }
    }

    /// The SHA-256 of a file, read in pieces.
    public func hash(of path: String) throws(StoreError) -> BlobDigest {
        guard let input = FileHandle(forReadingAtPath: path) else { throw .blobUnreadable(path: path, reason: "it cannot be opened") }
        defer { try? input.close() }
        var hasher = BlobHasher()
        do {
            while let data = try input.read(upToCount: Self.chunkSize), !data.isEmpty {
                data.withUnsafeBytes { hasher.update($0) }
            }
        } catch {
            throw .blobUnreadable(path: path, reason: error.localizedDescription)
        }
        return hasher.finalize()
    }
}
