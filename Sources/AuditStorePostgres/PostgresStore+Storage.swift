import AuditStore
import PostgresNIO
import Replication

extension PostgresStore {
    // MARK: - Metadata

    /// Reads a metadata value (the replica's id, its name, …).
    public func metadata(_ key: String) throws(StoreError) -> String? {
        try readTransaction { connection throws(StoreError) in
            guard let row = try query(connection, "SELECT value FROM meta WHERE key = $1", Binds.with { $0.text(key) }).first,
                  !row.isNull(0)
            else { return nil }
            return try row.text(0)
        }
    }

    /// Writes a metadata value.
    public func setMetadata(_ key: String, to value: String) throws(StoreError) {
        try storeWrite { connection throws(StoreError) in
            try execute(connection, "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", Binds.with {
                $0.text(key)
                $0.text(value)
            })
        }
    }

    /// Writes `value` to `key` unless it holds a higher or equal number already
    /// (`RisingMetadata`), in one write transaction: the row is inserted, or else locked
    /// (`FOR UPDATE`) before it is compared, so concurrent raises take turns on it.
    public func raiseMetadata(_ key: String, to value: UInt64) throws(StoreError) {
        let binds = Binds.with {
            $0.text(key)
            $0.text(String(value))
        }
        try storeWrite { connection throws(StoreError) in
            guard try execute(connection, "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", binds) == 0 else { return }
            var stored: String?
            if let row = try query(connection, "SELECT value FROM meta WHERE key = $1 FOR UPDATE", Binds.with { $0.text(key) }).first, !row.isNull(0) {
                stored = try row.text(0)
            }
            guard RisingMetadata.rises(from: stored, to: value) else { return }
            try execute(connection, "UPDATE meta SET value = $2 WHERE key = $1", binds)
        }
    }

    // MARK: - Writing

    /// How many times `apply` runs a transaction that PostgreSQL aborted to break a deadlock.
    static let deadlockAttempts = 10

    /// Applies changes from other replicas in one transaction: all or nothing (see `Store.apply`).
    /// A transaction PostgreSQL aborts to break a deadlock with another writer is run again, up to
    /// `deadlockAttempts` times.
    @discardableResult
    public func apply<Changes: Sequence<Change>>(_ changes: Changes) throws(StoreError) -> ApplyReport {
        try apply(changes, rowBatch: PostgresRowBuffer.importBatch, stateBatch: PostgresRowBuffer.importBatch)
    }

    /// `apply`, its rows sent `rowBatch` rows a table at a time (`PostgresRowBuffer`) and its
    /// state written `stateBatch` changes at a time (`ChangeApplier`): the state is the same
    /// whatever the sizes, which tests vary.
    func apply<Changes: Sequence<Change>>(_ changes: Changes, rowBatch: Int, stateBatch: Int) throws(StoreError) -> ApplyReport {
        let changes = Array(changes)
        var attempt = 1
        while true {
            do {
                return try storeWrite { connection throws(StoreError) in
                    let rows = PostgresRows(self, connection, batch: rowBatch)
                    try rows.beginWriting()
                    let report = try ChangeTransaction.apply(
                        changes, rows: rows, searchableFields: searchableFields, now: clock.now(), stateBatch: stateBatch)
                    try rows.flush()
                    return report
                }
            } catch {
                guard case .busy = error, attempt < Self.deadlockAttempts else { throw error }
                attempt += 1
            }
        }
    }

    /// Applies a verified bundle's links in one transaction, then lets `authorize` inspect the
    /// resulting state before anything commits (see `Store.importLinks`).
    @discardableResult
    public func importLinks(
        _ next: () throws -> SyncLink?, bookkeeping: ImportBookkeeping, authorize: (ImportView) throws -> Void
    ) throws -> ApplyReport {
        try writeTransaction { connection in
            let rows = PostgresRows(self, connection)
            try rows.beginWriting()
            let report = try ChangeTransaction.importLinks(
                next, bookkeeping: bookkeeping, authorize: authorize, rows: rows, searchableFields: searchableFields, now: clock.now())
            try rows.flush()
            return report
        }
    }

    /// Runs one local command as one durable transaction of changes authored by `origin`.
    public func write<T>(as origin: ReplicaID, _ body: (inout LocalTransaction) throws -> T) throws -> T {
        try writeTransaction { connection in
            let rows = PostgresRows(self, connection)
            try rows.beginWriting()
            let result = try ChangeTransaction.write(as: origin, rows: rows, searchableFields: searchableFields, now: clock.now(), body)
            try rows.flush()
            return result
        }
    }

    /// Trusts a key explicitly, so bundles it signs and engagements it founds are accepted.
    public func trust(_ replica: ReplicaID, name: String, publicKey: [UInt8]) throws(StoreError) {
        try storeWrite { connection throws(StoreError) in
            try execute(connection, """
                INSERT INTO trusted (replica, name, public_key) VALUES ($1, $2, $3)
                ON CONFLICT (replica) DO UPDATE SET name = excluded.name, public_key = excluded.public_key
                """, Binds.with {
                    $0.bytes(replica.bytes)
                    $0.text(name)
                    $0.bytes(publicKey)
                })
        }
    }

    // MARK: - The log and the chains

    /// Per origin, the highest seq held without gaps.
    public func vector() throws(StoreError) -> VersionVector {
        try readTransaction { connection throws(StoreError) in
            var vector = VersionVector()
            for row in try query(connection, "SELECT replica, contiguous FROM origin") {
                vector[try row.replica(0, table: "origin")] = try row.uint64(1)
            }
            return vector
        }
    }

    /// Every origin held, with its gap-free prefix and head hash, sorted by origin.
    public func originHeads() throws(StoreError) -> [(origin: ReplicaID, contiguous: UInt64, head: ChangeHash)] {
        try readTransaction { connection throws(StoreError) in
            try query(connection, "SELECT replica, contiguous, head FROM origin ORDER BY replica").map { row throws(StoreError) in
                (try row.replica(0, table: "origin"), try row.uint64(1), try row.hash(2, table: "origin"))
            }
        }
    }

    /// How many links `forEachLink` reads per query.
    static let linkPage = 2_000

    /// Streams the links of `origin` with seq in `after + 1 … through`, in seq order: full changes,
    /// and placeholders as withheld content digests. Reads a page of links at a time.
    public func forEachLink(
        of origin: ReplicaID, after: UInt64, through: UInt64, _ body: (SyncLink) throws -> Void
    ) throws(StoreError) {
        var cursor = after
        while true {
            let page = try readTransaction { connection throws(StoreError) in
                try query(connection, """
                    SELECT \(PostgresColumns.changeList), NULL::bytea, 0::bigint FROM change WHERE origin = $1 AND seq > $2 AND seq <= $3
                    UNION ALL
                    SELECT origin, seq, 0, 0, NULL, NULL, NULL, NULL, 0, NULL, NULL, content, 1::bigint FROM redacted
                    WHERE origin = $1 AND seq > $2 AND seq <= $3
                    ORDER BY 2 LIMIT $4
                    """, Binds.with {
                        $0.bytes(origin.bytes)
                        $0.uint(cursor)
                        $0.uint(through)
                        $0.int(Int64(Self.linkPage))
                    })
            }
            for row in page {
                let seq = try row.uint64(1)
                let link: SyncLink
                if try row.int64(12) == 1 {
                    let content = try row.read("redacted") { () throws(ReplicationError) in try ContentDigest(bytes: row.bytes(11)) }
                    link = .withheld(ChangeID(origin: origin, seq: seq), content)
                } else {
                    link = .change(try row.change())
                }
                do { try body(link) } catch { throw error as? StoreError ?? .unexpected(String(describing: error)) }
                cursor = seq
            }
            if page.count < Self.linkPage { return }
        }
    }

    /// The latest checkpoint held of `origin`.
    public func checkpoint(of origin: ReplicaID) throws(StoreError) -> StoredCheckpoint? {
        try readTransaction { connection throws(StoreError) in try checkpoint(connection, of: origin) }
    }

    func checkpoint(_ connection: PostgresConnection, of origin: ReplicaID) throws(StoreError) -> StoredCheckpoint? {
        guard let row = try query(
            connection, "SELECT seq, hash, public_key, signature FROM checkpoint WHERE origin = $1", Binds.with { $0.bytes(origin.bytes) }
        ).first else { return nil }
        return StoredCheckpoint(
            origin: origin, seq: try row.uint64(0), hash: try row.hash(1, table: "checkpoint"), publicKey: row.bytes(2),
            signature: row.bytes(3))
    }

    /// The chain hash of a held change or placeholder.
    public func chainHash(of id: ChangeID) throws(StoreError) -> ChangeHash? {
        try readTransaction { connection throws(StoreError) in try ChangeApplier(PostgresRows(self, connection, readOnly: true)).storedHash(id) }
    }

    /// The changes of `origin` with seq above `after`, in seq order, at most `limit` of them.
    public func changes(of origin: ReplicaID, after: UInt64, limit: Int) throws(StoreError) -> [Change] {
        try changes("WHERE origin = $1 AND seq > $2 ORDER BY seq LIMIT $3") {
            $0.bytes(origin.bytes)
            $0.uint(after)
            $0.int(Int64(clamping: limit))
        }
    }

    /// How many changes the log holds.
    public func changeCount() throws(StoreError) -> Int {
        try count("SELECT count(*) FROM change")
    }

    /// How many changes `origin` wrote with seq above `seq`.
    public func changeCount(of origin: ReplicaID, after seq: UInt64) throws(StoreError) -> Int {
        try count("SELECT count(*) FROM change WHERE origin = $1 AND seq > $2") {
            $0.bytes(origin.bytes)
            $0.uint(seq)
        }
    }

    /// The changes to one entity, oldest stamp first: its whole history, superseded values included.
    public func history(of entity: EntityID) throws(StoreError) -> [Change] {
        try changes("WHERE entity = $1 ORDER BY stamp, origin, seq") { $0.bytes(entity.bytes) }
    }

    /// The most recent changes of an engagement, newest first.
    public func recentChanges(engagement: EntityID, limit: Int) throws(StoreError) -> [Change] {
        try changes("WHERE engagement = $1 ORDER BY stamp DESC, origin, seq LIMIT $2") {
            $0.bytes(engagement.bytes)
            $0.int(Int64(clamping: limit))
        }
    }

    private func changes(_ condition: String, _ fill: (inout Binds) -> Void) throws(StoreError) -> [Change] {
        try readTransaction { connection throws(StoreError) in
            try query(connection, "SELECT \(PostgresColumns.changeList) FROM change \(condition)", Binds.with(fill))
                .map { row throws(StoreError) in try row.change() }
        }
    }

    func count(_ sql: String, _ fill: (inout Binds) -> Void = { _ in }) throws(StoreError) -> Int {
        try readTransaction { connection throws(StoreError) in
            Int(try query(connection, sql, Binds.with(fill)).first?.int64(0) ?? 0)
        }
    }

    // MARK: - Peers, trust and roots

    /// What a peer is known to hold: the lower bound its bundles proved.
    public func peerVector(of peer: ReplicaID) throws(StoreError) -> VersionVector {
        try readTransaction { connection throws(StoreError) in
            var vector = VersionVector()
            for row in try query(connection, "SELECT origin, seq FROM peer_vector WHERE peer = $1", Binds.with { $0.bytes(peer.bytes) }) {
                vector[try row.replica(0, table: "peer_vector")] = try row.uint64(1)
            }
            return vector
        }
    }

    /// Records that `peer` holds `origin`'s changes up to `seq`, if that is more than recorded.
    public func recordPeerHolds(_ seq: UInt64, of peer: ReplicaID, origin: ReplicaID) throws(StoreError) {
        try storeWrite { connection throws(StoreError) in
            try execute(connection, """
                INSERT INTO peer_vector (peer, origin, seq) VALUES ($1, $2, $3)
                ON CONFLICT (peer, origin) DO UPDATE SET seq = GREATEST(peer_vector.seq, excluded.seq)
                """, Binds.with {
                    $0.bytes(peer.bytes)
                    $0.bytes(origin.bytes)
                    $0.uint(seq)
                })
        }
    }

    /// The keys trusted explicitly, by replica id.
    public func trustedReplicas() throws(StoreError) -> [ReplicaID: String] {
        try readTransaction { connection throws(StoreError) in
            var trusted: [ReplicaID: String] = [:]
            for row in try query(connection, "SELECT replica, name FROM trusted") {
                trusted[try row.replica(0, table: "trusted")] = try row.text(1)
            }
            return trusted
        }
    }

    /// The keys trusted explicitly with their names and public keys, sorted by replica id.
    public func trustedKeys() throws(StoreError) -> [(replica: ReplicaID, name: String, publicKey: [UInt8])] {
        try readTransaction { connection throws(StoreError) in
            try query(connection, "SELECT replica, name, public_key FROM trusted ORDER BY replica").map { row throws(StoreError) in
                (try row.replica(0, table: "trusted"), try row.text(1), row.bytes(2))
            }
        }
    }

    /// The founding lead of an engagement, if recorded.
    public func founder(of engagement: EntityID) throws(StoreError) -> ReplicaID? {
        try readTransaction { connection throws(StoreError) in try PostgresRows(self, connection, readOnly: true).founder(of: engagement) }
    }
}
