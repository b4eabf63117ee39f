/// The fixed numbers of the bundle format, version 1 (`Sync/PROTOCOL.md`, part two).
///
/// Every length a reader takes from a bundle is checked against one of these limits before
/// anything is allocated for it, so a hostile or corrupt bundle can never make a reader hold more
/// than a few megabytes, whatever it claims.
public enum BundleLayout {
    /// The eight bytes every bundle starts with: ASCII `FABUNDLE`.
    public static let magic: [UInt8] = Array("FABUNDLE".utf8)
    /// The newest format version this build reads and the one it writes.
    public static let formatVersion: UInt16 = 1

    /// The largest header (the fields after the header length), in bytes.
    static let maximumHeaderLength = 4 << 20
    /// The most engagements a header may list.
    static let maximumEngagements = 65_536
    /// The most origin ranges a header may list.
    static let maximumRanges = 65_536
    /// The most capabilities a header may list.
    static let maximumCapabilities = 255
    /// The longest capability name, in bytes.
    static let maximumCapabilityNameLength = 64
    /// The most recipients a sealed bundle may name.
    static let maximumRecipients = 4_096

    /// The largest frame payload, in bytes (16 MiB).
    static let maximumFrameLength = 16 << 20
    /// The largest evidence blob chunk, in bytes (256 KiB).
    public static let maximumBlobChunkLength = 256 << 10
    /// The longest entity kind or field name, in bytes (as `Change.validate()` requires).
    static let maximumNameLength = 255
    /// The capacity of the name (entity kind and field name) reference table.
    static let nameTableCapacity = 4_096
    /// The capacity of the entity id reference table.
    static let entityTableCapacity = 65_536
    /// The most checkpoint frames one origin may have in a bundle (`Sync/PROTOCOL.md` §15).
    public static let maximumCheckpointsPerOrigin = 16
    /// The bundle bytes each redacted change frame needs at least: a bundle of n bytes may carry
    /// at most n / 16 of them (`Sync/PROTOCOL.md` §17). A redacted change makes a receiver keep
    /// a placeholder of about 100 bytes; honestly made, it carries a 32-byte SHA-256 digest no
    /// compression shrinks, so this bounds what a bundle can make a receiver store by a small
    /// multiple of the bundle's own size, with room to spare for every honest bundle.
    public static let bytesPerRedactedChange: UInt64 = 16

    /// The most redacted change frames a bundle of `byteCount` bytes may carry.
    public static func maximumRedactedChanges(inBundleOf byteCount: UInt64) -> UInt64 {
        byteCount / bytesPerRedactedChange
    }

    /// The size of the compressed pieces the writer emits and of the reads the reader makes.
    static let streamChunkLength = 64 << 10
    /// The plaintext length of every sealed body chunk but the last (64 KiB).
    static let sealedChunkLength = 64 << 10

    /// The trailer: a 32-byte SHA-256 digest and a 64-byte Ed25519 signature.
    static let trailerLength = 96

    /// The prefix of the message the exporter signs: ASCII `fieldaudit-bundle-v1`, then the digest.
    static let bundleSignatureDomain: [UInt8] = Array("fieldaudit-bundle-v1".utf8)
    /// The prefix of the message an origin signs for a checkpoint.
    static let checkpointSignatureDomain: [UInt8] = Array("fieldaudit-checkpoint-v1".utf8)
}
