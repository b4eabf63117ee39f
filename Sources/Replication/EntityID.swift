/// The id of an entity (engagement, interview, finding, …): a UUID version 7.
///
/// UUIDv7 puts 48 bits of Unix milliseconds first, so ids made later sort later and inserts land
/// near the end of indexes. Ids compare by their bytes; the text form is the usual lowercase
/// `8-4-4-4-12` UUID spelling.
public struct EntityID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The number of bytes in an entity id.
    public static let byteCount = 16

    /// The 16 bytes, held without an array (`SixteenBytes`).
    private let storage: SixteenBytes

    /// Wraps 16 bytes.
    ///
    /// - Throws: `ReplicationError.malformed` if `bytes` is not 16 bytes long.
    public init<Bytes: Collection<UInt8>>(bytes: Bytes) throws(ReplicationError) {
        guard let storage = SixteenBytes(bytes) else {
            throw .malformed(what: "entity id", reason: "expected \(Self.byteCount) bytes, found \(bytes.count)")
        }
        self.storage = storage
    }

    /// The id's 16 bytes, most significant first, in a new array (`withUnsafeBytes` makes none).
    public var bytes: [UInt8] { storage.bytes }

    /// Calls `body` with the id's 16 bytes, most significant first, without making an array.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try storage.withUnsafeBytes(body)
    }

    /// The id's 16 bytes as two big-endian words, which order as the bytes do (`init(words:)`
    /// makes the id again).
    public var words: (high: UInt64, low: UInt64) { (storage.high, storage.low) }

    /// The id whose 16 bytes are `words`, most significant first (the inverse of `words`).
    public init(words: (high: UInt64, low: UInt64)) {
        storage = SixteenBytes(high: words.high, low: words.low)
    }

    /// Makes a UUIDv7 for wall time `milliseconds` with 74 random bits from `generator`.
    ///
    /// The caller injects both, so tests make repeatable ids.
    public static func make<Generator: RandomNumberGenerator>(
        milliseconds: UInt64, using generator: inout Generator
    ) -> EntityID {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        let time = min(milliseconds, Timestamp.maxMilliseconds)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: time >> (8 * (5 - index)))
        }
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        for index in 6..<16 {
            let source = index < 8 ? high >> (8 * (7 - index)) : low >> (8 * (15 - index))
            bytes[index] = UInt8(truncatingIfNeeded: source)
        }
        bytes[6] = 0x70 | (bytes[6] & 0x0f)  // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3f)  // RFC 9562 variant
        return try! EntityID(bytes: bytes)
    }

    /// Parses the text form: 32 hex digits, with or without the four dashes.
    ///
    /// - Throws: `ReplicationError.malformed` naming the text.
    public init(_ text: String) throws(ReplicationError) {
        let digits = text.filter { $0 != "-" }
        guard let bytes = Hex.decode(digits), let storage = SixteenBytes(bytes) else {
            throw .malformed(what: "entity id", reason: "'\(text)' is not a UUID")
        }
        self.storage = storage
    }

    /// The Unix milliseconds in the id's first 48 bits.
    public var milliseconds: UInt64 { storage.high >> 16 }

    /// The lowercase `8-4-4-4-12` spelling.
    public var description: String {
        let hex = Hex.encode(bytes)
        var out = ""
        for (offset, character) in hex.enumerated() {
            if [8, 12, 16, 20].contains(offset) { out.append("-") }
            out.append(character)
        }
        return out
    }

    /// The last 8 hex digits, for tables on screen: random bits, unlike the leading time bits
    /// that ids made the same day share.
    public var short: String { String(Hex.encode(bytes).suffix(8)) }

    /// Hashes the 16 bytes as two 64-bit words.
    public func hash(into hasher: inout Hasher) {
        storage.hash(into: &hasher)
    }

    /// Ids are equal when their 16 bytes are.
    public static func == (lhs: EntityID, rhs: EntityID) -> Bool { lhs.storage == rhs.storage }

    /// Orders by bytes, as SQLite's BINARY collation orders the stored blobs; for UUIDv7 ids that is
    /// creation order, to the millisecond.
    public static func < (lhs: EntityID, rhs: EntityID) -> Bool { lhs.storage < rhs.storage }
}

extension EntityID {
    /// The number of trailing bytes of a creator-bound id that name its creator.
    static let creatorTagCount = 6

    /// Makes a UUIDv7 bound to the replica that creates the entity: as `make(milliseconds:using:)`,
    /// but its last 6 bytes are the first 6 bytes of SHA-256 over ASCII `fieldaudit.creator`, a
    /// 0x00 byte, the id's first 10 bytes and the creator's 16-byte replica id
    /// (`Sync/PROTOCOL.md` §22). 26 random bits are left per millisecond, so one creator making
    /// many ids in one millisecond must check them for uniqueness (`Replica.makeEntityID` does).
    ///
    /// The creator is then fixed by the id itself: every replica reads the same creator from it,
    /// whatever changes it holds (`isMade(by:)`).
    public static func make<Generator: RandomNumberGenerator>(
        milliseconds: UInt64, creator: ReplicaID, using generator: inout Generator
    ) -> EntityID {
        var bytes = make(milliseconds: milliseconds, using: &generator).bytes
        bytes.replaceSubrange((byteCount - creatorTagCount)..., with: creatorTag(prefix: bytes.prefix(byteCount - creatorTagCount), creator: creator))
        return try! EntityID(bytes: bytes)
    }

    /// Whether this id was made by `make(milliseconds:creator:using:)` for `creator`: its last 6
    /// bytes are the creator tag of its first 10 and `creator`. An id made for another replica,
    /// a name-based id or an id made before ids were bound is made by no given replica (but for a
    /// chance of 2^-48).
    public func isMade(by creator: ReplicaID) -> Bool {
        bytes.suffix(Self.creatorTagCount).elementsEqual(Self.creatorTag(prefix: bytes.prefix(Self.byteCount - Self.creatorTagCount), creator: creator))
    }

    private static func creatorTag(prefix: ArraySlice<UInt8>, creator: ReplicaID) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Array("fieldaudit.creator".utf8) + [0] + Array(prefix) + creator.bytes)
        return Array(hasher.finalize().prefix(creatorTagCount))
    }
}

extension EntityID {
    /// A name-based id (UUID version 8): the first 16 bytes of SHA-256 of `namespace` and `parts`,
    /// with the version and variant bits set.
    ///
    /// Entities that must be one per key (a team member per engagement and replica, a Statement
    /// of Applicability entry per control) get the same id on every replica that creates them,
    /// so concurrent creations merge into one entity instead of duplicating it.
    public static func derived(namespace: String, _ parts: [UInt8]...) -> EntityID {
        var hasher = SHA256()
        hasher.update(data: Array(namespace.utf8) + [0])
        for part in parts {
            var length = ByteWriter(capacity: 4)
            length.write(UInt32(truncatingIfNeeded: part.count))
            hasher.update(data: length.bytes + part)
        }
        var bytes = Array(hasher.finalize().prefix(byteCount))
        bytes[6] = 0x80 | (bytes[6] & 0x0f)  // version 8
        bytes[8] = 0x80 | (bytes[8] & 0x3f)  // RFC 9562 variant
        return try! EntityID(bytes: bytes)
    }
}

import Crypto
