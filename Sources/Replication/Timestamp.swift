/// A hybrid logical clock stamp: 48 bits of Unix milliseconds and a 16-bit counter, in one `UInt64`.
///
/// Stamps compare as their 64-bit value, so the order is time first, counter second.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The largest number of milliseconds a stamp can hold (2^48 − 1, in the year 10889).
    public static let maxMilliseconds: UInt64 = (1 << 48) - 1

    /// The packed value: `milliseconds << 16 | counter`.
    public let rawValue: UInt64

    /// Wraps a packed value.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Packs milliseconds and a counter; milliseconds above `maxMilliseconds` are clamped.
    public init(milliseconds: UInt64, counter: UInt16) {
        self.rawValue = min(milliseconds, Self.maxMilliseconds) << 16 | UInt64(counter)
    }

    /// Unix time in milliseconds.
    public var milliseconds: UInt64 { rawValue >> 16 }

    /// The logical counter among stamps of the same millisecond.
    public var counter: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    /// The smallest stamp.
    public static let zero = Timestamp(rawValue: 0)

    /// Orders by the packed value: milliseconds first, then the counter.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `milliseconds.counter`, for logs and errors.
    public var description: String { "\(milliseconds).\(counter)" }
}
