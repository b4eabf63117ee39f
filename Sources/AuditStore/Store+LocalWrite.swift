import GRDB
import Replication

/// The changes of one local command, made and applied inside one store transaction.
///
/// Each `set` reads the field's visible values, writes a change that supersedes them all (so it
/// also resolves a conflict), and applies it at once, so later reads in the same command see it.
public struct LocalTransaction {
    let rows: any StateRows
    let applier: ChangeApplier
    var writer: ChangeWriter

    /// The visible values of a field, as this transaction sees them.
    public func state(of key: FieldKey) throws(StoreError) -> FieldState? {
        try applier.visibleValues(of: key)
    }

    /// Writes `value` into a field of an entity of the given kind and engagement.
    ///
    /// - Throws: `StoreError.rejected` if the entity exists with another kind or engagement.
    @discardableResult
    public mutating func set(
        _ value: Value, _ field: String, of entity: EntityID, kind: String, engagement: EntityID
    ) throws(StoreError) -> Change {
        let key = FieldKey(entity: entity, field: field)
        let change = writer.write(value, to: key, kind: kind, engagement: engagement, over: try state(of: key))
        _ = try applier.add(change)
        return change
    }

    /// Marks an entity deleted (its `deleted` field becomes 1); `restore` sets it back to 0.
    @discardableResult
    public mutating func delete(_ entity: EntityID, kind: String, engagement: EntityID) throws(StoreError) -> Change {
        try set(.bool(true), Change.deletedField, of: entity, kind: kind, engagement: engagement)
    }

    /// Clears an entity's deletion flag.
    @discardableResult
    public mutating func restore(_ entity: EntityID, kind: String, engagement: EntityID) throws(StoreError) -> Change {
        try set(.bool(false), Change.deletedField, of: entity, kind: kind, engagement: engagement)
    }

    /// The changes written so far in this transaction.
    public var written: [Change] { writer.written }

    /// The entities of some kinds in an engagement, with all their fields, as this transaction
    /// leaves them (its own writes included): what a check before commit reads. Its errors reach
    /// the caller of `Store.write` as `StoreError`.
    public func snapshots(engagement: EntityID, kinds: [String]) throws -> [EntitySnapshot] {
        try rows.snapshots(engagement: engagement, kinds: kinds)
    }

    /// The founding lead recorded for an engagement, if any.
    public func founder(of engagement: EntityID) throws -> ReplicaID? {
        try rows.founder(of: engagement)
    }

    /// Whether `origin` wrote any change to an entity before its change `seq` (in its own chain).
    public func wrote(_ origin: ReplicaID, entity: EntityID, before seq: UInt64) throws -> Bool {
        try rows.wrote(origin, entity: entity, before: seq)
    }

    /// Records this transaction's author as the founding lead of an engagement it founds.
    public func recordFounder(of engagement: EntityID) throws {
        try rows.recordFounder(writer.origin, of: engagement)
    }
}

extension Store {
    /// Whether `origin` wrote any change to an entity with a seq below `seq` (`StateRows.wrote`).
    static func wrote(_ db: Database, _ origin: ReplicaID, entity: EntityID, before seq: UInt64) throws -> Bool {
        var found = false
        try forEachRow(
            db, "SELECT 1 FROM change WHERE origin = ?1 AND seq < ?2 AND entity = ?3 LIMIT 1",
            bind: { statement in
                statement.bind(origin, at: 1)
                statement.bind(Int64(bitPattern: seq), at: 2)
                statement.bind(entity, at: 3)
            }, table: "change"
        ) { _ in found = true }
        return found
    }

    /// Runs one local command as one durable transaction of changes authored by `origin`.
    ///
    /// The changes get the origin's next seqs and fresh stamps from the persisted clock. If
    /// `body` throws, nothing is written.
    ///
    /// - Throws: `StoreError` for the store's own failures, or whatever `body` throws, unchanged.
    public func write<T>(as origin: ReplicaID, _ body: (inout LocalTransaction) throws -> T) throws -> T {
        do {
            return try writing { db in
                try ChangeTransaction.write(
                    as: origin, rows: SQLiteRows(db, path: path), searchableFields: searchableFields, now: clock.now(), body)
            }
        } catch {
            throw translate(error)
        }
    }
}
