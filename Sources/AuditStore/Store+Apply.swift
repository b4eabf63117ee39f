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
            var remote = try RemoteApply(db, store: self)
            for change in changes { try remote.add(change) }
            return try remote.finish()
        }
    }
}

/// Remote changes applied inside one write transaction: the applier, the receive rule of the
/// clock, the flags for stamps too far ahead, and the report. Shared by `apply` and imports.
struct RemoteApply {
    let applier: ChangeApplier
    private let flag: SQLiteStatement
    private let db: Database
    private let store: Store
    private var clock: HybridLogicalClock
    private let now: UInt64
    private(set) var report = ApplyReport()

    init(_ db: Database, store: Store) throws {
        self.db = db
        self.store = store
        applier = try ChangeApplier(db, searchableFields: store.searchableFields)
        flag = try SQLiteStatement(db, "INSERT OR IGNORE INTO clock_flag (origin, seq, ahead_by) VALUES (?, ?, ?)")
        clock = try store.loadClock(db)
        now = store.clock.now()
    }

    /// Applies one change; a new one moves the clock past its stamp, or is flagged.
    mutating func add(_ change: Change) throws {
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

    /// Adds a change withheld from this replica, as a chain placeholder.
    mutating func addWithheld(_ id: ChangeID, content: ContentDigest) throws {
        switch try applier.addRedacted(id, content: content) {
        case .duplicate: report.duplicates += 1
        case .applied: report.withheld += 1
        }
    }

    /// Writes the origins and the clock back; call once before the transaction commits.
    func finish() throws -> ApplyReport {
        try applier.finish()
        try store.saveClock(clock, db)
        return report
    }
}
