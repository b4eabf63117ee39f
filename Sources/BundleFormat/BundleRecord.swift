import Replication

/// One record of a bundle's body, as `BundleReader.next()` returns them in the order written.
public enum BundleRecord: Hashable, Sendable {
    /// A change record.
    case change(Change)
    /// A piece of an evidence file.
    case blobChunk(BlobChunk)
    /// An origin's signed checkpoint (its signature already verified by the reader).
    case checkpoint(Checkpoint)
    /// A change of an engagement the receiving peer may not see: only its id and content digest
    /// travel, so the peer's copy of the origin's chain stays whole and verifiable.
    case redacted(ChangeID, ContentDigest)
}

/// A piece of an evidence file: `bytes` are the file's bytes from `offset`.
///
/// An importer writes the chunks of a blob to a scratch file and checks the SHA-256 of the whole
/// against `digest` before keeping it; the codec itself does not, since chunks of one blob need
/// not be contiguous in the bundle.
public struct BlobChunk: Hashable, Sendable {
    /// The SHA-256 of the whole file.
    public var digest: BlobDigest
    /// The whole file's size in bytes.
    public var totalSize: UInt64
    /// Where `bytes` start in the file.
    public var offset: UInt64
    /// The chunk's bytes: at most `BundleLayout.maximumBlobChunkLength`, none only for an empty file.
    public var bytes: [UInt8]

    /// Bytes `offset ..< offset + bytes.count` of the file with `digest` and `totalSize`.
    init(digest: BlobDigest, totalSize: UInt64, offset: UInt64, bytes: [UInt8]) {
        self.digest = digest
        self.totalSize = totalSize
        self.offset = offset
        self.bytes = bytes
    }

    /// Why the chunk breaks the format's rules, or `nil`.
    var problem: String? {
        guard bytes.count <= BundleLayout.maximumBlobChunkLength else {
            return "a blob chunk holds at most \(BundleLayout.maximumBlobChunkLength) bytes, not \(bytes.count)"
        }
        guard !bytes.isEmpty || totalSize == 0 else { return "only the chunk of an empty blob may be empty" }
        let (end, overflow) = offset.addingReportingOverflow(UInt64(bytes.count))
        guard !overflow, end <= totalSize else {
            return "chunk \(offset)..<\(end) lies beyond the blob's size \(totalSize)"
        }
        return nil
    }
}

/// What a bundle held, from its end frame and trailer.
public struct BundleSummary: Hashable, Sendable {
    /// Change frames, redacted ones included.
    public var changes: UInt64 = 0
    /// Evidence blob chunk frames.
    public var blobChunks: UInt64 = 0
    /// Evidence bytes in those chunks.
    public var blobBytes: UInt64 = 0
    /// Checkpoint frames.
    public var checkpoints: UInt64 = 0
    /// The SHA-256 of every byte before the trailer (empty until the trailer is written or read).
    public var digest: [UInt8] = []
    /// The size of the whole bundle file, in bytes (0 until the trailer is written or read).
    public var byteCount: UInt64 = 0

    /// An empty summary.
    init() {}
}
