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
    /// - Throws: `ServiceError.tooLarge` beyond `limit` bytes, `.badRequest` if the body breaks
    ///   off (the connection closed, or was closed for being too slow), or `.replicaRefused` with
    ///   status 500 if the file cannot be written; the file is removed in every case.
    static func spool(_ body: RequestBody, to path: String, limit: Int64) async throws -> Spooled {
        guard let handle = ScratchFile.create(at: path) else { throw ServiceError.replicaRefused(message: "the server cannot write its scratch file", status: 500, category: .inputOutput) }
        var hasher = SHA256()
        var length: Int64 = 0
        do {
            defer { try? handle.close() }
            var buffers = body.makeAsyncIterator()
            while let buffer = try await next(of: &buffers) {
                length += Int64(buffer.readableBytes)
                guard length <= limit else { throw ServiceError.tooLarge(limit: limit) }
                buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                do {
                    try handle.write(contentsOf: Data(buffer.readableBytesView))
                } catch {
                    throw ServiceError.replicaRefused(message: "the server cannot write its scratch file: \(error.localizedDescription)", status: 500, category: .inputOutput)
                }
            }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        return Spooled(digest: RequestSignature.hex(hasher.finalize()), length: length)
    }

    /// The body's next piece; a body that breaks off is the client's doing, not the server's.
    private static func next(of buffers: inout RequestBody.AsyncIterator) async throws(ServiceError) -> ByteBuffer? {
        do {
            return try await buffers.next()
        } catch let error as ServiceError {
            throw error
        } catch {
            throw .badRequest(reason: "the body broke off before its end (\(error)); nothing was kept")
        }
    }

    /// Collects a small body in memory, refusing it beyond `limit` bytes (`.tooLarge`), or when it
    /// breaks off (`.badRequest`).
    static func collect(_ body: RequestBody, limit: Int64) async throws -> Data {
        var data = Data()
        var buffers = body.makeAsyncIterator()
        while let buffer = try await next(of: &buffers) {
            guard Int64(data.count + buffer.readableBytes) <= limit else { throw ServiceError.tooLarge(limit: limit) }
            data.append(contentsOf: buffer.readableBytesView)
        }
        return data
    }
}
