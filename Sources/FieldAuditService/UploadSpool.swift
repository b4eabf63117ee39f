import Crypto
import Foundation
import FieldAudit
import Hummingbird

/// Streams a request body to a new scratch file, hashing it on the way and refusing it as soon as
/// it grows beyond a limit; memory holds one network buffer at a time.
struct UploadSpool {
    /// The body's SHA-256 (hex) and length.
    struct Spooled {
        var digest: String
        var length: Int64
    }

    /// Writes `body` to `path` (created with mode 0600).
    ///
    /// - Throws: `ServiceError.tooLarge` beyond `limit` bytes (the file is removed), or
    ///   `.replicaRefused` with status 500 if the file cannot be written.
    static func spool(_ body: RequestBody, to path: String, limit: Int64) async throws -> Spooled {
        guard let handle = ScratchFile.create(at: path) else { throw ServiceError.replicaRefused(message: "the server cannot write its scratch file", status: 500) }
        var hasher = SHA256()
        var length: Int64 = 0
        do {
            defer { try? handle.close() }
            for try await buffer in body {
                length += Int64(buffer.readableBytes)
                guard length <= limit else { throw ServiceError.tooLarge(limit: limit) }
                buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                try handle.write(contentsOf: Data(buffer.readableBytesView))
            }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        return Spooled(digest: RequestSignature.hex(hasher.finalize()), length: length)
    }

    /// Collects a small body in memory, refusing it beyond `limit` bytes.
    static func collect(_ body: RequestBody, limit: Int64) async throws -> Data {
        var data = Data()
        for try await buffer in body {
            guard Int64(data.count + buffer.readableBytes) <= limit else { throw ServiceError.tooLarge(limit: limit) }
            data.append(contentsOf: buffer.readableBytesView)
        }
        return data
    }
}
