import GRDB
import Replication

extension Store {
    /// The digest of the whole materialised state, in the canonical order of `Sync/PROTOCOL.md`.
    ///
    /// Equal for every replica holding the same set of changes, and equal to
    /// `ReplicatedState.digest()` over those changes.
    ///
    /// - Complexity: one ordered scan of each materialised table.
    public func digest() throws(StoreError) -> StateDigest {
        try readTransaction { db in try Self.digest(db) }
    }

    static func digest(_ db: Database) throws -> StateDigest {
        var builder = StateDigest.Builder()
        try forEachRow(db, "SELECT id, kind, engagement, deleted FROM entity ORDER BY id", table: "entity") { row in
            builder.addEntity(
                try EntityID(bytes: row.blob(0)), kind: row.text(1),
                engagement: try EntityID(bytes: row.blob(2)), deleted: row.int64(3) != 0)
        }
        try forEachRow(db, """
            SELECT entity, field, origin, seq, stamp, type, value FROM field_value
            ORDER BY entity, field, origin, seq
            """, table: "field_value") { row in
            let key = FieldKey(entity: try EntityID(bytes: row.blob(0)), field: row.text(1))
            let id = ChangeID(origin: try ReplicaID(bytes: row.blob(2)), seq: row.uint64(3))
            let value = try ChangeColumns.readValue(row, typeAt: 5, valueAt: 6)
            builder.addVisible(key, VisibleValue(id: id, stamp: Timestamp(rawValue: row.uint64(4)), value: value))
        }
        try forEachRow(db, "SELECT entity, field, origin, seq FROM superseded ORDER BY entity, field, origin, seq", table: "superseded") { row in
            let key = FieldKey(entity: try EntityID(bytes: row.blob(0)), field: row.text(1))
            builder.addSuperseded(key, ChangeID(origin: try ReplicaID(bytes: row.blob(2)), seq: row.uint64(3)))
        }
        try forEachRow(db, "SELECT replica, contiguous, head FROM origin ORDER BY replica", table: "origin") { row in
            builder.addOrigin(
                try ReplicaID(bytes: row.blob(0)), contiguous: row.uint64(1), head: try ChangeHash(bytes: row.blob(2)))
        }
        return builder.finalize()
    }

    /// Steps through every row of a query, turning a value that cannot be read into `corruptRow`.
    static func forEachRow(
        _ db: Database, _ sql: String, bind: (SQLiteStatement) -> Void = { _ in }, table: String,
        _ body: (SQLiteStatement) throws -> Void
    ) throws {
        let statement = try SQLiteStatement(db, sql)
        bind(statement)
        defer { statement.reset() }
        while try statement.step() {
            do {
                try body(statement)
            } catch let error as ReplicationError {
                throw StoreError.corruptRow(table: table, reason: error.description)
            }
        }
    }
}
