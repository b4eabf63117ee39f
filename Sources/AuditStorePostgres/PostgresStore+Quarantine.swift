import AuditStore
import PostgresNIO
import Replication

extension PostgresStore {
    /// The forked origins and the seq each is quarantined from.
    public func forkSeqs() throws(StoreError) -> [ReplicaID: UInt64] {
        try readTransaction { connection throws(StoreError) in try forkSeqs(connection) }
    }

    func forkSeqs(_ connection: PostgresConnection) throws(StoreError) -> [ReplicaID: UInt64] {
        var forks: [ReplicaID: UInt64] = [:]
        for row in try query(connection, "SELECT origin, seq FROM fork") {
            forks[try row.replica(0, table: "fork")] = try row.uint64(1)
        }
        return forks
    }

    /// Every forked origin with its evidence, sorted by origin.
    public func forkedOrigins() throws(StoreError) -> [ForkedOrigin] {
        try readTransaction { connection throws(StoreError) in
            var found: [ForkedOrigin] = []
            for (origin, seq) in try forkSeqs(connection).sorted(by: { $0.key < $1.key }) {
                var versions: [ForkVersion] = []
                var setAside = 0
                let rows = try query(connection, """
                    SELECT seq, content, hash, canonical, relayed_by, received_at FROM fork_version WHERE origin = $1 ORDER BY seq, content
                    """, Binds.with { $0.bytes(origin.bytes) })
                for row in rows {
                    let at = try row.uint64(0)
                    guard at == seq else {
                        if at > seq { setAside += 1 }
                        continue
                    }
                    let content = try row.read("fork_version") { () throws(ReplicationError) in try ContentDigest(bytes: row.bytes(1)) }
                    versions.append(ForkVersion(
                        id: ChangeID(origin: origin, seq: seq), content: content,
                        hash: row.isNull(2) ? nil : try row.hash(2, table: "fork_version"), canonical: row.isNull(3) ? nil : row.bytes(3),
                        relayedBy: row.isNull(4) ? nil : try row.replica(4, table: "fork_version"), receivedAt: try row.uint64(5)))
                }
                found.append(ForkedOrigin(origin: origin, seq: seq, versions: versions, setAside: setAside))
            }
            return found
        }
    }

    /// Every version of `origin`'s links kept as evidence, at its fork and beyond, by seq then content.
    public func forkVersions(of origin: ReplicaID) throws(StoreError) -> [ForkVersion] {
        try readTransaction { connection throws(StoreError) in
            let rows = try query(connection, """
                SELECT seq, content, hash, canonical, relayed_by, received_at FROM fork_version WHERE origin = $1 ORDER BY seq, content
                """, Binds.with { $0.bytes(origin.bytes) })
            return try rows.map { row throws(StoreError) in
                let content = try row.read("fork_version") { () throws(ReplicationError) in try ContentDigest(bytes: row.bytes(1)) }
                return ForkVersion(
                    id: ChangeID(origin: origin, seq: try row.uint64(0)), content: content,
                    hash: row.isNull(2) ? nil : try row.hash(2, table: "fork_version"), canonical: row.isNull(3) ? nil : row.bytes(3),
                    relayedBy: row.isNull(4) ? nil : try row.replica(4, table: "fork_version"), receivedAt: try row.uint64(5))
            }
        }
    }

    /// The chain hashes of `origin`'s held changes and placeholders with seq in `seqs`, by seq.
    public func chainHashes(of origin: ReplicaID, seqs: ClosedRange<UInt64>) throws(StoreError) -> [UInt64: ChangeHash] {
        try readTransaction { connection throws(StoreError) in
            var hashes: [UInt64: ChangeHash] = [:]
            let rows = try query(connection, """
                SELECT seq, hash FROM change WHERE origin = $1 AND seq BETWEEN $2 AND $3 AND hash IS NOT NULL
                UNION ALL SELECT seq, hash FROM redacted WHERE origin = $1 AND seq BETWEEN $2 AND $3
                """, Binds.with {
                    $0.bytes(origin.bytes)
                    $0.uint(seqs.lowerBound)
                    $0.uint(seqs.upperBound)
                })
            for row in rows { hashes[try row.uint64(0)] = try row.hash(1, table: "change") }
            return hashes
        }
    }

    /// The latest checkpoint of `origin` held whose seq is at most `seq`.
    public func checkpoint(of origin: ReplicaID, through seq: UInt64) throws(StoreError) -> StoredCheckpoint? {
        if let latest = try checkpoint(of: origin), latest.seq <= seq { return latest }
        return try readTransaction { connection throws(StoreError) in
            guard let row = try query(connection, """
                SELECT seq, hash, public_key, signature FROM checkpoint_seen WHERE origin = $1 AND seq <= $2 ORDER BY seq DESC LIMIT 1
                """, Binds.with {
                    $0.bytes(origin.bytes)
                    $0.uint(seq)
                }).first else { return nil }
            return StoredCheckpoint(
                origin: origin, seq: try row.uint64(0), hash: try row.hash(1, table: "checkpoint_seen"), publicKey: row.bytes(2),
                signature: row.bytes(3))
        }
    }
}
