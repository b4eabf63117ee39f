/// Appends big-endian integers and length-prefixed strings to a byte array.
///
/// The canonical change encoding and the state digest are written with it, so both follow the
/// same rules (`Sync/PROTOCOL.md`, "Canonical encoding").
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer with room for `capacity` bytes before it grows.
    public init(capacity: Int = 128) {
        bytes.reserveCapacity(capacity)
    }

    /// Forgets the bytes written, keeping their room for the next record written with it.
    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    /// Appends one byte (a tag or a flag).
    public mutating func write(_ byte: UInt8) { bytes.append(byte) }

    /// Appends bytes as they are, with no length prefix: only for fields of fixed size (ids, digests).
    public mutating func write<Bytes: Sequence<UInt8>>(raw: Bytes) { bytes.append(contentsOf: raw) }

    /// Appends an entity id's 16 bytes as they are (no array made).
    public mutating func write(id: EntityID) {
        write(id.words.high)
        write(id.words.low)
    }

    /// Appends a replica id's 16 bytes as they are (no array made).
    public mutating func write(id: ReplicaID) {
        id.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    /// Writes `value` as 8 bytes, most significant first.
    public mutating func write(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// Writes `value` as 4 bytes, most significant first.
    public mutating func write(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }

    /// Writes `value` as 2 bytes, most significant first.
    public mutating func write(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// Writes a 2-byte length and the UTF-8 bytes of a short name (kinds and fields: at most 255 bytes).
    public mutating func write(name: String) {
        let utf8 = name.utf8
        write(UInt16(truncatingIfNeeded: utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Writes a 4-byte length and the bytes.
    public mutating func write<Bytes: Collection<UInt8>>(lengthPrefixed data: Bytes) {
        write(UInt32(truncatingIfNeeded: data.count))
        bytes.append(contentsOf: data)
    }

    /// Writes a value: its tag byte, then its payload.
    public mutating func write(_ value: Value) {
        write(value.tag.rawValue)
        switch value {
        case .null: break
        case let .integer(integer): write(UInt64(bitPattern: integer))
        case let .real(real): write(real.bitPattern)
        case let .text(text), let .json(text): write(lengthPrefixed: text.utf8)
        case let .bytes(data): write(lengthPrefixed: data)
        case let .blob(digest): write(raw: digest.bytes)
        }
    }
}
