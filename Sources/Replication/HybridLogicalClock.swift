/// A hybrid logical clock: stamps that follow wall time but never go backwards, and that move
/// past every stamp this replica has seen.
///
/// The clock is a pure value: the caller passes the wall time in (`now`, Unix milliseconds), so
/// tests inject a fixed clock and nothing deep inside reads the system time.
///
/// Invariants: `last` only grows; every stamp `tick` returns is greater than `last` was; a remote
/// stamp more than `maximumDrift` milliseconds ahead of `now` is flagged and does not move the clock.
public struct HybridLogicalClock: Sendable, Equatable {
    /// The greatest stamp issued or accepted so far.
    public private(set) var last: Timestamp

    /// How far ahead of the local wall clock a remote stamp may be before it is flagged.
    public var maximumDrift: UInt64

    /// The default drift allowance: five minutes.
    public static let defaultMaximumDrift: UInt64 = 5 * 60 * 1000

    /// A clock that has seen `last` (`.zero` for a new replica).
    public init(last: Timestamp = .zero, maximumDrift: UInt64 = defaultMaximumDrift) {
        self.last = last
        self.maximumDrift = maximumDrift
    }

    /// Issues a stamp for a local event at wall time `now`.
    ///
    /// The stamp is `now` with counter 0 when the wall clock has moved past `last`; otherwise it
    /// is `last` plus one (the counter carries into the milliseconds when it overflows).
    public mutating func tick(now: UInt64) -> Timestamp {
        let wall = Timestamp(milliseconds: now, counter: 0)
        last = wall > last ? wall : Timestamp(rawValue: last.rawValue + 1)
        return last
    }

    /// What `receive` made of a remote stamp.
    public enum Reception: Equatable, Sendable {
        /// The clock now stands at or past the remote stamp.
        case accepted
        /// The stamp is more than `maximumDrift` ahead of the wall clock; the clock ignored it.
        case flagged(aheadBy: UInt64)
    }

    /// Takes note of a stamp seen on a remote change at wall time `now` (the receive rule).
    ///
    /// An accepted stamp moves `last` to it if it is greater, so the next local stamp follows it.
    public mutating func receive(_ remote: Timestamp, now: UInt64) -> Reception {
        if remote.milliseconds > now, remote.milliseconds - now > maximumDrift {
            return .flagged(aheadBy: remote.milliseconds - now)
        }
        if remote > last { last = remote }
        return .accepted
    }
}
