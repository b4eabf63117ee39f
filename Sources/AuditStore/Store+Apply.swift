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
            let applier = try ChangeApplier(db, searchableFields: searchableFields)
            let flag = try SQLiteStatement(db, "INSERT OR IGNORE INTO clock_flag (origin, seq, ahead_by) VALUES (?, ?, ?)")
            var clock = try loadClock(db)
            let now = self.clock.now()
            var report = ApplyReport()
            for change in changes {
                switch try applier.add(change) {
                case .duplicate:
                    report.duplicates += 1
                case .applied:
                    report.applied += 1
                    if case let .flagged(aheadBy) = clock.receive(change.stamp, now: now) {
                        report.flaggedStamps.append(change.id)
                        flag.bind(blob: change.origin.bytes, at: 1)
                        flag.bind(change.seq, at: 2)
                        flag.bind(aheadBy, at: 3)
                        try flag.run()
                    }
                }
            }
            try applier.finish()
            try saveClock(clock, db)
            return report
        }
    }
}
