import AuditModel
import AuditStore
import Foundation
import Replication

/// A stored evidence file read in pieces and re-hashed as it is read, for a caller that sends the
/// bytes on (the central's reviewers' window): the last piece is handed out only once the whole
/// file has hashed to its digest, so a receiver of a damaged file never gets all of it.
public final class EvidenceReader: @unchecked Sendable {
    /// The evidence read.
    public let evidence: Evidence
    /// The stored file's size in bytes, as it is on disk now.
    public let size: Int64
    private let handle: FileHandle
    private let digest: BlobDigest
    private var hasher = BlobHasher()
    private var held: Data?
    private var finished = false

    init(evidence: Evidence, digest: BlobDigest, path: String) throws(FieldAuditError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .store(.blobMissing(digest: digest.hex)) }
        self.evidence = evidence
        self.digest = digest
        self.handle = handle
        size = ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.int64Value ?? 0
    }

    deinit { try? handle.close() }

    /// The next piece (at most 64 KiB), or `nil` once the file has been read whole and hashed to
    /// its digest.
    ///
    /// - Throws: `.store(.blobCorrupt)` when the bytes do not hash to the digest (the last piece is
    ///   then never handed out); `.store(.blobUnreadable)` if reading fails.
    public func next() throws(FieldAuditError) -> Data? {
        if finished { return nil }
        while true {
            let piece: Data
            do {
                piece = try handle.read(upToCount: 1 << 16) ?? Data()
            } catch {
                throw .store(.blobUnreadable(path: evidence.name, reason: error.localizedDescription))
            }
            if piece.isEmpty {
                finished = true
                guard hasher.finalize() == digest else { throw .store(.blobCorrupt(digest: digest.hex)) }
                return held
            }
            piece.withUnsafeBytes { hasher.update($0) }
            let previous = held
            held = piece
            if let previous { return previous }
        }
    }
}

extension Replica {
    /// Opens an engagement's evidence file for reading, re-hashed as it is read (`EvidenceReader`).
    ///
    /// - Throws: `.notFound` for an id that is not evidence of the engagement; `.store(.blobMissing)`
    ///   when this replica does not hold the file.
    public func openEvidence(_ reference: String, engagement: EntityID) throws(FieldAuditError) -> EvidenceReader {
        let record = try record(of: engagement, kinds: [.evidence])
        let id = try resolve(reference, among: record.evidence.map(\.id), kind: "evidence")
        guard let evidence = record.evidence.first(where: { $0.id == id }), let digest = evidence.digest else {
            throw .notFound(kind: "evidence", id: reference)
        }
        guard blobs.contains(digest) else { throw .store(.blobMissing(digest: digest.hex)) }
        return try EvidenceReader(evidence: evidence, digest: digest, path: blobs.path(of: digest))
    }
}
