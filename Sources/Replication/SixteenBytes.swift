/// Sixteen bytes held as two big-endian words, without an array: the storage of `EntityID` and
/// `ReplicaID`.
///
/// A large import makes and copies these ids millions of times (three in every change, one more
/// in each id it supersedes); held as arrays, each was a heap allocation, and each copy of a change
/// a retain and a release per id (issue 21). The words order as the bytes do, so equality, order
/// and hashing need no bytes at all.
struct SixteenBytes: Hashable, Comparable, Sendable {
    /// Bytes 0–7, most significant first.
    let high: UInt64
    /// Bytes 8–15, most significant first.
    let low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The 16 bytes of `bytes`; `nil` if it does not hold exactly 16.
    init?<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        guard bytes.count == 16 else { return nil }
        let words = bytes.withContiguousStorageIfAvailable { buffer in
            let raw = UnsafeRawBufferPointer(buffer)
            return (UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                    UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
        if let words {
            (high, low) = words
        } else {
            var high: UInt64 = 0
            var low: UInt64 = 0
            for (index, byte) in bytes.enumerated() {
                if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
            }
            (self.high, self.low) = (high, low)
        }
    }

    /// The 16 bytes, most significant first, in a new array.
    var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// Calls `body` with the 16 bytes, most significant first, without making an array.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let bigEndian = (high.bigEndian, low.bigEndian)
        return try Swift.withUnsafeBytes(of: bigEndian, body)
    }

    /// Orders as the bytes do, lexicographically (`memcmp`).
    static func < (lhs: SixteenBytes, rhs: SixteenBytes) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}
