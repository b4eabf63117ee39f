import GRDB
import Replication

/// What `Store.apply` did.
public struct ApplyReport: Equatable, Sendable {
    /// Changes that were new.
    public var applied = 0
    /// Changes already held, ignored.
    public var duplicates = 0
    /// Changes withheld from this replica, kept as chain placeholders.
    public var withheld = 0
    /// Changes whose stamp was too far ahead of the local clock: kept, but the clock ignored them.
    public var flaggedStamps: [ChangeID] = []

    /// A report of nothing applied yet.
    public init() {}
}

extension Store {
    /// Applies changes from other replicas in one transaction: all or nothing.
    ///
    /// Changes may come in any order, twice, or with gaps; the resulting state depends only on the
    /// set of changes held. The clock moves past every accepted remote stamp; a stamp more than
    /// the drift allowance ahead of the wall clock is recorded in `clock_flag` instead.
    ///
    /// - Complexity: O(n) statements for n changes, plus O(g) for changes that close a gap of g.
    /// - Throws: `StoreError.rejected` naming the first invalid change (nothing is applied then),
    ///   or another `StoreError` from SQLite (disk full, busy).
    @discardableResult
    public func apply<Changes: Sequence<Change>>(_ changes: Changes) throws(StoreError) -> ApplyReport {
        try writeTransaction { db in
            try ChangeTransaction.apply(changes, rows: SQLiteRows(db, path: path), searchableFields: searchableFields, now: clock.now())
        }
    }
}
