/// The whole replicated state, in memory: the reference implementation of the merge laws.
///
/// `AuditStore` keeps the same state in SQLite; the property tests check that both give the
/// same `digest()` for the same set of changes, whatever the order of arrival.
///
/// - Complexity: `apply` is O(s + g) for a change superseding `s` ids that closes a gap of `g`
///   changes; `digest()` is O(n log n) in the size of the state.
public struct ReplicatedState: Sendable {
    /// Every change held, by id.
    public private(set) var changes: [ChangeID: Change] = [:]
    private var superseded: [FieldKey: Set<ChangeID>] = [:]
    private var visible: [FieldKey: [ChangeID: VisibleValue]] = [:]
    private var entities: [EntityID: (kind: String, engagement: EntityID)] = [:]
    private var chains: [ReplicaID: OriginChain] = [:]

    /// An empty state: no changes, no chains, no entities.
    public init() {}

    /// Adds one change: duplicates are ignored, gaps and any order are fine.
    ///
    /// - Throws: `ReplicationError` if the change is invalid, differs from a held change with the
    ///   same id, or gives an entity another kind. The state is unchanged when it throws.
    @discardableResult
    public mutating func apply(_ change: Change) throws(ReplicationError) -> ApplyOutcome {
        try change.validate()
        if let held = changes[change.id] {
            guard held == change else { throw .equivocation(change.id) }
            return .duplicate
        }
        if let known = entities[change.entity], known.kind != change.kind || known.engagement != change.engagement {
            throw .entityMismatch(
                change.id, entity: change.entity,
                held: "\(known.kind) of engagement \(known.engagement)",
                found: "\(change.kind) of engagement \(change.engagement)")
        }
        changes[change.id] = change
        entities[change.entity] = (change.kind, change.engagement)
        let key = change.fieldKey
        for id in change.supersedes {
            superseded[key, default: []].insert(id)
            visible[key]?[id] = nil
        }
        if superseded[key]?.contains(change.id) != true {
            visible[key, default: [:]][change.id] = VisibleValue(id: change.id, stamp: change.stamp, value: change.value)
        }
        try advanceChain(of: change.origin)
        return .applied
    }

    /// Extends the origin's chain through every held change that is next in it.
    private mutating func advanceChain(of origin: ReplicaID) throws(ReplicationError) {
        var chain = chains[origin] ?? OriginChain(origin: origin)
        while let next = changes[chain.next] { try chain.extend(by: next) }
        chains[origin] = chain
    }

    /// The visible values of a field, or `nil` if none.
    public func state(of key: FieldKey) -> FieldState? {
        visible[key].flatMap { FieldState($0.values) }
    }

    /// The kind of an entity, if any change to it is held.
    public func kind(of entity: EntityID) -> String? { entities[entity]?.kind }

    /// Whether the winner of the entity's `deleted` field is true.
    public func isDeleted(_ entity: EntityID) -> Bool {
        state(of: FieldKey(entity: entity, field: Change.deletedField))?.winner.value.isTrue ?? false
    }

    /// The fields with more than one visible value, sorted.
    public var conflicts: [FieldKey] {
        visible.filter { $0.value.count > 1 }.keys.sorted()
    }

    /// Per origin, the highest seq held without gaps.
    public var vector: VersionVector {
        VersionVector(chains.mapValues(\.seq))
    }

    /// The hash of the last gap-free change of `origin` (genesis if none).
    public func head(of origin: ReplicaID) -> ChangeHash { chains[origin]?.head ?? .genesis }

    /// The digest of the whole state, in the canonical order of `Sync/PROTOCOL.md`.
    public func digest() -> StateDigest {
        var builder = StateDigest.Builder()
        for entity in entities.keys.sorted() {
            let known = entities[entity]!
            builder.addEntity(entity, kind: known.kind, engagement: known.engagement, deleted: isDeleted(entity))
        }
        for key in visible.keys.sorted() {
            for id in visible[key]!.keys.sorted() {
                builder.addVisible(key, visible[key]![id]!)
            }
        }
        for key in superseded.keys.sorted() {
            for id in superseded[key]!.sorted() {
                builder.addSuperseded(key, id)
            }
        }
        for origin in chains.keys.sorted() {
            let chain = chains[origin]!
            builder.addOrigin(origin, contiguous: chain.seq, head: chain.head)
        }
        return builder.finalize()
    }
}
