import Foundation

/// A source of wall time in Unix milliseconds, injected wherever time is read.
public protocol WallClock: Sendable {
    /// The current wall time, Unix milliseconds.
    func now() -> UInt64
}

/// The system's real-time clock.
public struct SystemClock: WallClock {
    /// The system clock.
    public init() {}

    /// The system's real time, Unix milliseconds; 0 for a clock set before 1970.
    public func now() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1000))
    }
}
