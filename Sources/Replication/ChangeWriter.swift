/// Makes the changes of one local command: one transaction, consecutive seqs, fresh stamps, and
/// `supersedes` set to every value of the field the author sees.
///
/// Pure: the caller passes in the origin's last seq, the clock and the wall time, and stores the
/// changes it returns.
public struct ChangeWriter: Sendable {
    /// The replica writing.
    public let origin: ReplicaID
    /// The seq of the transaction's first change.
    public let transaction: UInt64
    /// The clock after the changes written so far.
    public private(set) var clock: HybridLogicalClock
    /// The changes written so far, in order.
    public private(set) var written: [Change] = []
    private let now: UInt64

    /// Starts a transaction after the origin's change `lastSeq`, at wall time `now`.
    public init(origin: ReplicaID, lastSeq: UInt64, clock: HybridLogicalClock, now: UInt64) {
        self.origin = origin
        self.transaction = lastSeq + 1
        self.clock = clock
        self.now = now
    }

    /// Writes `value` into a field, superseding every value of it visible to the author, which
    /// resolves any conflict on that field.
    public mutating func write(
        _ value: Value, to key: FieldKey, kind: String, engagement: EntityID, over current: FieldState?
    ) -> Change {
        let change = Change(
            origin: origin, seq: transaction + UInt64(written.count), stamp: clock.tick(now: now),
            transaction: transaction, engagement: engagement, kind: kind, entity: key.entity,
            field: key.field, value: value, supersedes: current?.supersedableIDs ?? [])
        written.append(change)
        return change
    }
}
