import Replication

/// The write procedures every backend runs inside its own write transaction, over its
/// `StateRows`: remote apply, import and local write. The one home of the clock's receive rule,
/// of which checkpoint and peer vector an import keeps, and of how a local command numbers its
/// changes; a backend only opens, commits or rolls back the transaction around them.
public enum ChangeTransaction {
    /// Applies remote changes (see `Store.apply`), writing their state `stateBatch` changes (by
    /// default the rows' `stateBatch`) at a time sorted by key
    /// (`ChangeApplier.init(_:searchableFields:batched:)`).
    ///
    /// - Throws: `StoreError.rejected` naming the first invalid change, or the backend's error.
    public static func apply<Changes: Sequence<Change>>(
        _ changes: Changes, rows: any StateRows, searchableFields: Set<String>, now: UInt64,
        stateBatch: Int? = nil
    ) throws(StoreError) -> ApplyReport {
        var remote = try RemoteApply(rows, searchableFields: searchableFields, now: now, stateBatch: stateBatch)
        for change in changes { try remote.add(change) }
        return try remote.finish()
    }

    /// Applies a verified bundle's links, keeps its bookkeeping, then lets `authorize` inspect the
    /// resulting state (see `Store.importLinks`).
    ///
    /// - Throws: whatever `next` or `authorize` throws (unchanged), or `StoreError`.
    public static func importLinks(
        _ next: () throws -> SyncLink?, bookkeeping: ImportBookkeeping, authorize: (ImportView) throws -> Void,
        rows: any StateRows, searchableFields: Set<String>, now: UInt64
    ) throws -> ApplyReport {
        var remote = try RemoteApply(rows, searchableFields: searchableFields, now: now)
        while let link = try next() {
            switch link {
            case let .change(change, digest): try remote.add(change, digest: digest)
            case let .withheld(id, content): try remote.addWithheld(id, content: content)
            }
        }
        let report = try remote.finish()
        try quarantine(bookkeeping.forks, rows: rows, searchableFields: searchableFields, now: now)
        try keep(bookkeeping, rows: rows)
        try authorize(ImportView(rows: rows))
        return report
    }

    /// Runs one local command's writes authored by `origin` (see `Store.write(as:_:)`).
    ///
    /// Refused before `body` runs while a peer is known to hold more of `origin` than the store
    /// does (`Sync/PROTOCOL.md` §21.2): the store was restored from an older backup and must catch
    /// up before it numbers new changes.
    ///
    /// The store's head of `origin` is its gap-free chain, placeholders of withheld changes
    /// included: the origin's own changes in an engagement it may no longer read come back to it
    /// as placeholders, and they count, both for the refusal and for numbering the next change.
    ///
    /// - Throws: `StoreError.behindOwnHistory` then; `StoreError`, or whatever `body` throws, unchanged.
    public static func write<T>(
        as origin: ReplicaID, rows: any StateRows, searchableFields: Set<String>, now: UInt64,
        _ body: (inout LocalTransaction) throws -> T
    ) throws -> T {
        let head = try rows.chain(of: origin)?.seq ?? 0
        // A store restored from an older backup writes only once it holds what peers hold of it.
        if let furthest = try rows.furthestPeer(of: origin), furthest.seq > head {
            throw StoreError.behindOwnHistory(head: head, heldThrough: furthest.seq, heldBy: furthest.peer)
        }
        let applier = ChangeApplier(rows, searchableFields: searchableFields)
        var transaction = LocalTransaction(
            rows: rows, applier: applier,
            writer: ChangeWriter(
                origin: origin, lastSeq: head,
                clock: HybridLogicalClock(last: try rows.clockStamp()), now: now))
        let result = try body(&transaction)
        try applier.finish()
        try rows.saveClockStamp(transaction.writer.clock.last)
        return result
    }

    /// Quarantines the forked origins an import found (`Sync/PROTOCOL.md` §21.1): keeps the
    /// bundle's version as evidence, moves every held link of the origin from the fork on out of
    /// the log into the evidence, records the fork (the least seq known), and, if the log changed,
    /// rebuilds the state from it, so the state is the same whichever version arrived first.
    static func quarantine(_ forks: [ForkFound], rows: any StateRows, searchableFields: Set<String>, now: UInt64) throws(StoreError) {
        guard !forks.isEmpty else { return }
        var logChanged = false
        for fork in forks {
            let version = fork.version
            let origin = version.id.origin
            try rows.keepForkVersion(version)
            let held = try rows.heldLinks(of: origin, from: version.id.seq, now: now)
            for link in held { try rows.keepForkVersion(link) }
            if !held.isEmpty {
                try rows.deleteLinks(of: origin, from: version.id.seq)
                logChanged = true
            }
            let seq = min(try rows.forkSeq(of: origin) ?? version.id.seq, version.id.seq)
            try rows.recordFork(of: origin, seq: seq, foundAt: now)
        }
        if logChanged { try rebuild(rows: rows, searchableFields: searchableFields) }
    }

    /// Drops the materialised state and replays the whole log into it, then derives every
    /// origin's chain again: the state is a function of the set of changes in the log. The one
    /// rebuild of every backend (`Store.rebuild`, `verify`'s scratch copy, fork quarantine).
    ///
    /// The log is read `page` links at a time in (origin, seq) order, each page read whole before
    /// anything of it is written, and the state is written the rows' `stateBatch` changes at a
    /// time sorted by key: memory stays bounded whatever the size of the log.
    ///
    /// - Throws: `StoreError.rejected` if the log holds changes that contradict each other,
    ///   `StoreError.corruptRow` if a link cannot be read back, or the backend's error.
    static func rebuild(rows: any StateRows, searchableFields: Set<String>, page: Int = 4096) throws(StoreError) {
        try rows.clearState()
        let applier = ChangeApplier(rows, searchableFields: searchableFields, batched: rows.stateBatch)
        var chains: [ReplicaID: OriginChain] = [:]
        var last: ChangeID?
        do {
            while true {
                let links = try rows.logLinks(after: last, limit: page)
                for link in links {
                    switch link {
                    case let .change(change):
                        try change.validate()
                        try applier.materialise(change)
                        // Every origin held gets its chain, even one whose first link is missing
                        // (an empty prefix), as the applier records it when the links arrive.
                        var chain = chains[change.origin] ?? OriginChain(origin: change.origin)
                        if chain.isNext(change.id) { try rows.setRecordedHash(try chain.extend(by: change), of: change.id) }
                        chains[change.origin] = chain
                    case let .placeholder(id, hash):
                        var chain = chains[id.origin] ?? OriginChain(origin: id.origin)
                        if chain.isNext(id) { try chain.adopt(id, recorded: hash) }
                        chains[id.origin] = chain
                    }
                }
                guard links.count == page, let end = links.last?.id else { break }
                last = end
            }
        } catch let error as ReplicationError {
            throw .rejected(error)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .unexpected("\(error)")
        }
        for chain in chains.values { applier.setChain(chain) }
        try applier.finish()
    }

    /// Keeps an import's bookkeeping: the latest checkpoint per origin, and the highest seq each
    /// origin is known to be held by the exporter.
    static func keep(_ bookkeeping: ImportBookkeeping, rows: any StateRows) throws(StoreError) {
        for checkpoint in bookkeeping.checkpoints {
            try rows.rememberCheckpoint(checkpoint)
            if let held = try rows.checkpoint(of: checkpoint.origin), held.seq >= checkpoint.seq { continue }
            try rows.saveCheckpoint(checkpoint)
        }
        for (origin, seq) in bookkeeping.exporterHolds {
            if let held = try rows.peerSeq(of: bookkeeping.exporter, origin: origin), held >= seq { continue }
            try rows.setPeerSeq(seq, of: bookkeeping.exporter, origin: origin)
        }
    }
}

/// Remote changes applied inside one write transaction: the applier, the receive rule of the
/// clock, the flags for stamps too far ahead, and the report. Shared by `apply` and imports.
struct RemoteApply {
    let applier: ChangeApplier
    private let rows: any StateRows
    private var clock: HybridLogicalClock
    private let now: UInt64
    private(set) var report = ApplyReport()

    init(_ rows: any StateRows, searchableFields: Set<String>, now: UInt64, stateBatch: Int? = nil) throws(StoreError) {
        self.rows = rows
        applier = ChangeApplier(rows, searchableFields: searchableFields, batched: stateBatch ?? rows.stateBatch)
        clock = HybridLogicalClock(last: try rows.clockStamp())
        self.now = now
    }

    /// Applies one change (`digest`: its content digest, if already computed); a new one moves the
    /// clock past its stamp, or is flagged.
    mutating func add(_ change: Change, digest: ChangeDigest? = nil) throws(StoreError) {
        switch try applier.add(change, digest: digest) {
        case .duplicate:
            report.duplicates += 1
        case .applied:
            report.applied += 1
            if case let .flagged(aheadBy) = clock.receive(change.stamp, now: now) {
                report.flaggedStamps.append(change.id)
                try rows.flagStamp(of: change.id, aheadBy: aheadBy)
            }
        }
    }

    /// Adds a change withheld from this replica, as a chain placeholder.
    mutating func addWithheld(_ id: ChangeID, content: ContentDigest) throws(StoreError) {
        switch try applier.addRedacted(id, content: content) {
        case .duplicate: report.duplicates += 1
        case .applied: report.withheld += 1
        }
    }

    /// Writes the origins and the clock back; call once before the transaction commits.
    func finish() throws(StoreError) -> ApplyReport {
        try applier.finish()
        try rows.saveClockStamp(clock.last)
        return report
    }
}
