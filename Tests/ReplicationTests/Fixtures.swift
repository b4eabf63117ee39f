import Replication
import TestSupport

/// Two or three replicas editing one finding, for the register examples.
struct Team {
    let lead = testIdentity(10)
    let auditor = testIdentity(11)
    let expert = testIdentity(12)
    let engagement = testEntity(20)
    let finding = testEntity(21)

    var statement: FieldKey { FieldKey(entity: finding, field: "statement") }

    /// One change by `identity`, written over `state`'s current view of the field.
    func write(
        _ value: Value, _ field: String = "statement", by identity: ReplicaIdentity,
        in state: ReplicatedState, now: UInt64
    ) -> Change {
        let lastSeq = state.changes.keys.filter { $0.origin == identity.id }.map(\.seq).max() ?? 0
        let last = state.changes.values.filter { $0.origin == identity.id }.map(\.stamp).max() ?? .zero
        var writer = ChangeWriter(origin: identity.id, lastSeq: lastSeq, clock: HybridLogicalClock(last: last), now: now)
        let key = FieldKey(entity: finding, field: field)
        return writer.write(value, to: key, kind: "finding", engagement: engagement, over: state.state(of: key))
    }
}

extension ReplicatedState {
    /// Applies changes, stopping the test on an error.
    mutating func applyAll(_ changes: [Change]) throws {
        for change in changes { try apply(change) }
    }
}
