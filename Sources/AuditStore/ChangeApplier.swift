import GRDB
import Replication

/// Applies changes inside one write transaction: the log insert, the materialised state and the
/// origins' hash chains, with prepared statements on the raw connection.
///
/// Every path that adds a change (remote apply, local write, rebuild) goes through `add` or
/// `materialise`, so the state is always the same function of the log. Call `finish()` before the
/// transaction commits; an error thrown at any point must roll the transaction back.
final class ChangeApplier {
    private let insertChange: SQLiteStatement
    private let selectChange: SQLiteStatement
    private let updateHash: SQLiteStatement
    private let selectEntity: SQLiteStatement
    private let insertEntity: SQLiteStatement
    private let updateDeleted: SQLiteStatement
    private let insertSuperseded: SQLiteStatement
    private let deleteVisible: SQLiteStatement
    private let probeSuperseded: SQLiteStatement
    private let insertVisible: SQLiteStatement
    private let selectVisible: SQLiteStatement
    private let selectOrigin: SQLiteStatement
    private let probeBeyond: SQLiteStatement
    private let upsertOrigin: SQLiteStatement
    private let insertSearch: SQLiteStatement
    private let selectRedacted: SQLiteStatement
    private let insertRedacted: SQLiteStatement
    private let deleteRedacted: SQLiteStatement
    private let selectHash: SQLiteStatement
    private let anyRedacted: SQLiteStatement
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
    /// Entities seen in this transaction (a cache of the `entity` table), emptied whenever it
    /// reaches `entityCacheLimit` so that an import's memory does not grow with its size.
    private var entities: [EntityID: (kind: String, engagement: EntityID)] = [:]
    private static let entityCacheLimit = 4096

    init(_ db: Database, searchableFields: Set<String> = []) throws(StoreError) {
        self.searchableFields = searchableFields
        insertSearch = try SQLiteStatement(db, "INSERT INTO search (text, entity, field, origin, seq) VALUES (?, ?, ?, ?, ?)")
        selectRedacted = try SQLiteStatement(db, "SELECT hash FROM redacted WHERE origin = ? AND seq = ?")
        insertRedacted = try SQLiteStatement(db, "INSERT INTO redacted (origin, seq, content, hash) VALUES (?, ?, ?, ?)")
        deleteRedacted = try SQLiteStatement(db, "DELETE FROM redacted WHERE origin = ? AND seq = ?")
        selectHash = try SQLiteStatement(db, "SELECT hash FROM change WHERE origin = ? AND seq = ?")
        anyRedacted = try SQLiteStatement(db, "SELECT 1 FROM redacted WHERE origin = ? LIMIT 1")
        insertChange = try SQLiteStatement(db, """
            INSERT INTO change (\(ChangeColumns.selectList), hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
            ON CONFLICT (origin, seq) DO NOTHING
            """)
        selectChange = try SQLiteStatement(db, "SELECT \(ChangeColumns.selectList) FROM change WHERE origin = ? AND seq = ?")
        updateHash = try SQLiteStatement(db, "UPDATE change SET hash = ? WHERE origin = ? AND seq = ?")
        selectEntity = try SQLiteStatement(db, "SELECT kind, engagement FROM entity WHERE id = ?")
        insertEntity = try SQLiteStatement(db, "INSERT INTO entity (id, kind, engagement) VALUES (?, ?, ?)")
        updateDeleted = try SQLiteStatement(db, "UPDATE entity SET deleted = ? WHERE id = ?")
        insertSuperseded = try SQLiteStatement(db, "INSERT OR IGNORE INTO superseded (entity, field, origin, seq) VALUES (?, ?, ?, ?)")
        deleteVisible = try SQLiteStatement(db, "DELETE FROM field_value WHERE entity = ? AND field = ? AND origin = ? AND seq = ?")
        probeSuperseded = try SQLiteStatement(db, "SELECT 1 FROM superseded WHERE entity = ? AND field = ? AND origin = ? AND seq = ?")
        insertVisible = try SQLiteStatement(db, """
            INSERT INTO field_value (entity, field, origin, seq, stamp, type, value) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        selectVisible = try SQLiteStatement(db, "SELECT origin, seq, stamp, type, value FROM field_value WHERE entity = ? AND field = ?")
        selectOrigin = try SQLiteStatement(db, "SELECT contiguous, head FROM origin WHERE replica = ?")
        probeBeyond = try SQLiteStatement(db, "SELECT 1 FROM change WHERE origin = ? AND seq > ? LIMIT 1")
        upsertOrigin = try SQLiteStatement(db, """
            INSERT INTO origin (replica, contiguous, head) VALUES (?, ?, ?)
            ON CONFLICT (replica) DO UPDATE SET contiguous = excluded.contiguous, head = excluded.head
            """)
    }

    // MARK: - Adding changes

    /// Adds a change to the log and the materialised state; a held identical change is a duplicate.
    ///
    /// - Throws: `StoreError.rejected` if the change is invalid, differs from the held change with
    ///   its id, or contradicts its entity's kind or engagement.
    func add(_ change: Change) throws(StoreError) -> ApplyOutcome {
        do { try change.validate() } catch { throw .rejected(error) }
        var chain = try self.chain(of: change.origin)
        if chain.hasRedacted, change.seq <= chain.links.seq, let placeholder = try redactedHash(change.id) {
            try replacePlaceholder(placeholder, with: change)
            return .applied
        }
        // A change next in its chain gets its hash now; one beyond a gap when the gap closes.
        var extended = chain.links
        let hash = extended.isNext(change.id) ? try rejecting { () throws(ReplicationError) in try extended.extend(by: change) } : nil

        ChangeColumns.bind(change, to: insertChange)
        if let hash { insertChange.bind(blob: hash.bytes, at: 12) } else { insertChange.bindNull(at: 12) }
        try insertChange.run()
        guard insertChange.changedRows == 1 else {
            guard try heldChange(change.id) == change else { throw .rejected(.equivocation(change.id)) }
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
    func addRedacted(_ id: ChangeID, content: ContentDigest) throws(StoreError) -> ApplyOutcome {
        var chain = try self.chain(of: id.origin)
        if id.seq <= chain.links.seq {
            try checkHeld(id, content: content, recorded: try storedHash(id))
            return .duplicate
        }
        guard chain.links.isNext(id) else {
            throw .rejected(.invalidChange(id, reason: "a withheld change must follow seq \(chain.links.seq) of its origin, which this replica holds"))
        }
        let hash = try rejecting { () throws(ReplicationError) in try chain.links.extend(by: id, content: content) }
        insertRedacted.bind(blob: id.origin.bytes, at: 1)
        insertRedacted.bind(id.seq, at: 2)
        insertRedacted.bind(blob: content.bytes, at: 3)
        insertRedacted.bind(blob: hash.bytes, at: 4)
        try insertRedacted.run()
        chain.hasRedacted = true
        if chain.mayHaveMore { try closeGap(&chain) }
        chains[id.origin] = chain
        return .applied
    }

    /// The chain hash of a held change or placeholder.
    func storedHash(_ id: ChangeID) throws(StoreError) -> ChangeHash? {
        if let hash = try redactedHash(id) { return hash }
        selectHash.bind(blob: id.origin.bytes, at: 1)
        selectHash.bind(id.seq, at: 2)
        defer { selectHash.reset() }
        guard try selectHash.step(), !selectHash.isNull(0) else { return nil }
        return try? ChangeHash(bytes: selectHash.blob(0))
    }

    private func redactedHash(_ id: ChangeID) throws(StoreError) -> ChangeHash? {
        selectRedacted.bind(blob: id.origin.bytes, at: 1)
        selectRedacted.bind(id.seq, at: 2)
        defer { selectRedacted.reset() }
        guard try selectRedacted.step() else { return nil }
        return try? ChangeHash(bytes: selectRedacted.blob(0))
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
        deleteRedacted.bind(blob: change.origin.bytes, at: 1)
        deleteRedacted.bind(change.seq, at: 2)
        try deleteRedacted.run()
        ChangeColumns.bind(change, to: insertChange)
        insertChange.bind(blob: placeholder.bytes, at: 12)
        try insertChange.run()
        try materialise(change)
    }

    /// Updates the materialised state for a change already in the log (entity, superseded ids,
    /// visible values, deletion flag).
    func materialise(_ change: Change) throws(StoreError) {
        try register(change)
        let entity = change.entity.bytes
        for id in change.supersedes {
            try run(insertSuperseded, entity: entity, field: change.field, id: id)
            try run(deleteVisible, entity: entity, field: change.field, id: id)
        }
        probeSuperseded.bind(blob: entity, at: 1)
        probeSuperseded.bind(change.field, at: 2)
        probeSuperseded.bind(blob: change.origin.bytes, at: 3)
        probeSuperseded.bind(change.seq, at: 4)
        let isSuperseded = try probeSuperseded.step()
        probeSuperseded.reset()
        if !isSuperseded {
            insertVisible.bind(blob: entity, at: 1)
            insertVisible.bind(change.field, at: 2)
            insertVisible.bind(blob: change.origin.bytes, at: 3)
            insertVisible.bind(change.seq, at: 4)
            insertVisible.bind(change.stamp.rawValue, at: 5)
            ChangeColumns.bind(change.value, typeAt: 6, valueAt: 7, to: insertVisible)
            try insertVisible.run()
        }
        if case let .text(text) = change.value, searchableFields.contains(change.field) {
            insertSearch.bind(text, at: 1)
            insertSearch.bind(blob: entity, at: 2)
            insertSearch.bind(change.field, at: 3)
            insertSearch.bind(blob: change.origin.bytes, at: 4)
            insertSearch.bind(change.seq, at: 5)
            try insertSearch.run()
        }
        if change.field == Change.deletedField {
            let deleted = try visibleValues(of: change.fieldKey)?.winner.value.isTrue ?? false
            updateDeleted.bind(Int64(deleted ? 1 : 0), at: 1)
            updateDeleted.bind(blob: entity, at: 2)
            try updateDeleted.run()
        }
    }

    /// Runs a statement keyed by (entity, field, origin, seq).
    private func run(_ statement: SQLiteStatement, entity: [UInt8], field: String, id: ChangeID) throws(StoreError) {
        statement.bind(blob: entity, at: 1)
        statement.bind(field, at: 2)
        statement.bind(blob: id.origin.bytes, at: 3)
        statement.bind(id.seq, at: 4)
        try statement.run()
    }

    /// Writes every origin touched back to the `origin` table. Call once, before commit.
    func finish() throws(StoreError) {
        for (origin, chain) in chains {
            upsertOrigin.bind(blob: origin.bytes, at: 1)
            upsertOrigin.bind(chain.links.seq, at: 2)
            upsertOrigin.bind(blob: chain.links.head.bytes, at: 3)
            try upsertOrigin.run()
        }
    }

    /// Rebuild support: sets an origin's chain as derived from the log, for `finish()` to write.
    func setChain(_ links: OriginChain) {
        chains[links.origin] = Chain(links: links, mayHaveMore: false)
    }

    /// Sets the derived hash of a change in the log.
    func storeHash(_ hash: ChangeHash, of id: ChangeID) throws(StoreError) {
        updateHash.bind(blob: hash.bytes, at: 1)
        updateHash.bind(blob: id.origin.bytes, at: 2)
        updateHash.bind(id.seq, at: 3)
        try updateHash.run()
    }

    // MARK: - Reading within the transaction

    /// The visible values of a field, winner first; `nil` if none.
    func visibleValues(of key: FieldKey) throws(StoreError) -> FieldState? {
        selectVisible.bind(blob: key.entity.bytes, at: 1)
        selectVisible.bind(key.field, at: 2)
        defer { selectVisible.reset() }
        var values: [VisibleValue] = []
        while try selectVisible.step() {
            do {
                let id = ChangeID(origin: try ReplicaID(bytes: selectVisible.blob(0)), seq: selectVisible.uint64(1))
                let value = try ChangeColumns.readValue(selectVisible, typeAt: 3, valueAt: 4)
                values.append(VisibleValue(id: id, stamp: Timestamp(rawValue: selectVisible.uint64(2)), value: value))
            } catch {
                throw .corruptRow(table: "field_value", reason: error.description)
            }
        }
        return FieldState(values)
    }

    /// The held change with this id, if any.
    func heldChange(_ id: ChangeID) throws(StoreError) -> Change? {
        selectChange.bind(blob: id.origin.bytes, at: 1)
        selectChange.bind(id.seq, at: 2)
        defer { selectChange.reset() }
        return try selectChange.step() ? try ChangeColumns.read(selectChange) : nil
    }

    // MARK: - Private

    private func chain(of origin: ReplicaID) throws(StoreError) -> Chain {
        if let chain = chains[origin] { return chain }
        selectOrigin.bind(blob: origin.bytes, at: 1)
        defer { selectOrigin.reset() }
        var chain = Chain(links: OriginChain(origin: origin), mayHaveMore: false)
        if try selectOrigin.step() {
            do { chain.links = OriginChain(origin: origin, seq: selectOrigin.uint64(0), head: try ChangeHash(bytes: selectOrigin.blob(1))) } catch {
                throw .corruptRow(table: "origin", reason: error.description)
            }
        }
        probeBeyond.bind(blob: origin.bytes, at: 1)
        probeBeyond.bind(chain.links.seq, at: 2)
        chain.mayHaveMore = try probeBeyond.step()
        probeBeyond.reset()
        chain.hasRedacted = try hasAnyRedacted(origin)
        chains[origin] = chain
        return chain
    }

    private func hasAnyRedacted(_ origin: ReplicaID) throws(StoreError) -> Bool {
        anyRedacted.bind(blob: origin.bytes, at: 1)
        defer { anyRedacted.reset() }
        return try anyRedacted.step()
    }

    /// Follows the chain through changes that arrived early, hashing each as the gap closes.
    private func closeGap(_ chain: inout Chain) throws(StoreError) {
        while let next = try heldChange(chain.links.next) {
            let hash = try rejecting { () throws(ReplicationError) in try chain.links.extend(by: next) }
            try storeHash(hash, of: next.id)
        }
    }

    /// Records the entity on first sight; later changes must agree on its kind and engagement.
    private func register(_ change: Change) throws(StoreError) {
        if let known = entities[change.entity] {
            return try check(change, against: known)
        }
        if entities.count >= Self.entityCacheLimit { entities.removeAll(keepingCapacity: true) }
        selectEntity.bind(blob: change.entity.bytes, at: 1)
        defer { selectEntity.reset() }
        if try selectEntity.step() {
            let known: (kind: String, engagement: EntityID)
            do { known = (selectEntity.text(0), try EntityID(bytes: selectEntity.blob(1))) } catch {
                throw .corruptRow(table: "entity", reason: error.description)
            }
            entities[change.entity] = known
            return try check(change, against: known)
        }
        selectEntity.reset()
        insertEntity.bind(blob: change.entity.bytes, at: 1)
        insertEntity.bind(change.kind, at: 2)
        insertEntity.bind(blob: change.engagement.bytes, at: 3)
        try insertEntity.run()
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
