/// Variable-length integers, as bundle bodies write them (`Sync/PROTOCOL.md` §13.1) and as a
/// store packs the changes it holds back (`PendingChanges`).
///
/// A varint is unsigned LEB128: seven bits a byte, least significant group first, the high bit
/// set on every byte but the last; at most 10 bytes, and minimal (no needless trailing zero
/// group). Signed numbers are zigzag mapped first: 0, −1, 1, −2, … become 0, 1, 2, 3, …
public enum Varint {
    /// The most bytes a 64-bit varint takes.
    public static let maximumLength = 10

    /// Maps a signed number to an unsigned one, small magnitudes to small numbers.
    public static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    /// The inverse of `zigzag`.
    public static func unzigzag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }
}

extension ByteWriter {
    /// Writes `value` as a varint.
    public mutating func write(varint value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            write(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        write(UInt8(rest))
    }

    /// Writes `value` zigzag mapped, as a varint.
    public mutating func write(zigzag value: Int64) {
        write(varint: Varint.zigzag(value))
    }

    /// Writes a varint length, then the bytes.
    public mutating func write<Bytes: Collection<UInt8>>(varintPrefixed bytes: Bytes) {
        write(varint: UInt64(bytes.count))
        write(raw: bytes)
    }
}
