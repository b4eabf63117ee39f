import BundleFormat
import Foundation
import Replication

/// What a bundle file holds, read without importing it: its header, exporter, origins and seq
/// ranges, counts, and whether its digest and exporter signature hold (`fieldaudit bundle inspect`).
///
/// Its property names are the keys of `bundle inspect --json`.
public struct BundleInspection: Sendable, Encodable {
    /// One origin's range in the bundle, and what of it the bundle carries.
    public struct Origin: Sendable, Encodable {
        /// The origin replica's id, in hex.
        public var origin: String
        /// The last seq the peer was assumed to hold: the bundle starts after it.
        public var after: UInt64
        /// The last seq the bundle carries.
        public var through: UInt64
        /// Changes carried in full.
        public var changes: Int
        /// Changes withheld (other engagements), carried as their id and content digest.
        public var withheld: Int
        /// The seq up to which a checkpoint the origin signed covers, if the bundle carries one.
        public var checkpoint: UInt64?
    }

    /// A checkpoint the header carries for the bundle's recipient (`Sync/PROTOCOL.md` §12.2).
    public struct RecipientCheckpoint: Sendable, Encodable {
        /// The recipient's replica id (the checkpoint's signer), in hex.
        public var origin: String
        /// The seq of the recipient's own history the exporter holds, as the recipient signed it.
        public var seq: UInt64
    }

    /// The file as the caller named it.
    public var file: String
    /// The bundle format version this build writes and reads.
    public var formatVersion: Int
    /// The exporting replica's id, in hex.
    public var exporter: String
    /// When it was exported, Unix milliseconds.
    public var createdAt: UInt64
    /// The engagements it carries in full.
    public var engagements: [String]
    /// The capabilities it requires of a reader.
    public var capabilities: [String]
    /// The newest checkpoint of the recipient's own history the exporter holds, when the bundle
    /// was made for a known peer; its signature is checked only by that peer, on import.
    public var recipientCheckpoint: RecipientCheckpoint?
    /// Whether its body is sealed for the engagements' team members.
    public var sealed: Bool
    /// For how many recipients it is sealed.
    public var sealedFor: Int
    /// Whether the exporter included evidence files.
    public var includesEvidence: Bool
    /// Each origin's range, in the header's order.
    public var origins: [Origin]
    /// Changes carried in full.
    public var changes: Int
    /// Changes withheld, carried as hashes.
    public var withheld: Int
    /// Signed checkpoints.
    public var checkpoints: Int
    /// Distinct evidence files.
    public var evidenceFiles: Int
    /// Bytes of evidence.
    public var evidenceBytes: UInt64
    /// The file's size, when it was read to its end.
    public var bytes: UInt64?
    /// The trailer's SHA-256 in hex, when it was read to its end.
    public var digest: String?
    /// "valid", or what is wrong (the first error met reading it).
    public var integrity: String

    /// Whether the bundle was read to its end with its digest and signature valid.
    public var isValid: Bool { integrity == "valid" }

    /// Reads the bundle at `path` to its end, counting what it carries and checking its digest
    /// and signature. A sealed bundle's body is read only if `replica` is one of its recipients.
    ///
    /// A bundle that turns out damaged or forged past its header is still described, its
    /// `integrity` saying what is wrong.
    ///
    /// - Throws: `FieldAuditError.unreadableInput` if the file cannot be read;
    ///   `FieldAuditError.bundle` if its header cannot be read.
    public init(file path: String, readingAs replica: Replica?) throws(FieldAuditError) {
        let handle = try InputFile.open(path)
        defer { try? handle.close() }
        let agreement = replica.map { AgreementKey.derive(from: $0.identity) }
        let reader: BundleReader<FileHandleSource>
        do { reader = try BundleReader(source: FileHandleSource(handle), agreementKey: agreement) } catch {
            throw .bundle(error, path: path)
        }
        let header = reader.header
        var origins = Dictionary(uniqueKeysWithValues: header.ranges.map {
            ($0.origin, Origin(origin: $0.origin.hex, after: $0.after, through: $0.through, changes: 0, withheld: 0, checkpoint: nil))
        })
        file = path
        formatVersion = Int(BundleLayout.formatVersion)
        exporter = header.exporter.hex
        createdAt = header.createdAt
        engagements = header.engagements.map(\.description)
        capabilities = header.capabilities.map(\.description)
        recipientCheckpoint = header.recipientCheckpoint.map { RecipientCheckpoint(origin: $0.origin.hex, seq: $0.seq) }
        sealed = header.isSealed
        sealedFor = header.seal?.recipients.count ?? 0
        includesEvidence = header.includesEvidence
        (self.origins, changes, withheld, checkpoints, evidenceFiles, evidenceBytes, integrity) = ([], 0, 0, 0, 0, 0, "valid")
        var evidence = Set<BlobDigest>()
        do {
            while let record = try reader.next() {
                switch record {
                case let .change(change):
                    changes += 1
                    origins[change.origin]?.changes += 1
                case let .redacted(id, _):
                    withheld += 1
                    origins[id.origin]?.withheld += 1
                case let .checkpoint(checkpoint):
                    checkpoints += 1
                    origins[checkpoint.origin]?.checkpoint = checkpoint.seq
                case let .blobChunk(chunk):
                    evidence.insert(chunk.digest)
                    evidenceBytes += UInt64(chunk.bytes.count)
                }
            }
            bytes = reader.summary?.byteCount
            digest = reader.summary.map { Hex.encode($0.digest) }
        } catch {
            integrity = "\(error)"
        }
        evidenceFiles = evidence.count
        self.origins = header.ranges.compactMap { origins[$0.origin] }
    }
}
