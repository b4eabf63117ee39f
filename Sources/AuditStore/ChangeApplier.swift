import Replication

/// Applies changes inside one write transaction: the log insert, the materialised state and the
/// origins' hash chains. The one home of these laws for every backend; the backend's `StateRows`
/// only reads and writes the rows it decides.
///
/// Every path that adds a change (remote apply, local write, rebuild) goes through `add` or
/// `materialise`, so the state is always the same function of the log. Call `finish()` before the
/// transaction commits; an error thrown at any point must roll the transaction back.
public final class ChangeApplier {
    private let rows: any StateRows
    private let searchableFields: Set<String>

    /// An origin's chain as this transaction sees it.
    private struct Chain {
        /// The gap-free prefix and its head.
        var links: OriginChain
        /// Whether the log may hold changes of this origin beyond the gap-free prefix.
        var mayHaveMore: Bool
        /// Whether this origin has redacted placeholders that a full change could replace.
        var hasRedacted: Bool = false
    }

    private var chains: [ReplicaID: Chain] = [:]
    /// Entities seen in this transaction (a cache of the entity rows), emptied whenever it
    /// reaches `entityCacheLimit` so that an import's memory does not grow with its size.
    private var entities: [EntityID: (kind: String, engagement: EntityID)] = [:]
    private static let entityCacheLimit = 4096

    /// Changes in the log whose state is not materialised yet (`batchLimit` > 0 only), packed.
    private var pending = PendingChanges()
    /// How many changes `materialise` holds back before it writes their state sorted by field
    /// key; 0 writes each at once.
    private let batchLimit: Int
    /// How many bytes of packed records `materialise` holds back at most, whatever their number:
    /// `recordBudget` a change on average, so a batch of long values ends early.
    private let byteLimit: Int

    /// The batch size of SQLite's remote applies, imports and rebuilds (`batched:`; a backend's
    /// own is `StateRows.stateBatch`). Held packed (`PendingChanges`, about 110 bytes a change
    /// with a 60-byte text value, 7 MiB at this size), a batch is large beside the state of a
    /// large import's entities, so it reaches the state's B-trees in key order and touches each
    /// page about once, not once a batch. Measured at 1,000,000 changes (BENCHMARKS.md, issue 21).
    public static let stateBatch = 65_536

    /// The average bytes of packed record a batch holds a change at most (`byteLimit`).
    static let recordBudget = 128

    /// An applier writing through `rows`, indexing the text of `searchableFields` for search.
    ///
    /// With `batched` > 0, the state of up to that many changes is held back and written sorted
    /// by (entity, field), so the state's B-trees are written in key order, not at random: the
    /// state after `finish()` (or any read through the applier) is the same, since it depends
    /// only on the set of changes. Local writes read the state after each change and use 0.
    public init(_ rows: any StateRows, searchableFields: Set<String> = [], batched: Int = 0) {
        self.rows = rows
        self.searchableFields = searchableFields
        batchLimit = batched
        byteLimit = batched.multipliedReportingOverflow(by: Self.recordBudget).overflow ? .max : batched * Self.recordBudget
    }

    // MARK: - Adding changes

    /// Adds a change to the log and the materialised state; a held identical change is a duplicate.
    ///
    /// `digest` is the change's content digest when the caller already computed it (a reading
    /// thread, `SyncLink.change`); it is used only if computed for a change with this id, and the
    /// digest is computed here otherwise.
    ///
    /// - Throws: `StoreError.rejected` if the change is invalid, differs from the held change with
    ///   its id, or contradicts its entity's kind or engagement.
    public func add(_ change: Change, digest: ChangeDigest? = nil) throws(StoreError) -> ApplyOutcome {
        assert(digest == nil || digest?.content == change.contentDigest, "the content digest given is not the change's")
        do { try change.validate() } catch { throw .rejected(error) }
        var chain = try self.chain(of: change.origin)
        if chain.hasRedacted, change.seq <= chain.links.seq, let placeholder = try rows.placeholderHash(of: change.id) {
            try replacePlaceholder(placeholder, with: change)
            return .applied
        }
        // A change next in its chain gets its hash now; one beyond a gap when the gap closes.
        var extended = chain.links
        let hash = extended.isNext(change.id)
            ? try rejecting { () throws(ReplicationError) in
                try extended.extend(by: change.id, content: digest.flatMap { $0.id == change.id ? $0.content : nil } ?? change.contentDigest)
            }
            : nil

        guard try rows.insertChange(change, hash: hash) else {
            guard try rows.change(change.id) == change else { throw .rejected(.equivocation(change.id)) }
            return .duplicate
        }

        try materialise(change)
        if hash != nil {
            chain.links = extended
            if chain.mayHaveMore { try closeGap(&chain) }
        } else {
            chain.mayHaveMore = true
        }
        chains[change.origin] = chain
        return .applied
    }

    /// Adds a change withheld from this replica: its id and content digest only. It must be next
    /// in its origin's chain (or already held with the same content).
    ///
    /// - Throws: `StoreError.rejected` if it would leave a gap, or if a different change is held
    ///   under its id.
    public func addRedacted(_ id: ChangeID, content: ContentDigest) throws(StoreError) -> ApplyOutcome {
        var chain = try self.chain(of: id.origin)
        if id.seq <= chain.links.seq {
            try checkHeld(id, content: content, recorded: try storedHash(id))
            return .duplicate
        }
        guard chain.links.isNext(id) else {
            throw .rejected(.invalidChange(id, reason: "a withheld change must follow seq \(chain.links.seq) of its origin, which this replica holds"))
        }
        let hash = try rejecting { () throws(ReplicationError) in try chain.links.extend(by: id, content: content) }
        try rows.insertPlaceholder(id, content: content, hash: hash)
        chain.hasRedacted = true
        if chain.mayHaveMore { try closeGap(&chain) }
        chains[id.origin] = chain
        return .applied
    }

    /// The chain hash of a held change or placeholder.
    public func storedHash(_ id: ChangeID) throws(StoreError) -> ChangeHash? {
        if let hash = try rows.placeholderHash(of: id) { return hash }
        return try rows.recordedHash(of: id)
    }

    /// Checks that the link `id` with `content`, extending the chain held before it, has the hash
    /// held for it (`recorded`): the same change or placeholder arriving again.
    ///
    /// - Throws: `StoreError.rejected(.equivocation)` if it does not, or if its predecessor or its
    ///   own hash is not held.
    private func checkHeld(_ id: ChangeID, content: ContentDigest, recorded: ChangeHash?) throws(StoreError) {
        guard let recorded, var chain = try OriginChain.before(id, hashOf: storedHash),
              (try? chain.extend(by: id, content: content, recorded: recorded)) != nil
        else { throw .rejected(.equivocation(id)) }
    }

    /// Runs a chain step, turning its refusal into `StoreError.rejected`.
    private func rejecting<T>(_ step: () throws(ReplicationError) -> T) throws(StoreError) -> T {
        do { return try step() } catch { throw .rejected(error) }
    }

    /// Puts a full change in place of its placeholder, if its derived hash is the placeholder's.
    private func replacePlaceholder(_ placeholder: ChangeHash, with change: Change) throws(StoreError) {
        try checkHeld(change.id, content: change.contentDigest, recorded: placeholder)
        try rows.deletePlaceholder(change.id)
        _ = try rows.insertChange(change, hash: placeholder)
        try materialise(change)
    }

    /// Updates the materialised state for a change already in the log (entity, superseded ids,
    /// visible values, deletion flag), at once or, for a batched applier, by the next
    /// `flush()` at the latest.
    public func materialise(_ change: Change) throws(StoreError) {
        guard batchLimit > 0 else { return try materialiseNow(change) }
        if pending.isFull { try flush() }
        pending.append(change)
        if pending.count >= batchLimit || pending.recordBytes >= byteLimit { try flush() }
    }

    /// Writes the state of every change held back, sorted by entity, field (their bytes), then
    /// arrival. The state is a function of the set of changes held, so the order changes only
    /// which B-tree pages are touched one after the other.
    public func flush() throws(StoreError) {
        try pending.drain { change throws(StoreError) in try materialiseNow(change) }
    }

    private func materialiseNow(_ change: Change) throws(StoreError) {
        try register(change)
        let key = change.fieldKey
        for id in change.supersedes {
            try rows.insertSuperseded(id, of: key)
            try rows.deleteVisible(id, of: key)
        }
        if try !rows.isSuperseded(change.id, of: key) {
            try rows.insertVisible(VisibleValue(id: change.id, stamp: change.stamp, value: change.value), of: key)
        }
        if case let .text(text) = change.value, searchableFields.contains(change.field) {
            try rows.indexText(text, of: key, by: change.id)
        }
        if change.field == Change.deletedField {
            let deleted = FieldState(try rows.visibleValues(of: key))?.winner.value.isTrue ?? false
            try rows.setDeleted(deleted, entity: change.entity)
        }
    }

    /// Writes every origin touched back to the origin rows. Call once, before commit.
    public func finish() throws(StoreError) {
        try flush()
        for chain in chains.values.sorted(by: { $0.links.origin < $1.links.origin }) {
            try rows.saveChain(chain.links)
        }
    }

    /// Rebuild support: sets an origin's chain as derived from the log, for `finish()` to write.
    public func setChain(_ links: OriginChain) {
        chains[links.origin] = Chain(links: links, mayHaveMore: false)
    }

    // MARK: - Reading within the transaction

    /// The visible values of a field, winner first; `nil` if none.
    public func visibleValues(of key: FieldKey) throws(StoreError) -> FieldState? {
        try flush()
        return FieldState(try rows.visibleValues(of: key))
    }

    // MARK: - Private

    private func chain(of origin: ReplicaID) throws(StoreError) -> Chain {
        if let chain = chains[origin] { return chain }
        var chain = Chain(links: try rows.chain(of: origin) ?? OriginChain(origin: origin), mayHaveMore: false)
        chain.mayHaveMore = try rows.hasChanges(of: origin, after: chain.links.seq)
        chain.hasRedacted = try rows.hasPlaceholders(of: origin)
        chains[origin] = chain
        return chain
    }

    /// Follows the chain through changes that arrived early, hashing each as the gap closes.
    private func closeGap(_ chain: inout Chain) throws(StoreError) {
        while let next = try rows.change(chain.links.next) {
            let hash = try rejecting { () throws(ReplicationError) in try chain.links.extend(by: next) }
            try rows.setRecordedHash(hash, of: next.id)
        }
    }

    /// Records the entity on first sight; later changes must agree on its kind and engagement.
    private func register(_ change: Change) throws(StoreError) {
        if let known = entities[change.entity] {
            return try check(change, against: known)
        }
        if entities.count >= Self.entityCacheLimit { entities.removeAll(keepingCapacity: true) }
        if let known = try rows.entity(change.entity) {
            entities[change.entity] = known
            return try check(change, against: known)
        }
        try rows.insertEntity(change.entity, kind: change.kind, engagement: change.engagement)
        entities[change.entity] = (change.kind, change.engagement)
    }

    private func check(_ change: Change, against known: (kind: String, engagement: EntityID)) throws(StoreError) {
        if known.kind != change.kind || known.engagement != change.engagement {
            throw .rejected(.entityMismatch(
                change.id, entity: change.entity,
                held: "\(known.kind) of engagement \(known.engagement)",
                found: "\(change.kind) of engagement \(change.engagement)"))
        }
    }
}
