/// The typed value a change writes into a field.
///
/// Evidence bytes never travel inline: a file is referenced by its SHA-256 (`blob`).
///
/// Equality is exact, as the canonical encoding sees it: reals compare by their bit pattern (so a
/// NaN equals itself and `0.0` differs from `-0.0`), text by its UTF-8 bytes (so precomposed and
/// decomposed accents differ, as their hashes do).
public enum Value: Hashable, Sendable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case bytes([UInt8])
    /// The SHA-256 of an evidence blob, 32 bytes.
    case blob(BlobDigest)
    /// A JSON document, kept as the exact UTF-8 text its author wrote.
    case json(String)

    /// Values are equal when their canonical encodings are: same case, reals by bit pattern, text and
    /// JSON by UTF-8 bytes.
    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.integer(a), .integer(b)): a == b
        case let (.real(a), .real(b)): a.bitPattern == b.bitPattern
        case let (.text(a), .text(b)), let (.json(a), .json(b)): a.utf8.elementsEqual(b.utf8)
        case let (.bytes(a), .bytes(b)): a == b
        case let (.blob(a), .blob(b)): a == b
        default: false
        }
    }

    /// Hashes the case and the exact bytes `==` compares, so equal values hash alike.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(tag)
        switch self {
        case .null: break
        case let .integer(value): hasher.combine(value)
        case let .real(value): hasher.combine(value.bitPattern)
        case let .text(text), let .json(text): for byte in text.utf8 { hasher.combine(byte) }
        case let .bytes(bytes): hasher.combine(bytes)
        case let .blob(digest): hasher.combine(digest)
        }
    }

    /// The one-byte type tag used by the canonical encoding and the store.
    public var tag: Tag {
        switch self {
        case .null: .null
        case .integer: .integer
        case .real: .real
        case .text: .text
        case .bytes: .bytes
        case .blob: .blob
        case .json: .json
        }
    }

    /// Type tags, fixed by `Sync/PROTOCOL.md`; never renumber.
    public enum Tag: UInt8, Sendable, CaseIterable {
        case null = 0, integer = 1, real = 2, text = 3, bytes = 4, blob = 5, json = 6
    }

    /// A boolean as the integer 1 or 0.
    public static func bool(_ flag: Bool) -> Value { .integer(flag ? 1 : 0) }

    /// The text, if this is text or JSON.
    public var text: String? {
        switch self {
        case let .text(text), let .json(text): text
        default: nil
        }
    }

    /// The integer, if this is one.
    public var integer: Int64? {
        if case let .integer(value) = self { value } else { nil }
    }

    /// `true` for integers other than 0.
    public var isTrue: Bool { (integer ?? 0) != 0 }

    /// The value as text for messages and tables: text and JSON as written, bytes as their count, a
    /// blob as `blob:` and its hex digest.
    public var description: String {
        switch self {
        case .null: "null"
        case let .integer(value): String(value)
        case let .real(value): String(value)
        case let .text(text): text
        case let .bytes(bytes): "<\(bytes.count) bytes>"
        case let .blob(digest): "blob:\(digest.hex)"
        case let .json(text): text
        }
    }
}

/// The SHA-256 of an evidence file: its name in the blob store.
public struct BlobDigest: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// Wraps 32 digest bytes.
    ///
    /// - Throws: `ReplicationError.malformed` if `bytes` is not 32 bytes long.
    public init<Bytes: Collection<UInt8>>(bytes: Bytes) throws(ReplicationError) {
        guard bytes.count == 32 else {
            throw .malformed(what: "blob digest", reason: "expected 32 bytes, found \(bytes.count)")
        }
        self.bytes = Array(bytes)
    }

    /// Parses 64 hex digits.
    public init(hex: String) throws(ReplicationError) {
        guard let bytes = Hex.decode(hex), bytes.count == 32 else {
            throw .malformed(what: "blob digest", reason: "'\(hex)' is not 64 hexadecimal digits")
        }
        self.bytes = bytes
    }

    /// 64 lowercase hex digits.
    public var hex: String { Hex.encode(bytes) }
    /// The 64 hex digits, as `hex`.
    public var description: String { hex }

    /// Orders by bytes, which is also the order of the hex text.
    public static func < (lhs: BlobDigest, rhs: BlobDigest) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}

/// Computes a `BlobDigest` over bytes fed in pieces, so files of any size hash in bounded memory.
public struct BlobHasher: Sendable {
    private var hasher = SHA256()

    /// A hasher that has fed nothing yet.
    public init() {}

    /// Feeds the next bytes (a read buffer), without copying them.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    /// Feeds the next bytes.
    public mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }

    /// The digest of every byte fed so far.
    public func finalize() -> BlobDigest { try! BlobDigest(bytes: Array(hasher.finalize())) }
}

import Crypto
