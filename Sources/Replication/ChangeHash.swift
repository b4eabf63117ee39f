import Crypto

/// A link of an origin's hash chain: `SHA-256(previous hash ‖ content digest)`, where the content
/// digest is the SHA-256 of the change's canonical encoding.
///
/// Hashes are derived, never sent: any replica holding changes 1…n of an origin recomputes them.
/// Linking through the content digest lets a change withheld from a peer travel as its digest
/// alone while the peer still verifies the whole chain.
public struct ChangeHash: Hashable, Sendable, CustomStringConvertible {
    /// The 32 hash bytes.
    public let bytes: [UInt8]

    /// Wraps 32 bytes.
    ///
    /// - Throws: `ReplicationError.malformed` if `bytes` is not 32 bytes long.
    public init<Bytes: Collection<UInt8>>(bytes: Bytes) throws(ReplicationError) {
        guard bytes.count == 32 else {
            throw .malformed(what: "change hash", reason: "expected 32 bytes, found \(bytes.count)")
        }
        self.bytes = Array(bytes)
    }

    private init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// The "previous hash" of an origin's first change: 32 zero bytes.
    public static let genesis = ChangeHash(unchecked: [UInt8](repeating: 0, count: 32))

    /// The hash of `change` following `previous` in its origin's chain.
    public static func of(_ change: Change, after previous: ChangeHash) -> ChangeHash {
        link(previous, change.contentDigest)
    }

    /// The hash of a change with content digest `content` following `previous`.
    public static func link(_ previous: ChangeHash, _ content: ContentDigest) -> ChangeHash {
        var hasher = SHA256()
        hasher.update(data: previous.bytes)
        hasher.update(data: content.bytes)
        return ChangeHash(unchecked: hasher.finalize().withUnsafeBytes { Array($0) })
    }

    /// The hash as 64 lowercase hex digits.
    public var hex: String { Hex.encode(bytes) }
    /// The hash in hex, as `hex`.
    public var description: String { hex }
}

/// The SHA-256 of a change's canonical encoding: what a withheld change travels as.
public struct ContentDigest: Hashable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// Wraps 32 bytes.
    ///
    /// - Throws: `ReplicationError.malformed` if `bytes` is not 32 bytes long.
    public init<Bytes: Collection<UInt8>>(bytes: Bytes) throws(ReplicationError) {
        guard bytes.count == 32 else {
            throw .malformed(what: "content digest", reason: "expected 32 bytes, found \(bytes.count)")
        }
        self.bytes = Array(bytes)
    }

    /// The digest as 64 lowercase hex digits.
    public var hex: String { Hex.encode(bytes) }
    /// The digest in hex, as `hex`.
    public var description: String { hex }
}

extension Change {
    /// The bytes the content digest covers, fixed by `Sync/PROTOCOL.md` §3.1: origin, seq, stamp,
    /// transaction, engagement, entity, kind, field, value, supersedes.
    public func canonicalEncoding() -> [UInt8] {
        var writer = ByteWriter(capacity: 128 + supersedes.count * 24)
        writer.write(id: origin)
        writer.write(seq)
        writer.write(stamp.rawValue)
        writer.write(transaction)
        writer.write(id: engagement)
        writer.write(id: entity)
        writer.write(name: kind)
        writer.write(name: field)
        writer.write(value)
        writer.write(UInt32(truncatingIfNeeded: supersedes.count))
        for id in supersedes {
            writer.write(id: id.origin)
            writer.write(id.seq)
        }
        return writer.bytes
    }

    /// The SHA-256 of the canonical encoding.
    public var contentDigest: ContentDigest {
        // The digest's bytes copied at once: `Array(digest)` walks it as a sequence, byte by byte.
        try! ContentDigest(bytes: SHA256.hash(data: canonicalEncoding()).withUnsafeBytes { Array($0) })
    }
}
