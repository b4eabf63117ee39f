import Foundation
import Replication

/// A wall clock that tests move by hand.
public final class ManualClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var milliseconds: UInt64

    public init(milliseconds: UInt64 = 1_764_000_000_000) {
        self.milliseconds = milliseconds
    }

    public func now() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return milliseconds
    }

    /// Moves the clock forward (or, with a negative step, backward, as a wrong system clock might).
    public func advance(by step: Int64) {
        lock.lock()
        defer { lock.unlock() }
        milliseconds = UInt64(max(0, Int64(milliseconds) + step))
    }
}
