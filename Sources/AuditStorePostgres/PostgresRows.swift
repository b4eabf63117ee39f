import AuditStore
import PostgresNIO
import Replication

/// PostgreSQL's `StateRows`: the rows of one transaction on one connection. Persists and reads
/// only; `ChangeApplier` decides.
///
/// Writers take transaction-scoped advisory locks on what they touch, before they read it: each
/// origin whose chain they read or extend, each engagement they write into or read a roster of,
/// each peer whose holdings they record. So imports for different engagements run in parallel,
/// and two transactions touching one origin or engagement take turns (the second reads what the
/// first committed: no lost update). Two that take the same locks in opposite orders are a
/// deadlock PostgreSQL breaks by aborting one (`StoreError.busy`; an import retries).
///
/// Writes to the log and the state are held back and sent a table at a time, and the reads the
/// laws make per change are answered from what was read in batches (`PostgresRowBuffer`,
/// `PostgresRows+Batch.swift`): whoever runs a write transaction over these rows calls `flush()`
/// before COMMIT.
final class PostgresRows: StateRows {
    let store: PostgresStore
    let connection: PostgresConnection
    /// The locks this transaction holds already.
    private var locked: Set<Int64> = []
    /// Whether the transaction only reads (`REPEATABLE READ READ ONLY`): its snapshot keeps it apart
    /// from the writers already, so it takes no locks, which would hold every import of what it
    /// read waiting for as long as the read lasts (a pinned read lasts a whole export).
    private let readOnly: Bool
    /// The writes held back and the state read (see `PostgresRowBuffer`).
    var buffer: PostgresRowBuffer

    /// `PostgresRowBuffer.importBatch`, not SQLite's larger `ChangeApplier.stateBatch`: the
    /// buffer reads and holds the rows of every entity a batch names, so its memory grows with
    /// the state batch.
    var stateBatch: Int { PostgresRowBuffer.importBatch }

    /// The rows of the transaction open on `connection`, sending held writes `batch` rows at a
    /// time; `readOnly` for a transaction that only reads.
    init(_ store: PostgresStore, _ connection: PostgresConnection, readOnly: Bool = false, batch: Int = PostgresRowBuffer.importBatch) {
        self.store = store
        self.connection = connection
        self.readOnly = readOnly
        buffer = PostgresRowBuffer(batch: batch)
    }

    /// Declares this transaction a writer of the log and state tables (`ROW EXCLUSIVE`) before it
    /// reads or caches any of their rows: a rebuild in another transaction (`clearState`'s
    /// `EXCLUSIVE` lock, after a fork's quarantine) then waits for this one to end, or this one
    /// for the rebuild, so a state this transaction read and holds (`PostgresRowBuffer`) is never
    /// rewritten behind it. Writers do not wait for each other here.
    func beginWriting() throws(StoreError) {
        try run("LOCK TABLE entity, field_value, superseded, change, redacted IN ROW EXCLUSIVE MODE")
    }

    /// What an advisory lock is taken on.
    enum Lock: UInt8 {
        case origin = 1, engagement = 2, peer = 3
    }

    /// Takes the advisory lock of one origin, engagement or peer until the transaction ends.
    private func lock(_ kind: Lock, _ bytes: [UInt8]) throws(StoreError) {
        let key = store.lockKey([kind.rawValue] + bytes)
        guard !readOnly, locked.insert(key).inserted else { return }
        try run("SELECT pg_advisory_xact_lock($1)") { $0.int(key) }
    }

    func rows(_ sql: String, _ fill: (inout Binds) -> Void = { _ in }) throws(StoreError) -> [Cells] {
        try store.query(connection, sql, Binds.with(fill))
    }

    @discardableResult
    func run(_ sql: String, _ fill: (inout Binds) -> Void = { _ in }) throws(StoreError) -> Int {
        try store.execute(connection, sql, Binds.with(fill))
    }

    func exists(_ sql: String, _ fill: (inout Binds) -> Void) throws(StoreError) -> Bool {
        try !rows(sql, fill).isEmpty
    }

    // MARK: - The log

    /// Held back until the log's batch is sent; whether it is held already is read a window of
    /// seqs at a time (`isHeld`).
    func insertChange(_ change: Change, hash: ChangeHash?) throws(StoreError) -> Bool {
        try lock(.engagement, change.engagement.bytes)
        // Taken already by whoever read the chain first; it keeps the origin's window of seqs true.
        try lock(.origin, change.origin.bytes)
        guard try !isHeld(change.id) else { return false }
        buffer.changes[change.id] = (change, hash)
        buffer.windows[change.origin]?.held.insert(change.seq)
        if buffer.upcoming.count < buffer.cachedEntities { buffer.upcoming.insert(change.entity) }
        if buffer.changes.count >= buffer.batch { try flushLog() }
        return true
    }

    func change(_ id: ChangeID) throws(StoreError) -> Change? {
        if let held = buffer.changes[id] { return held.change }
        return try rows("SELECT \(PostgresColumns.changeList) FROM change WHERE origin = $1 AND seq = $2") { $0.id(id) }.first?.change()
    }

    func recordedHash(of id: ChangeID) throws(StoreError) -> ChangeHash? {
        if let held = buffer.changes[id] { return held.hash }
        if let hash = buffer.hashes[id] { return hash }
        guard let row = try rows("SELECT hash FROM change WHERE origin = $1 AND seq = $2", { $0.id(id) }).first, !row.isNull(0) else {
            return nil
        }
        return try? ChangeHash(bytes: row.bytes(0))
    }

    func setRecordedHash(_ hash: ChangeHash, of id: ChangeID) throws(StoreError) {
        if buffer.changes[id] != nil {
            buffer.changes[id]?.hash = hash
            return
        }
        buffer.hashes[id] = hash
        if buffer.hashes.count >= buffer.batch { try flushLog() }
    }

    func hasChanges(of origin: ReplicaID, after seq: UInt64) throws(StoreError) -> Bool {
        if buffer.changes.keys.contains(where: { $0.origin == origin && $0.seq > seq }) { return true }
        return try exists("SELECT 1 FROM change WHERE origin = $1 AND seq > $2 LIMIT 1") {
            $0.bytes(origin.bytes)
            $0.uint(seq)
        }
    }

    // MARK: - Placeholders

    func placeholderHash(of id: ChangeID) throws(StoreError) -> ChangeHash? {
        guard let row = try rows("SELECT hash FROM redacted WHERE origin = $1 AND seq = $2", { $0.id(id) }).first else { return nil }
        return try? ChangeHash(bytes: row.bytes(0))
    }

    func insertPlaceholder(_ id: ChangeID, content: ContentDigest, hash: ChangeHash) throws(StoreError) {
        try run("INSERT INTO redacted (origin, seq, content, hash) VALUES ($1, $2, $3, $4)") {
            $0.id(id)
            $0.bytes(content.bytes)
            $0.bytes(hash.bytes)
        }
    }

    func deletePlaceholder(_ id: ChangeID) throws(StoreError) {
        try run("DELETE FROM redacted WHERE origin = $1 AND seq = $2") { $0.id(id) }
    }

    func hasPlaceholders(of origin: ReplicaID) throws(StoreError) -> Bool {
        try exists("SELECT 1 FROM redacted WHERE origin = $1 LIMIT 1") { $0.bytes(origin.bytes) }
    }

    // MARK: - Origins

    func chain(of origin: ReplicaID) throws(StoreError) -> OriginChain? {
        try lock(.origin, origin.bytes)
        guard let row = try rows("SELECT contiguous, head FROM origin WHERE replica = $1", { $0.bytes(origin.bytes) }).first else {
            return nil
        }
        return OriginChain(origin: origin, seq: try row.uint64(0), head: try row.hash(1, table: "origin"))
    }

    func saveChain(_ chain: OriginChain) throws(StoreError) {
        try run("""
            INSERT INTO origin (replica, contiguous, head) VALUES ($1, $2, $3)
            ON CONFLICT (replica) DO UPDATE SET contiguous = excluded.contiguous, head = excluded.head
            """) {
            $0.bytes(chain.origin.bytes)
            $0.uint(chain.seq)
            $0.bytes(chain.head.bytes)
        }
    }

    // MARK: - Entities and visible values

    // Reads load the entity's state with the upcoming entities' (`load`); writes are held back
    // until the state's batch is sent, and kept in what was loaded.

    func entity(_ id: EntityID) throws(StoreError) -> (kind: String, engagement: EntityID)? {
        try load(id)
        return buffer.entityRows[id]
    }

    func insertEntity(_ id: EntityID, kind: String, engagement: EntityID) throws(StoreError) {
        buffer.entities[id] = (kind, engagement)
        if buffer.loaded.contains(id) { buffer.entityRows[id] = (kind, engagement) }
        try flushStateIfFull()
    }

    func setDeleted(_ deleted: Bool, entity: EntityID) throws(StoreError) {
        buffer.deletedFlags[entity] = deleted
        try flushStateIfFull()
    }

    func visibleValues(of key: FieldKey) throws(StoreError) -> [VisibleValue] {
        try load(key.entity)
        return buffer.visibleRows[key] ?? []
    }

    func insertVisible(_ value: VisibleValue, of key: FieldKey) throws(StoreError) {
        buffer.insertVisible(value, of: key)
        try flushStateIfFull()
    }

    func deleteVisible(_ id: ChangeID, of key: FieldKey) throws(StoreError) {
        buffer.deleteVisible(id, of: key)
        try flushStateIfFull()
    }

    func insertSuperseded(_ id: ChangeID, of key: FieldKey) throws(StoreError) {
        buffer.insertSuperseded(id, of: key)
        try flushStateIfFull()
    }

    func isSuperseded(_ id: ChangeID, of key: FieldKey) throws(StoreError) -> Bool {
        try load(key.entity)
        return buffer.supersededRows[key]?.contains(id) ?? false
    }

    /// Search reads the visible text values themselves (`PostgresStore.search`): nothing to index.
    func indexText(_ text: String, of key: FieldKey, by id: ChangeID) throws(StoreError) {}

    // MARK: - Bookkeeping

    /// The greatest stamp any committed transaction saved (each saves its own row, so writers
    /// never wait for each other on the clock).
    func clockStamp() throws(StoreError) -> Timestamp {
        guard let row = try rows("SELECT max(stamp) FROM clock_stamp").first, !row.isNull(0) else { return .zero }
        return Timestamp(rawValue: try row.uint64(0))
    }

    func saveClockStamp(_ stamp: Timestamp) throws(StoreError) {
        try run("INSERT INTO clock_stamp (stamp) VALUES ($1)") { $0.uint(stamp.rawValue) }
    }

    func flagStamp(of id: ChangeID, aheadBy: UInt64) throws(StoreError) {
        try run("INSERT INTO clock_flag (origin, seq, ahead_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING") {
            $0.id(id)
            $0.uint(aheadBy)
        }
    }

    func founder(of engagement: EntityID) throws(StoreError) -> ReplicaID? {
        try lock(.engagement, engagement.bytes)
        guard let row = try rows("SELECT founder FROM engagement_root WHERE engagement = $1", { $0.bytes(engagement.bytes) }).first else {
            return nil
        }
        return try? ReplicaID(bytes: row.bytes(0))
    }

    func wrote(_ origin: ReplicaID, entity: EntityID, before seq: UInt64) throws(StoreError) -> Bool {
        try flushLog()
        return try !rows("SELECT 1 FROM change WHERE origin = $1 AND seq < $2 AND entity = $3 LIMIT 1") {
            $0.bytes(origin.bytes)
            $0.uint(seq)
            $0.bytes(entity.bytes)
        }.isEmpty
    }

    func deletions(engagement: EntityID, kind: String, origin: ReplicaID, from seq: UInt64) throws(StoreError) -> [(id: ChangeID, entity: EntityID)] {
        try flushLog()
        let found = try rows(
            "SELECT seq, entity FROM change WHERE origin = $1 AND seq >= $2 AND field = $3 AND engagement = $4 AND kind = $5 ORDER BY seq"
        ) {
            $0.bytes(origin.bytes)
            $0.uint(seq)
            $0.text(Change.deletedField)
            $0.bytes(engagement.bytes)
            $0.text(kind)
        }
        var deletions: [(id: ChangeID, entity: EntityID)] = []
        for row in found {
            guard let entity = try? EntityID(bytes: row.bytes(1)) else { continue }
            deletions.append((ChangeID(origin: origin, seq: try row.uint64(0)), entity))
        }
        return deletions
    }

    func recordFounder(_ founder: ReplicaID, of engagement: EntityID) throws(StoreError) {
        try lock(.engagement, engagement.bytes)
        try run("INSERT INTO engagement_root (engagement, founder) VALUES ($1, $2) ON CONFLICT DO NOTHING") {
            $0.bytes(engagement.bytes)
            $0.bytes(founder.bytes)
        }
    }

    func snapshots(engagement: EntityID, kinds: [String]) throws(StoreError) -> [EntitySnapshot] {
        try lock(.engagement, engagement.bytes)
        try flushState()
        return try store.snapshots(connection, where: "e.engagement = $1 AND e.kind = ANY($2)") {
            $0.bytes(engagement.bytes)
            $0.texts(kinds)
        }
    }

    func checkpoint(of origin: ReplicaID) throws(StoreError) -> StoredCheckpoint? {
        try lock(.origin, origin.bytes)
        return try store.checkpoint(connection, of: origin)
    }

    func saveCheckpoint(_ checkpoint: StoredCheckpoint) throws(StoreError) {
        try run("""
            INSERT INTO checkpoint (origin, seq, hash, public_key, signature) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (origin) DO UPDATE SET seq = excluded.seq, hash = excluded.hash,
                public_key = excluded.public_key, signature = excluded.signature
            """) {
            $0.bytes(checkpoint.origin.bytes)
            $0.uint(checkpoint.seq)
            $0.bytes(checkpoint.hash.bytes)
            $0.bytes(checkpoint.publicKey)
            $0.bytes(checkpoint.signature)
        }
    }

    func peerSeq(of peer: ReplicaID, origin: ReplicaID) throws(StoreError) -> UInt64? {
        try lock(.peer, peer.bytes)
        return try rows("SELECT seq FROM peer_vector WHERE peer = $1 AND origin = $2") {
            $0.bytes(peer.bytes)
            $0.bytes(origin.bytes)
        }.first?.uint64(0)
    }

    func setPeerSeq(_ seq: UInt64, of peer: ReplicaID, origin: ReplicaID) throws(StoreError) {
        try run("""
            INSERT INTO peer_vector (peer, origin, seq) VALUES ($1, $2, $3)
            ON CONFLICT (peer, origin) DO UPDATE SET seq = excluded.seq
            """) {
            $0.bytes(peer.bytes)
            $0.bytes(origin.bytes)
            $0.uint(seq)
        }
    }

    func furthestPeer(of origin: ReplicaID) throws(StoreError) -> (peer: ReplicaID, seq: UInt64)? {
        guard let row = try rows("SELECT peer, seq FROM peer_vector WHERE origin = $1 ORDER BY seq DESC, peer LIMIT 1", {
            $0.bytes(origin.bytes)
        }).first else { return nil }
        return (try row.replica(0, table: "peer_vector"), try row.uint64(1))
    }

    // MARK: - Fork quarantine

    func rememberCheckpoint(_ checkpoint: StoredCheckpoint) throws(StoreError) {
        try run("""
            INSERT INTO checkpoint_seen (origin, seq, hash, public_key, signature) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT DO NOTHING
            """) {
            $0.bytes(checkpoint.origin.bytes)
            $0.uint(checkpoint.seq)
            $0.bytes(checkpoint.hash.bytes)
            $0.bytes(checkpoint.publicKey)
            $0.bytes(checkpoint.signature)
        }
    }

    func forkSeq(of origin: ReplicaID) throws(StoreError) -> UInt64? {
        try lock(.origin, origin.bytes)
        return try rows("SELECT seq FROM fork WHERE origin = $1") { $0.bytes(origin.bytes) }.first?.uint64(0)
    }

    func recordFork(of origin: ReplicaID, seq: UInt64, foundAt: UInt64) throws(StoreError) {
        try run("""
            INSERT INTO fork (origin, seq, found_at) VALUES ($1, $2, $3)
            ON CONFLICT (origin) DO UPDATE SET seq = excluded.seq
            """) {
            $0.bytes(origin.bytes)
            $0.uint(seq)
            $0.uint(foundAt)
        }
    }

    func keepForkVersion(_ version: ForkVersion) throws(StoreError) {
        try run("""
            INSERT INTO fork_version (origin, seq, content, hash, canonical, relayed_by, received_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING
            """) {
            $0.id(version.id)
            $0.bytes(version.content.bytes)
            if let hash = version.hash { $0.bytes(hash.bytes) } else { $0.null() }
            if let canonical = version.canonical { $0.bytes(canonical) } else { $0.null() }
            if let relayedBy = version.relayedBy { $0.bytes(relayedBy.bytes) } else { $0.null() }
            $0.uint(version.receivedAt)
        }
    }

    func heldLinks(of origin: ReplicaID, from seq: UInt64, now: UInt64) throws(StoreError) -> [ForkVersion] {
        try lock(.origin, origin.bytes)
        try flushLog()
        var held: [ForkVersion] = []
        for row in try rows("SELECT \(PostgresColumns.changeList), hash FROM change WHERE origin = $1 AND seq >= $2 ORDER BY seq", {
            $0.bytes(origin.bytes)
            $0.uint(seq)
        }) {
            let change = try row.change()
            let hashColumn = 11  // after the eleven columns of `changeList`
            held.append(ForkVersion(
                id: change.id, content: change.contentDigest, hash: row.isNull(hashColumn) ? nil : try row.hash(hashColumn, table: "change"),
                canonical: change.canonicalEncoding(), relayedBy: nil, receivedAt: now))
        }
        for row in try rows("SELECT seq, content, hash FROM redacted WHERE origin = $1 AND seq >= $2 ORDER BY seq", {
            $0.bytes(origin.bytes)
            $0.uint(seq)
        }) {
            let content = try row.read("redacted") { () throws(ReplicationError) in try ContentDigest(bytes: row.bytes(1)) }
            held.append(ForkVersion(
                id: ChangeID(origin: origin, seq: try row.uint64(0)), content: content, hash: try row.hash(2, table: "redacted"),
                canonical: nil, relayedBy: nil, receivedAt: now))
        }
        return held
    }

    func deleteLinks(of origin: ReplicaID, from seq: UInt64) throws(StoreError) {
        try lock(.origin, origin.bytes)
        try flushLog()
        for table in ["change", "redacted"] {
            try run("DELETE FROM \(table) WHERE origin = $1 AND seq >= $2") {
                $0.bytes(origin.bytes)
                $0.uint(seq)
            }
        }
        buffer.windows[origin] = nil
    }

    func clearState() throws(StoreError) {
        // The whole state is rewritten: no other writer may read or write it meanwhile.
        try run("LOCK TABLE entity, field_value, superseded, origin, change, redacted IN EXCLUSIVE MODE")
        try flush()
        for table in ["entity", "field_value", "superseded", "origin"] { try run("DELETE FROM \(table)") }
        try run("UPDATE change SET hash = NULL")
        buffer.forgetState()
    }

    func logLinks(after: ChangeID?, limit: Int) throws(StoreError) -> [LogLink] {
        try flushLog()
        // Each table's next page by its primary key, then the two merged; an empty origin sorts
        // before every origin, so ('', 0) starts at the first link.
        let fill: (inout Binds) -> Void = {
            $0.bytes(after?.origin.bytes ?? [])
            $0.uint(after?.seq ?? 0)
            $0.int(Int64(limit))
        }
        var links: [LogLink] = []
        for row in try rows("SELECT \(PostgresColumns.changeList) FROM change WHERE (origin, seq) > ($1, $2) ORDER BY origin, seq LIMIT $3", fill) {
            links.append(.change(try row.change()))
        }
        var redacted: [LogLink] = []
        for row in try rows("SELECT origin, seq, hash FROM redacted WHERE (origin, seq) > ($1, $2) ORDER BY origin, seq LIMIT $3", fill) {
            redacted.append(.placeholder(try row.changeID(0, table: "redacted"), try row.hash(2, table: "redacted")))
        }
        guard !redacted.isEmpty else { return links }
        // In (origin, seq) order, placeholders among the changes; bytea orders as bytes, as ReplicaID does.
        return Array((links + redacted).sorted { $0.id < $1.id }.prefix(limit))
    }
}
