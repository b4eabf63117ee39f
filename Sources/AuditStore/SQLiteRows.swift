import Foundation
import GRDB
import Replication

/// SQLite's `StateRows`: prepared statements on the raw connection of one GRDB access block.
///
/// Persists and reads only; `ChangeApplier` decides. Use it only inside the access block of `db`,
/// and let it go before the block returns.
final class SQLiteRows: StateRows {
    private let db: Database
    private let path: String
    private let insertChangeStatement: SQLiteStatement
    private let selectChange: SQLiteStatement
    private let selectHash: SQLiteStatement
    private let updateHash: SQLiteStatement
    private let selectEntity: SQLiteStatement
    private let insertEntityStatement: SQLiteStatement
    private let insertSupersededStatement: SQLiteStatement
    private let deleteVisibleStatement: SQLiteStatement
    private let probeSuperseded: SQLiteStatement
    private let insertVisibleStatement: SQLiteStatement
    private let selectVisible: SQLiteStatement
    private let selectRedacted: SQLiteStatement
    private let anyRedacted: SQLiteStatement
    private let selectOrigin: SQLiteStatement
    private let probeBeyond: SQLiteStatement
    /// The statements off the hot path, prepared on first use.
    private var prepared: [String: SQLiteStatement] = [:]
    /// The full-text insert, prepared on first use (a store without searchable fields never does).
    private var insertSearch: SQLiteStatement?

    /// Rows of the store at `path` (for messages), on the connection `db`.
    init(_ db: Database, path: String) throws(StoreError) {
        self.db = db
        self.path = path
        insertChangeStatement = try SQLiteStatement(db, """
            INSERT INTO change (\(ChangeColumns.selectList), hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
            ON CONFLICT (origin, seq) DO NOTHING
            """)
        selectChange = try SQLiteStatement(db, "SELECT \(ChangeColumns.selectList) FROM change WHERE origin = ? AND seq = ?")
        selectHash = try SQLiteStatement(db, "SELECT hash FROM change WHERE origin = ? AND seq = ?")
        updateHash = try SQLiteStatement(db, "UPDATE change SET hash = ? WHERE origin = ? AND seq = ?")
        selectEntity = try SQLiteStatement(db, "SELECT kind, engagement FROM entity WHERE id = ?")
        insertEntityStatement = try SQLiteStatement(db, "INSERT INTO entity (id, kind, engagement) VALUES (?, ?, ?)")
        insertSupersededStatement = try SQLiteStatement(db, "INSERT OR IGNORE INTO superseded (entity, field, origin, seq) VALUES (?, ?, ?, ?)")
        deleteVisibleStatement = try SQLiteStatement(db, "DELETE FROM field_value WHERE entity = ? AND field = ? AND origin = ? AND seq = ?")
        probeSuperseded = try SQLiteStatement(db, "SELECT 1 FROM superseded WHERE entity = ? AND field = ? AND origin = ? AND seq = ?")
        insertVisibleStatement = try SQLiteStatement(db, """
            INSERT INTO field_value (entity, field, origin, seq, stamp, type, value) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        selectVisible = try SQLiteStatement(db, "SELECT origin, seq, stamp, type, value FROM field_value WHERE entity = ? AND field = ?")
        selectRedacted = try SQLiteStatement(db, "SELECT hash FROM redacted WHERE origin = ? AND seq = ?")
        anyRedacted = try SQLiteStatement(db, "SELECT 1 FROM redacted WHERE origin = ? LIMIT 1")
        selectOrigin = try SQLiteStatement(db, "SELECT contiguous, head FROM origin WHERE replica = ?")
        probeBeyond = try SQLiteStatement(db, "SELECT 1 FROM change WHERE origin = ? AND seq > ? LIMIT 1")
    }

    /// A statement off the hot path, prepared once per transaction.
    private func statement(_ sql: String) throws(StoreError) -> SQLiteStatement {
        if let statement = prepared[sql] { return statement }
        let statement = try SQLiteStatement(db, sql)
        prepared[sql] = statement
        return statement
    }

    /// Binds a change id to parameters `first` and `first + 1`.
    private func bind(_ id: ChangeID, to statement: SQLiteStatement, at first: Int32 = 1) {
        statement.bind(id.origin, at: first)
        statement.bind(id.seq, at: first + 1)
    }

    /// Binds (entity, field, origin, seq) to parameters 1…4.
    private func bind(_ key: FieldKey, _ id: ChangeID, to statement: SQLiteStatement) {
        statement.bind(key.entity, at: 1)
        statement.bind(key.field, at: 2)
        bind(id, to: statement, at: 3)
    }

    /// Reads the first column of the row found, if any, as a chain hash.
    private func hash(_ statement: SQLiteStatement) throws(StoreError) -> ChangeHash? {
        defer { statement.reset() }
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return try? ChangeHash(bytes: statement.blob(0))
    }

    /// Whether the statement finds a row.
    private func probe(_ statement: SQLiteStatement) throws(StoreError) -> Bool {
        defer { statement.reset() }
        return try statement.step()
    }

    /// Runs GRDB work on the connection, mapping its errors to `StoreError`.
    private func grdb<T>(_ body: () throws -> T) throws(StoreError) -> T {
        do { return try body() } catch {
            throw Store.classify(error, at: path) ?? (error as? StoreError) ?? .unexpected(String(describing: error))
        }
    }

    // MARK: - The log

    func insertChange(_ change: Change, hash: ChangeHash?) throws(StoreError) -> Bool {
        ChangeColumns.bind(change, to: insertChangeStatement)
        if let hash { insertChangeStatement.bind(blob: hash.bytes, at: 12) } else { insertChangeStatement.bindNull(at: 12) }
        try insertChangeStatement.run()
        return insertChangeStatement.changedRows == 1
    }

    func change(_ id: ChangeID) throws(StoreError) -> Change? {
        bind(id, to: selectChange)
        defer { selectChange.reset() }
        return try selectChange.step() ? try ChangeColumns.read(selectChange) : nil
    }

    func recordedHash(of id: ChangeID) throws(StoreError) -> ChangeHash? {
        bind(id, to: selectHash)
        return try hash(selectHash)
    }

    func setRecordedHash(_ hash: ChangeHash, of id: ChangeID) throws(StoreError) {
        updateHash.bind(blob: hash.bytes, at: 1)
        bind(id, to: updateHash, at: 2)
        try updateHash.run()
    }

    func hasChanges(of origin: ReplicaID, after seq: UInt64) throws(StoreError) -> Bool {
        probeBeyond.bind(origin, at: 1)
        probeBeyond.bind(seq, at: 2)
        return try probe(probeBeyond)
    }

    // MARK: - Placeholders

    func placeholderHash(of id: ChangeID) throws(StoreError) -> ChangeHash? {
        bind(id, to: selectRedacted)
        return try hash(selectRedacted)
    }

    func insertPlaceholder(_ id: ChangeID, content: ContentDigest, hash: ChangeHash) throws(StoreError) {
        let statement = try statement("INSERT INTO redacted (origin, seq, content, hash) VALUES (?, ?, ?, ?)")
        bind(id, to: statement)
        statement.bind(blob: content.bytes, at: 3)
        statement.bind(blob: hash.bytes, at: 4)
        try statement.run()
    }

    func deletePlaceholder(_ id: ChangeID) throws(StoreError) {
        let statement = try statement("DELETE FROM redacted WHERE origin = ? AND seq = ?")
        bind(id, to: statement)
        try statement.run()
    }

    func hasPlaceholders(of origin: ReplicaID) throws(StoreError) -> Bool {
        anyRedacted.bind(origin, at: 1)
        return try probe(anyRedacted)
    }

    // MARK: - Origins

    func chain(of origin: ReplicaID) throws(StoreError) -> OriginChain? {
        selectOrigin.bind(origin, at: 1)
        defer { selectOrigin.reset() }
        guard try selectOrigin.step() else { return nil }
        do { return OriginChain(origin: origin, seq: selectOrigin.uint64(0), head: try ChangeHash(bytes: selectOrigin.blob(1))) } catch {
            throw .corruptRow(table: "origin", reason: error.description)
        }
    }

    func saveChain(_ chain: OriginChain) throws(StoreError) {
        let statement = try statement("""
            INSERT INTO origin (replica, contiguous, head) VALUES (?, ?, ?)
            ON CONFLICT (replica) DO UPDATE SET contiguous = excluded.contiguous, head = excluded.head
            """)
        statement.bind(chain.origin, at: 1)
        statement.bind(chain.seq, at: 2)
        statement.bind(blob: chain.head.bytes, at: 3)
        try statement.run()
    }

    // MARK: - Entities and visible values

    func entity(_ id: EntityID) throws(StoreError) -> (kind: String, engagement: EntityID)? {
        selectEntity.bind(id, at: 1)
        defer { selectEntity.reset() }
        guard try selectEntity.step() else { return nil }
        do { return (selectEntity.text(0), try EntityID(bytes: selectEntity.blob(1))) } catch {
            throw .corruptRow(table: "entity", reason: error.description)
        }
    }

    func insertEntity(_ id: EntityID, kind: String, engagement: EntityID) throws(StoreError) {
        insertEntityStatement.bind(id, at: 1)
        insertEntityStatement.bind(kind, at: 2)
        insertEntityStatement.bind(engagement, at: 3)
        try insertEntityStatement.run()
    }

    func setDeleted(_ deleted: Bool, entity: EntityID) throws(StoreError) {
        let statement = try statement("UPDATE entity SET deleted = ? WHERE id = ?")
        statement.bind(Int64(deleted ? 1 : 0), at: 1)
        statement.bind(entity, at: 2)
        try statement.run()
    }

    func visibleValues(of key: FieldKey) throws(StoreError) -> [VisibleValue] {
        selectVisible.bind(key.entity, at: 1)
        selectVisible.bind(key.field, at: 2)
        defer { selectVisible.reset() }
        var values: [VisibleValue] = []
        while try selectVisible.step() {
            do {
                let id = ChangeID(origin: try ReplicaID(bytes: selectVisible.blob(0)), seq: selectVisible.uint64(1))
                let value = try ChangeColumns.readValue(selectVisible, typeAt: 3, valueAt: 4)
                values.append(VisibleValue(id: id, stamp: Timestamp(rawValue: selectVisible.uint64(2)), value: value))
            } catch {
                throw .corruptRow(table: "field_value", reason: error.description)
            }
        }
        return values
    }

    func insertVisible(_ value: VisibleValue, of key: FieldKey) throws(StoreError) {
        bind(key, value.id, to: insertVisibleStatement)
        insertVisibleStatement.bind(value.stamp.rawValue, at: 5)
        ChangeColumns.bind(value.value, typeAt: 6, valueAt: 7, to: insertVisibleStatement)
        try insertVisibleStatement.run()
    }

    func deleteVisible(_ id: ChangeID, of key: FieldKey) throws(StoreError) {
        bind(key, id, to: deleteVisibleStatement)
        try deleteVisibleStatement.run()
    }

    func insertSuperseded(_ id: ChangeID, of key: FieldKey) throws(StoreError) {
        bind(key, id, to: insertSupersededStatement)
        try insertSupersededStatement.run()
    }

    func isSuperseded(_ id: ChangeID, of key: FieldKey) throws(StoreError) -> Bool {
        bind(key, id, to: probeSuperseded)
        return try probe(probeSuperseded)
    }

    func indexText(_ text: String, of key: FieldKey, by id: ChangeID) throws(StoreError) {
        // Kept beside the hot statements once prepared: most changes of an import index a text,
        // and the dictionary of statements off the hot path would hash this SQL each time.
        let statement: SQLiteStatement
        if let prepared = insertSearch {
            statement = prepared
        } else {
            statement = try self.statement("INSERT INTO search (text, entity, field, origin, seq) VALUES (?, ?, ?, ?, ?)")
            insertSearch = statement
        }
        statement.bind(text, at: 1)
        statement.bind(key.entity, at: 2)
        statement.bind(key.field, at: 3)
        bind(id, to: statement, at: 4)
        try statement.run()
    }

    // MARK: - Bookkeeping

    func clockStamp() throws(StoreError) -> Timestamp {
        let last = try grdb { try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'clock'") } ?? 0
        return Timestamp(rawValue: UInt64(bitPattern: last))
    }

    func saveClockStamp(_ stamp: Timestamp) throws(StoreError) {
        let statement = try statement("INSERT OR REPLACE INTO meta (key, value) VALUES ('clock', ?)")
        statement.bind(Int64(bitPattern: stamp.rawValue), at: 1)
        try statement.run()
    }

    func flagStamp(of id: ChangeID, aheadBy: UInt64) throws(StoreError) {
        let statement = try statement("INSERT OR IGNORE INTO clock_flag (origin, seq, ahead_by) VALUES (?, ?, ?)")
        bind(id, to: statement)
        statement.bind(aheadBy, at: 3)
        try statement.run()
    }

    func founder(of engagement: EntityID) throws(StoreError) -> ReplicaID? {
        try grdb { try Store.founder(db, of: engagement) }
    }

    func wrote(_ origin: ReplicaID, entity: EntityID, before seq: UInt64) throws(StoreError) -> Bool {
        try grdb { try Store.wrote(db, origin, entity: entity, before: seq) }
    }

    func deletions(engagement: EntityID, kind: String, origin: ReplicaID, from seq: UInt64) throws(StoreError) -> [(id: ChangeID, entity: EntityID)] {
        try grdb { try Store.deletions(db, engagement: engagement, kind: kind, origin: origin, from: seq) }
    }

    func recordFounder(_ founder: ReplicaID, of engagement: EntityID) throws(StoreError) {
        try grdb {
            try db.execute(
                sql: "INSERT OR IGNORE INTO engagement_root (engagement, founder) VALUES (?, ?)",
                arguments: [Data(engagement.bytes), Data(founder.bytes)])
        }
    }

    func snapshots(engagement: EntityID, kinds: [String]) throws(StoreError) -> [EntitySnapshot] {
        try grdb { try Store.snapshots(db, engagement: engagement, kinds: kinds) }
    }

    func checkpoint(of origin: ReplicaID) throws(StoreError) -> StoredCheckpoint? {
        try grdb { try Store.checkpoint(db, of: origin) }
    }

    func saveCheckpoint(_ checkpoint: StoredCheckpoint) throws(StoreError) {
        try grdb {
            try db.execute(sql: """
                INSERT INTO checkpoint (origin, seq, hash, public_key, signature) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (origin) DO UPDATE SET seq = excluded.seq, hash = excluded.hash,
                    public_key = excluded.public_key, signature = excluded.signature
                """, arguments: [
                    Data(checkpoint.origin.bytes), Int64(bitPattern: checkpoint.seq), Data(checkpoint.hash.bytes),
                    Data(checkpoint.publicKey), Data(checkpoint.signature),
                ])
        }
    }

    func peerSeq(of peer: ReplicaID, origin: ReplicaID) throws(StoreError) -> UInt64? {
        let seq = try grdb {
            try Int64.fetchOne(
                db, sql: "SELECT seq FROM peer_vector WHERE peer = ? AND origin = ?", arguments: [Data(peer.bytes), Data(origin.bytes)])
        }
        return seq.map { UInt64(bitPattern: $0) }
    }

    func setPeerSeq(_ seq: UInt64, of peer: ReplicaID, origin: ReplicaID) throws(StoreError) {
        try grdb {
            try db.execute(
                sql: "INSERT OR REPLACE INTO peer_vector (peer, origin, seq) VALUES (?, ?, ?)",
                arguments: [Data(peer.bytes), Data(origin.bytes), Int64(bitPattern: seq)])
        }
    }

    func furthestPeer(of origin: ReplicaID) throws(StoreError) -> (peer: ReplicaID, seq: UInt64)? {
        let found = try grdb { () -> (Data, Int64)? in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT peer, seq FROM peer_vector WHERE origin = ? ORDER BY seq DESC, peer LIMIT 1",
                arguments: [Data(origin.bytes)])
            else { return nil }
            return (row[0], row[1])
        }
        guard let found else { return nil }
        guard let peer = try? ReplicaID(bytes: Array(found.0)) else {
            throw .corruptRow(table: "peer_vector", reason: "a peer id of \(found.0.count) bytes")
        }
        return (peer, UInt64(bitPattern: found.1))
    }

    // MARK: - Fork quarantine

    func rememberCheckpoint(_ checkpoint: StoredCheckpoint) throws(StoreError) {
        try grdb {
            try db.execute(
                sql: "INSERT OR IGNORE INTO checkpoint_seen (origin, seq, hash, public_key, signature) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    Data(checkpoint.origin.bytes), Int64(bitPattern: checkpoint.seq), Data(checkpoint.hash.bytes),
                    Data(checkpoint.publicKey), Data(checkpoint.signature),
                ])
        }
    }

    func forkSeq(of origin: ReplicaID) throws(StoreError) -> UInt64? {
        let seq = try grdb { try Int64.fetchOne(db, sql: "SELECT seq FROM fork WHERE origin = ?", arguments: [Data(origin.bytes)]) }
        return seq.map { UInt64(bitPattern: $0) }
    }

    func recordFork(of origin: ReplicaID, seq: UInt64, foundAt: UInt64) throws(StoreError) {
        try grdb {
            try db.execute(sql: """
                INSERT INTO fork (origin, seq, found_at) VALUES (?, ?, ?)
                ON CONFLICT (origin) DO UPDATE SET seq = excluded.seq
                """, arguments: [Data(origin.bytes), Int64(bitPattern: seq), Int64(bitPattern: foundAt)])
        }
    }

    func keepForkVersion(_ version: ForkVersion) throws(StoreError) {
        try grdb {
            try db.execute(sql: """
                INSERT OR IGNORE INTO fork_version (origin, seq, content, hash, canonical, relayed_by, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    Data(version.id.origin.bytes), Int64(bitPattern: version.id.seq), Data(version.content.bytes),
                    version.hash.map { Data($0.bytes) }, version.canonical.map { Data($0) }, version.relayedBy.map { Data($0.bytes) },
                    Int64(bitPattern: version.receivedAt),
                ])
        }
    }

    func heldLinks(of origin: ReplicaID, from seq: UInt64, now: UInt64) throws(StoreError) -> [ForkVersion] {
        try grdb {
            var held: [ForkVersion] = []
            try Store.forEachRow(db, "SELECT \(ChangeColumns.selectList), hash FROM change WHERE origin = ?1 AND seq >= ?2", bind: {
                $0.bind(origin, at: 1)
                $0.bind(seq, at: 2)
            }, table: "change") { row in
                let change = try ChangeColumns.read(row)
                held.append(ForkVersion(
                    id: change.id, content: change.contentDigest, hash: row.isNull(11) ? nil : try ChangeHash(bytes: row.blob(11)),
                    canonical: change.canonicalEncoding(), relayedBy: nil, receivedAt: now))
            }
            try Store.forEachRow(db, "SELECT seq, content, hash FROM redacted WHERE origin = ?1 AND seq >= ?2", bind: {
                $0.bind(origin, at: 1)
                $0.bind(seq, at: 2)
            }, table: "redacted") { row in
                held.append(ForkVersion(
                    id: ChangeID(origin: origin, seq: row.uint64(0)), content: try ContentDigest(bytes: row.blob(1)),
                    hash: try ChangeHash(bytes: row.blob(2)), canonical: nil, relayedBy: nil, receivedAt: now))
            }
            return held
        }
    }

    func deleteLinks(of origin: ReplicaID, from seq: UInt64) throws(StoreError) {
        try grdb {
            let arguments: StatementArguments = [Data(origin.bytes), Int64(bitPattern: seq)]
            try db.execute(sql: "DELETE FROM change WHERE origin = ? AND seq >= ?", arguments: arguments)
            try db.execute(sql: "DELETE FROM redacted WHERE origin = ? AND seq >= ?", arguments: arguments)
        }
    }

    func clearState() throws(StoreError) {
        try grdb {
            try db.execute(sql: """
                DELETE FROM entity; DELETE FROM field_value; DELETE FROM superseded; DELETE FROM origin; DELETE FROM search;
                UPDATE change SET hash = NULL;
                """)
        }
    }

    func logLinks(after: ChangeID?, limit: Int) throws(StoreError) -> [LogLink] {
        // Each table's next page by its primary key, then the two merged; an empty origin sorts
        // before every origin, so (x'', 0) starts at the first link.
        let changes = try statement(
            "SELECT \(ChangeColumns.selectList) FROM change WHERE (origin, seq) > (?, ?) ORDER BY origin, seq LIMIT ?")
        let placeholders = try statement(
            "SELECT origin, seq, hash FROM redacted WHERE (origin, seq) > (?, ?) ORDER BY origin, seq LIMIT ?")
        var links: [LogLink] = []
        for statement in [changes, placeholders] {
            statement.bind(blob: after?.origin.bytes ?? [], at: 1)
            statement.bind(after?.seq ?? 0, at: 2)
            statement.bind(Int64(limit), at: 3)
        }
        defer {
            changes.reset()
            placeholders.reset()
        }
        while try changes.step() {
            do { links.append(.change(try ChangeColumns.read(changes))) } catch {
                throw .corruptRow(table: "change", reason: "seq \(changes.uint64(1)): \(error.description)")
            }
        }
        var redacted: [LogLink] = []
        while try placeholders.step() {
            do {
                let id = ChangeID(origin: try ReplicaID(bytes: placeholders.blob(0)), seq: placeholders.uint64(1))
                redacted.append(.placeholder(id, try ChangeHash(bytes: placeholders.blob(2))))
            } catch {
                throw .corruptRow(table: "redacted", reason: "seq \(placeholders.uint64(1)): a redacted placeholder is malformed")
            }
        }
        guard !redacted.isEmpty else { return links }
        return Array((links + redacted).sorted { $0.id < $1.id }.prefix(limit))
    }
}
