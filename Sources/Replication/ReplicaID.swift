import Crypto
import Foundation

/// The identity of one replica: the first 16 bytes of the SHA-256 of its Ed25519 public key.
///
/// Replica ids order changes that carry the same clock stamp, so they compare by their bytes
/// (lexicographically, as `memcmp` would). Their text form is 32 lowercase hexadecimal digits.
public struct ReplicaID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The number of bytes in a replica id.
    public static let byteCount = 16

    /// The 16 bytes, held without an array (`SixteenBytes`).
    private let storage: SixteenBytes

    /// Wraps 16 bytes.
    ///
    /// - Throws: `ReplicationError.malformed` if `bytes` is not 16 bytes long.
    public init<Bytes: Collection<UInt8>>(bytes: Bytes) throws(ReplicationError) {
        guard let storage = SixteenBytes(bytes) else {
            throw .malformed(what: "replica id", reason: "expected \(Self.byteCount) bytes, found \(bytes.count)")
        }
        self.storage = storage
    }

    /// Derives the replica id of an Ed25519 public key (its 32 raw bytes).
    public init(publicKey: Curve25519.Signing.PublicKey) {
        storage = SixteenBytes(Array(SHA256.hash(data: publicKey.rawRepresentation).prefix(Self.byteCount)))!
    }

    /// Parses the 32-hex-digit text form.
    ///
    /// - Throws: `ReplicationError.malformed` naming the text if it is not 32 hexadecimal digits.
    public init(hex: String) throws(ReplicationError) {
        guard let bytes = Hex.decode(hex), let storage = SixteenBytes(bytes) else {
            throw .malformed(what: "replica id", reason: "'\(hex)' is not \(Self.byteCount * 2) hexadecimal digits")
        }
        self.storage = storage
    }

    /// The id's 16 bytes, in a new array (`withUnsafeBytes` makes none).
    public var bytes: [UInt8] { storage.bytes }

    /// Calls `body` with the id's 16 bytes without making an array.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try storage.withUnsafeBytes(body)
    }

    /// The 32-hex-digit text form.
    public var hex: String { Hex.encode(bytes) }

    /// The first 8 hex digits: enough to tell the replicas of one team apart on screen.
    public var short: String { String(hex.prefix(8)) }

    /// The 32 hex digits, as `hex`.
    public var description: String { hex }

    /// Hashes the 16 bytes as two 64-bit words.
    public func hash(into hasher: inout Hasher) {
        storage.hash(into: &hasher)
    }

    /// Ids are equal when their 16 bytes are.
    public static func == (lhs: ReplicaID, rhs: ReplicaID) -> Bool { lhs.storage == rhs.storage }

    /// Orders by bytes: the order of origins in version vectors, bundles and the state digest.
    public static func < (lhs: ReplicaID, rhs: ReplicaID) -> Bool { lhs.storage < rhs.storage }
}

/// Lowercase hexadecimal text for byte strings.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Encodes bytes as lowercase hexadecimal.
    public static func encode<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hexadecimal text (either case); `nil` if it has an odd length or a non-hex digit.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count.isMultiple(of: 2) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(of: utf8[index]), let low = value(of: utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
