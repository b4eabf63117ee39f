import Replication

/// The remote changes the apply benchmark feeds to `Store.apply`: a deterministic, in-order
/// history of several origins editing notes of one engagement.
///
/// Shape (mirrored by `Benchmarks/apply_reference.c`, which must stay in step with it):
/// - `originCount` origins, identities from seeded private keys; change `i` belongs to origin
///   `i % originCount` (round robin), so each origin's seqs run 1, 2, 3, … without gaps and every
///   change takes the in-order path of `ChangeApplier.add`;
/// - one change per transaction (`transaction == seq`);
/// - stamps strictly increasing, counting up from `baseMilliseconds` as a hybrid logical clock
///   does within one millisecond (the counter carries into the milliseconds);
/// - `count / 10` entities of kind `note` in one engagement, and `fieldNames.count` fields; each
///   change writes a uniformly random (entity, field);
/// - each value is `.text` of `valueLength` random printable ASCII characters;
/// - each change supersedes the previous change that wrote the same (entity, field), if any,
///   as an author who sees that value does (`ChangeWriter.write` over the current state).
struct ApplyWorkload {
    static let originCount = 4
    static let fieldNames = ["title", "statement", "grade", "owner", "status"]
    static let valueLength = 60
    /// 2025-11-24 in Unix milliseconds: in the past, so no stamp is flagged as ahead of the clock.
    static let baseMilliseconds: UInt64 = 1_764_000_000_000

    /// The changes, in the order they are applied.
    let changes: [Change]
    /// How many changes supersede an earlier one.
    let supersedingCount: Int
    /// How many entities the changes may write.
    let entityCount: Int

    /// Builds `count` changes from `seed`.
    init(count: Int, seed: UInt64 = 0xFA_2025) {
        var generator = SeededGenerator(seed: seed)
        let origins = (0..<Self.originCount).map { benchIdentity(seed &+ 1 &+ UInt64($0)).id }
        let engagement = EntityID.make(milliseconds: Self.baseMilliseconds, using: &generator)
        let entityCount = max(1, count / 10)
        let entities = (0..<entityCount).map { index in
            EntityID.make(milliseconds: Self.baseMilliseconds + UInt64(index), using: &generator)
        }
        let firstStamp = Timestamp(milliseconds: Self.baseMilliseconds, counter: 0).rawValue

        // The last change that wrote each (entity, field), keyed by `entity * fields + field`.
        var lastWriter: [Int: ChangeID] = [:]
        lastWriter.reserveCapacity(min(count, entityCount * Self.fieldNames.count))
        var changes: [Change] = []
        changes.reserveCapacity(count)
        var supersedingCount = 0
        for index in 0..<count {
            let origin = origins[index % Self.originCount]
            let seq = UInt64(index / Self.originCount + 1)
            let entity = Int.random(in: 0..<entityCount, using: &generator)
            let field = Int.random(in: 0..<Self.fieldNames.count, using: &generator)
            let key = entity * Self.fieldNames.count + field
            let previous = lastWriter[key]
            if previous != nil { supersedingCount += 1 }
            let change = Change(
                origin: origin, seq: seq, stamp: Timestamp(rawValue: firstStamp + UInt64(index)),
                transaction: seq, engagement: engagement, kind: "note", entity: entities[entity],
                field: Self.fieldNames[field], value: .text(generator.printableText(Self.valueLength)),
                supersedes: previous.map { [$0] } ?? [])
            lastWriter[key] = change.id
            changes.append(change)
        }
        self.changes = changes
        self.supersedingCount = supersedingCount
        self.entityCount = entityCount
    }
}
