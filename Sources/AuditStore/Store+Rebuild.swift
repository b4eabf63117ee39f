import GRDB
import Replication

extension Store {
    /// Drops the materialised state and the derived hashes, and replays the whole log.
    ///
    /// The result is the same state, byte for byte (`digest()` is unchanged), because the state
    /// is a function of the set of changes in the log.
    ///
    /// - Throws: `StoreError.corruptRow` if a log row cannot be read, or `StoreError.rejected` if
    ///   the log holds changes that contradict each other; the store is unchanged then.
    public func rebuild() throws(StoreError) {
        try writeTransaction { db in try Self.rebuild(db, path: path, searchableFields: searchableFields) }
    }

    /// Replays the log into empty materialised tables, then derives every origin's chain again.
    static func rebuild(_ db: Database, path: String, searchableFields: Set<String>) throws {
        try db.execute(sql: """
            DELETE FROM entity; DELETE FROM field_value; DELETE FROM superseded; DELETE FROM origin; DELETE FROM search;
            UPDATE change SET hash = NULL;
            """)
        let rows = try SQLiteRows(db, path: path)
        let applier = ChangeApplier(rows, searchableFields: searchableFields)
        try forEachRow(db, "SELECT \(ChangeColumns.selectList) FROM change", table: "change") { row in
            let change = try ChangeColumns.read(row)
            try change.validate()
            try applier.materialise(change)
        }
        // The log is written only once the scan above has finished reading it.
        let derived = try deriveChains(db)
        for (id, hash) in derived.hashes { try rows.setRecordedHash(hash, of: id) }
        for chain in derived.chains.values { applier.setChain(chain) }
        try applier.finish()
    }
}
