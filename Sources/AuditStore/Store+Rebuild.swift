import GRDB
import Replication

extension Store {
    /// Drops the materialised state and the derived hashes, and replays the whole log
    /// (`ChangeTransaction.rebuild`, the one rebuild of every backend).
    ///
    /// The result is the same state, byte for byte (`digest()` is unchanged), because the state
    /// is a function of the set of changes in the log.
    ///
    /// - Throws: `StoreError.corruptRow` if a log row cannot be read, or `StoreError.rejected` if
    ///   the log holds changes that contradict each other; the store is unchanged then.
    public func rebuild() throws(StoreError) {
        try writeTransaction { db in
            try ChangeTransaction.rebuild(rows: SQLiteRows(db, path: path), searchableFields: searchableFields)
        }
    }
}
