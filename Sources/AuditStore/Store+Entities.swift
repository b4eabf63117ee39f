import GRDB
import Replication

extension Store {
    /// Every entity of an engagement (the engagement itself included) with all its fields.
    ///
    /// - Complexity: one indexed scan of the engagement's entities and their visible values.
    public func snapshots(engagement: EntityID) throws(StoreError) -> [EntitySnapshot] {
        try snapshots(where: "e.engagement = ?", bind: { $0.bind(engagement, at: 1) })
    }

    /// The entities of some kinds in an engagement, with all their fields (rosters need only the
    /// engagement and its members, not its thousands of notes).
    public func snapshots(engagement: EntityID, kinds: [String]) throws(StoreError) -> [EntitySnapshot] {
        try readTransaction { db in try Self.snapshots(db, engagement: engagement, kinds: kinds) }
    }

    /// The entities of some kinds in an engagement, read on a connection already in a transaction.
    static func snapshots(_ db: Database, engagement: EntityID, kinds: [String]) throws -> [EntitySnapshot] {
        let placeholders = kinds.map { _ in "?" }.joined(separator: ", ")
        return try snapshots(db, where: "e.engagement = ? AND e.kind IN (\(placeholders))", bind: { statement in
            statement.bind(engagement, at: 1)
            for (index, kind) in kinds.enumerated() { statement.bind(kind, at: Int32(index + 2)) }
        })
    }

    /// Every entity of a kind, in every engagement, with all its fields.
    public func snapshots(ofKind kind: String) throws(StoreError) -> [EntitySnapshot] {
        try snapshots(where: "e.kind = ?", bind: { $0.bind(kind, at: 1) })
    }

    /// One entity with all its fields, if held.
    public func snapshot(_ id: EntityID) throws(StoreError) -> EntitySnapshot? {
        try snapshots(where: "e.id = ?", bind: { $0.bind(id, at: 1) }).first
    }

    private func snapshots(where condition: String, bind: @escaping (SQLiteStatement) -> Void) throws(StoreError) -> [EntitySnapshot] {
        try readTransaction { db in try Self.snapshots(db, where: condition, bind: bind) }
    }

    static func snapshots(_ db: Database, where condition: String, bind: @escaping (SQLiteStatement) -> Void) throws -> [EntitySnapshot] {
        var snapshots: [EntitySnapshot] = []
        var current: (record: (id: EntityID, kind: String, engagement: EntityID, deleted: Bool), values: [String: [VisibleValue]])?
        func flush() {
            guard let current else { return }
            snapshots.append(EntitySnapshot(
                id: current.record.id, kind: current.record.kind, engagement: current.record.engagement,
                deleted: current.record.deleted, fields: current.values.compactMapValues { FieldState($0) }))
        }
        try Self.forEachRow(db, """
            SELECT e.id, e.kind, e.engagement, e.deleted, v.field, v.origin, v.seq, v.stamp, v.type, v.value
            FROM entity e LEFT JOIN field_value v ON v.entity = e.id
            WHERE \(condition)
            ORDER BY e.id
            """, bind: bind, table: "entity") { row in
            let id = try EntityID(bytes: row.blob(0))
            if current?.record.id != id {
                flush()
                current = ((id, row.text(1), try EntityID(bytes: row.blob(2)), row.int64(3) != 0), [:])
            }
            guard !row.isNull(4) else { return }
            let value = VisibleValue(
                id: ChangeID(origin: try ReplicaID(bytes: row.blob(5)), seq: row.uint64(6)),
                stamp: Timestamp(rawValue: row.uint64(7)), value: try ChangeColumns.readValue(row, typeAt: 8, valueAt: 9))
            current?.values[row.text(4), default: []].append(value)
        }
        flush()
        return snapshots
    }

    /// The changes to one entity, oldest stamp first: its whole history, superseded values included.
    public func history(of entity: EntityID) throws(StoreError) -> [Change] {
        try readTransaction { db in
            var changes: [Change] = []
            try Self.forEachRow(
                db, "SELECT \(ChangeColumns.selectList) FROM change WHERE entity = ? ORDER BY stamp, origin, seq",
                bind: { $0.bind(entity, at: 1) }, table: "change"
            ) { row in changes.append(try ChangeColumns.read(row)) }
            return changes
        }
    }

    /// The most recent changes of an engagement, newest first.
    public func recentChanges(engagement: EntityID, limit: Int) throws(StoreError) -> [Change] {
        try readTransaction { db in
            var changes: [Change] = []
            try Self.forEachRow(
                db, "SELECT \(ChangeColumns.selectList) FROM change WHERE engagement = ? ORDER BY stamp DESC, origin, seq LIMIT ?",
                bind: {
                    $0.bind(engagement, at: 1)
                    $0.bind(Int64(clamping: limit), at: 2)
                }, table: "change"
            ) { row in changes.append(try ChangeColumns.read(row)) }
            return changes
        }
    }

    /// How many changes `origin` wrote with seq above `seq`.
    public func changeCount(of origin: ReplicaID, after seq: UInt64) throws(StoreError) -> Int {
        try readTransaction { db in
            let statement = try SQLiteStatement(db, "SELECT COUNT(*) FROM change WHERE origin = ? AND seq > ?")
            statement.bind(origin, at: 1)
            statement.bind(seq, at: 2)
            defer { statement.reset() }
            return try statement.step() ? Int(statement.int64(0)) : 0
        }
    }
}
