import GRDB
import Replication

/// A field with more than one visible value.
public struct FieldConflict: Hashable, Sendable {
    /// The entity's kind.
    public let kind: String
    /// The engagement the entity belongs to.
    public let engagement: EntityID
    /// The field in conflict.
    public let key: FieldKey
    /// Every visible value, winner first.
    public let state: FieldState

    /// A conflict as a store read it.
    public init(kind: String, engagement: EntityID, key: FieldKey, state: FieldState) {
        self.kind = kind
        self.engagement = engagement
        self.key = key
        self.state = state
    }
}

/// An entity as the store holds it.
public struct EntityRecord: Hashable, Sendable {
    /// The entity's id.
    public let id: EntityID
    /// The entity's kind, as its first change named it.
    public let kind: String
    /// The engagement the entity belongs to.
    public let engagement: EntityID
    /// Whether the winner of its `deleted` field is true.
    public let deleted: Bool
}

extension Store {
    /// The visible values of one field, winner first; `nil` if nothing was written to it.
    public func state(of key: FieldKey) throws(StoreError) -> FieldState? {
        try readTransaction { db in try ChangeApplier(SQLiteRows(db, path: path)).visibleValues(of: key) }
    }

    /// Every field of an entity with its visible values, sorted by field name.
    public func fields(of entity: EntityID) throws(StoreError) -> [String: FieldState] {
        try readTransaction { db in
            var values: [String: [VisibleValue]] = [:]
            try Self.forEachRow(
                db, "SELECT field, origin, seq, stamp, type, value FROM field_value WHERE entity = ?",
                bind: { $0.bind(entity, at: 1) }, table: "field_value"
            ) { row in
                let id = ChangeID(origin: try ReplicaID(bytes: row.blob(1)), seq: row.uint64(2))
                let value = try ChangeColumns.readValue(row, typeAt: 4, valueAt: 5)
                values[row.text(0), default: []].append(VisibleValue(id: id, stamp: Timestamp(rawValue: row.uint64(3)), value: value))
            }
            return values.compactMapValues { FieldState($0) }
        }
    }

    /// The entity with this id, if any change to it is held.
    public func entity(_ id: EntityID) throws(StoreError) -> EntityRecord? {
        try entities(where: "id = ?", bind: { $0.bind(id, at: 1) }).first
    }

    /// The entities of one kind, in id order (creation order, for UUIDv7 ids).
    public func entities(ofKind kind: String, includingDeleted: Bool = false) throws(StoreError) -> [EntityRecord] {
        try entities(where: includingDeleted ? "kind = ?" : "kind = ? AND deleted = 0", bind: { $0.bind(kind, at: 1) })
    }

    private func entities(where condition: String, bind: @escaping (SQLiteStatement) -> Void) throws(StoreError) -> [EntityRecord] {
        try readTransaction { db in
            var records: [EntityRecord] = []
            try Self.forEachRow(
                db, "SELECT id, kind, engagement, deleted FROM entity WHERE \(condition) ORDER BY id", bind: bind, table: "entity"
            ) { row in
                records.append(EntityRecord(
                    id: try EntityID(bytes: row.blob(0)), kind: row.text(1),
                    engagement: try EntityID(bytes: row.blob(2)), deleted: row.int64(3) != 0))
            }
            return records
        }
    }

    /// Every field with more than one visible value, sorted by entity and field.
    public func conflicts() throws(StoreError) -> [FieldConflict] {
        try readTransaction { db in
            var conflicts: [FieldConflict] = []
            var current: (key: FieldKey, kind: String, engagement: EntityID, values: [VisibleValue])?
            func flush() {
                if let current, let state = FieldState(current.values), state.isConflict {
                    conflicts.append(FieldConflict(kind: current.kind, engagement: current.engagement, key: current.key, state: state))
                }
            }
            try Self.forEachRow(db, """
                SELECT v.entity, v.field, v.origin, v.seq, v.stamp, v.type, v.value, e.kind, e.engagement
                FROM field_value v JOIN entity e ON e.id = v.entity
                WHERE (v.entity, v.field) IN (
                    SELECT entity, field FROM field_value GROUP BY entity, field HAVING COUNT(*) > 1)
                ORDER BY v.entity, v.field
                """, table: "field_value") { row in
                let key = FieldKey(entity: try EntityID(bytes: row.blob(0)), field: row.text(1))
                let value = VisibleValue(
                    id: ChangeID(origin: try ReplicaID(bytes: row.blob(2)), seq: row.uint64(3)),
                    stamp: Timestamp(rawValue: row.uint64(4)),
                    value: try ChangeColumns.readValue(row, typeAt: 5, valueAt: 6))
                if current?.key != key {
                    flush()
                    current = (key, row.text(7), try EntityID(bytes: row.blob(8)), [])
                }
                current?.values.append(value)
            }
            flush()
            return conflicts
        }
    }

    /// How many fields have more than one visible value.
    ///
    /// - Complexity: one scan of the visible values in primary-key order, nothing decoded.
    public func conflictCount() throws(StoreError) -> Int {
        try readTransaction { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM (SELECT 1 FROM field_value GROUP BY entity, field HAVING COUNT(*) > 1)
                """) ?? 0
        }
    }

    /// Per origin, the highest seq held without gaps.
    public func vector() throws(StoreError) -> VersionVector {
        try readTransaction { db in try Self.vector(db) }
    }

    /// Per origin, the highest seq held without gaps, read on `db` (inside its transaction).
    static func vector(_ db: Database) throws -> VersionVector {
        var vector = VersionVector()
        try forEachRow(db, "SELECT replica, contiguous FROM origin", table: "origin") { row in
            vector[try ReplicaID(bytes: row.blob(0))] = row.uint64(1)
        }
        return vector
    }

    /// Every evidence file the visible state references (blob values), sorted.
    public func referencedBlobs() throws(StoreError) -> [BlobDigest] {
        try readTransaction { db in
            var digests: [BlobDigest] = []
            try Self.forEachRow(db, "SELECT DISTINCT value FROM field_value WHERE type = 5 ORDER BY value", table: "field_value") { row in
                digests.append(try BlobDigest(bytes: row.blob(0)))
            }
            return digests
        }
    }

    /// How many entities the store holds.
    public func entityCount() throws(StoreError) -> Int {
        try readTransaction { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM entity") ?? 0 }
    }

    /// How many changes the log holds.
    public func changeCount() throws(StoreError) -> Int {
        try readTransaction { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM change") ?? 0 }
    }

    /// The changes of `origin` with seq above `after`, in seq order, at most `limit` of them.
    public func changes(of origin: ReplicaID, after: UInt64 = 0, limit: Int = .max) throws(StoreError) -> [Change] {
        try readTransaction { db in
            var changes: [Change] = []
            try Self.forEachRow(
                db, "SELECT \(ChangeColumns.selectList) FROM change WHERE origin = ? AND seq > ? ORDER BY seq LIMIT ?",
                bind: {
                    $0.bind(origin, at: 1)
                    $0.bind(after, at: 2)
                    $0.bind(Int64(clamping: limit), at: 3)
                }, table: "change"
            ) { row in changes.append(try ChangeColumns.read(row)) }
            return changes
        }
    }

    /// The stamps flagged as too far ahead of the local clock when they arrived.
    public func flaggedStamps() throws(StoreError) -> [(change: ChangeID, aheadBy: UInt64)] {
        try readTransaction { db in
            var flagged: [(ChangeID, UInt64)] = []
            try Self.forEachRow(db, "SELECT origin, seq, ahead_by FROM clock_flag ORDER BY origin, seq", table: "clock_flag") { row in
                flagged.append((ChangeID(origin: try ReplicaID(bytes: row.blob(0)), seq: row.uint64(1)), row.uint64(2)))
            }
            return flagged
        }
    }
}
