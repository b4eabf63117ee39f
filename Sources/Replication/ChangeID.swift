/// The id of a change: its origin replica and its place in that origin's sequence.
///
/// Each origin numbers its changes 1, 2, 3, … without gaps, so `(origin, seq)` is unique.
/// Ids order by origin bytes, then seq.
public struct ChangeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The replica that wrote the change.
    public let origin: ReplicaID
    /// The change's position in its origin's sequence, from 1.
    public let seq: UInt64

    /// Names the change `seq` of `origin`.
    public init(origin: ReplicaID, seq: UInt64) {
        self.origin = origin
        self.seq = seq
    }

    /// Orders by origin bytes, then seq: the order of `supersedes` lists and of the state digest.
    public static func < (lhs: ChangeID, rhs: ChangeID) -> Bool {
        lhs.origin != rhs.origin ? lhs.origin < rhs.origin : lhs.seq < rhs.seq
    }

    /// `origin-short:seq`, as shown in logs and errors.
    public var description: String { "\(origin.short):\(seq)" }
}
