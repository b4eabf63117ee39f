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
        public let digest: BlobDigest
        public let size: Int64
        /// `false` when an identical file was already stored.
        public let isNew: Bool
    }

    /// Stores a copy of the file at `source`, hashing it as it is copied.
    ///
    /// - Throws: `StoreError.blobUnreadable` if the file cannot be read (nothing is stored), or
    ///   `.diskFull`/`.blobUnwritable` if the copy cannot be written (nothing is left behind).
    public func put(contentsOf source: String) throws(StoreError) -> Stored {
        let input = Foundation.open(source, O_RDONLY)
        guard input >= 0 else { throw .blobUnreadable(path: source, reason: String(cString: strerror(errno))) }
        defer { close(input) }
        var info = stat()
        if fstat(input, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            throw .blobUnreadable(path: source, reason: "it is a directory")
        }
        return try write { sink throws(StoreError) in
            var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if count < 0 { throw .blobUnreadable(path: source, reason: String(cString: strerror(errno))) }
                if count == 0 { return }
                try sink(buffer[..<count])
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

    /// Removes scratch files and folders left by processes that were killed (their PID no longer
    /// runs). Nothing at a blob's path is ever touched.
    ///
    /// - Returns: how many were removed.
    @discardableResult
    public func removeAbandonedScratch() -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed = 0
        for name in names where name.hasPrefix(".incoming-") {
            let parts = name.dropFirst(".incoming-".count).split(separator: "-", maxSplits: 1)
            guard let pid = parts.first.flatMap({ Int32($0) }), pid > 0, pid != getpid() else { continue }
            // kill(pid, 0) fails with ESRCH when no such process exists.
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            if (try? FileManager.default.removeItem(atPath: "\(directory)/\(name)")) != nil { removed += 1 }
        }
        return removed
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

    /// Copies a stored blob to `destination`, checking its hash on the way.
    ///
    /// - Throws: `StoreError.blobMissing` or `.blobCorrupt`; a partial destination is removed.
    public func extract(_ digest: BlobDigest, to destination: String) throws(StoreError) {
        let source = path(of: digest)
        guard let input = FileHandle(forReadingAtPath: source) else { throw .blobMissing(digest: digest.hex) }
        defer { try? input.close() }
        guard FileManager.default.createFile(atPath: destination, contents: nil),
              let output = FileHandle(forWritingAtPath: destination)
        else { throw .blobUnwritable(path: destination, reason: "the file cannot be created") }
        var hasher = BlobHasher()
        do {
            while let data = try input.read(upToCount: Self.chunkSize), !data.isEmpty {
                data.withUnsafeBytes { hasher.update($0) }
                try output.write(contentsOf: data)
            }
            try output.close()
        } catch {
            try? FileManager.default.removeItem(atPath: destination)
            throw .blobUnwritable(path: destination, reason: error.localizedDescription)
        }
        guard hasher.finalize() == digest else {
            try? FileManager.default.removeItem(atPath: destination)
            throw .blobCorrupt(digest: digest.hex)
        }
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
