import Foundation
import GRDB
import Replication

/// A version of a forked origin's change kept as evidence: one of two (or more) different links
/// that origin signed under one id, or a later link of its history set aside with it.
public struct ForkVersion: Hashable, Sendable {
    /// The link's id.
    public let id: ChangeID
    /// Its content digest (`Sync/PROTOCOL.md` §3.1).
    public let content: ContentDigest
    /// Its chain hash in the history it belongs to, when known.
    public let hash: ChangeHash?
    /// Its canonical encoding; `nil` for a link that arrived withheld (its content digest only).
    public let canonical: [UInt8]?
    /// The exporter of the bundle that brought it; `nil` when this replica held it before the
    /// fork was found (the log does not record who relayed a change).
    public let relayedBy: ReplicaID?
    /// When this replica set it aside, Unix milliseconds of its wall clock.
    public let receivedAt: UInt64

    /// A version as an import sets it aside.
    public init(id: ChangeID, content: ContentDigest, hash: ChangeHash?, canonical: [UInt8]?, relayedBy: ReplicaID?, receivedAt: UInt64) {
        self.id = id
        self.content = content
        self.hash = hash
        self.canonical = canonical
        self.relayedBy = relayedBy
        self.receivedAt = receivedAt
    }
}

/// An origin whose history is forked, as this replica holds it: kept up to the fork, quarantined
/// from it on (`Sync/PROTOCOL.md` §21.1).
public struct ForkedOrigin: Hashable, Sendable {
    /// The origin that signed two histories.
    public let origin: ReplicaID
    /// The least seq at which two different versions are known: its changes from here on are refused.
    public let seq: UInt64
    /// Every distinct version known at `seq` (two or more), by content digest.
    public let versions: [ForkVersion]
    /// How many links of the origin beyond `seq` are kept aside as evidence.
    public let setAside: Int

    /// A forked origin as a store reads it back.
    public init(origin: ReplicaID, seq: UInt64, versions: [ForkVersion], setAside: Int) {
        self.origin = origin
        self.seq = seq
        self.versions = versions
        self.setAside = setAside
    }
}

/// What an import found forked: the origin, the seq, and the version the bundle brought there.
public struct ForkFound: Sendable {
    /// The bundle's version of the first link that differs from the one held (or a new version
    /// at a quarantined origin's fork).
    public var version: ForkVersion

    /// A fork found by an import.
    public init(version: ForkVersion) {
        self.version = version
    }
}

extension Store {
    /// Registers the quarantine tables: appended to the migrations, never edited once shipped.
    static func registerQuarantine(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4: fork quarantine") { db in
            // Origins found to have signed two histories: refused from `seq` on.
            try db.execute(sql: """
                CREATE TABLE fork (
                    origin BLOB PRIMARY KEY NOT NULL,
                    seq INTEGER NOT NULL,
                    found_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
            // The evidence: every version of a forked origin's links from its fork on. Not state.
            try db.execute(sql: """
                CREATE TABLE fork_version (
                    origin BLOB NOT NULL,
                    seq INTEGER NOT NULL,
                    content BLOB NOT NULL,
                    hash BLOB,
                    canonical BLOB,
                    relayed_by BLOB,
                    received_at INTEGER NOT NULL,
                    PRIMARY KEY (origin, seq, content)
                ) WITHOUT ROWID;
                """)
            // Every checkpoint kept, not only the latest: a forked origin is relayed up to the
            // latest of its checkpoints below the fork.
            try db.execute(sql: """
                CREATE TABLE checkpoint_seen (
                    origin BLOB NOT NULL,
                    seq INTEGER NOT NULL,
                    hash BLOB NOT NULL,
                    public_key BLOB NOT NULL,
                    signature BLOB NOT NULL,
                    PRIMARY KEY (origin, seq, hash)
                ) WITHOUT ROWID;
                """)
        }
    }

    // MARK: - Reading

    /// The forked origins and their fork seqs.
    public func forkSeqs() throws(StoreError) -> [ReplicaID: UInt64] {
        try readTransaction { db in try Self.forkSeqs(db) }
    }

    static func forkSeqs(_ db: Database) throws -> [ReplicaID: UInt64] {
        var forks: [ReplicaID: UInt64] = [:]
        try forEachRow(db, "SELECT origin, seq FROM fork", table: "fork") { row in
            forks[try ReplicaID(bytes: row.blob(0))] = row.uint64(1)
        }
        return forks
    }

    /// Every version of `origin`'s links kept as evidence, at its fork and beyond, by seq then content.
    public func forkVersions(of origin: ReplicaID) throws(StoreError) -> [ForkVersion] {
        try readTransaction { db in
            var versions: [ForkVersion] = []
            try Self.forEachRow(db, """
                SELECT seq, content, hash, canonical, relayed_by, received_at FROM fork_version WHERE origin = ?1 ORDER BY seq, content
                """, bind: { $0.bind(origin, at: 1) }, table: "fork_version") { row in
                versions.append(ForkVersion(
                    id: ChangeID(origin: origin, seq: row.uint64(0)), content: try ContentDigest(bytes: row.blob(1)),
                    hash: row.isNull(2) ? nil : try ChangeHash(bytes: row.blob(2)), canonical: row.isNull(3) ? nil : row.blob(3),
                    relayedBy: row.isNull(4) ? nil : try ReplicaID(bytes: row.blob(4)), receivedAt: row.uint64(5)))
            }
            return versions
        }
    }

    /// The chain hashes of `origin`'s held changes and placeholders with seq in `seqs`, by seq: one
    /// query for a window of links a bundle carries again.
    public func chainHashes(of origin: ReplicaID, seqs: ClosedRange<UInt64>) throws(StoreError) -> [UInt64: ChangeHash] {
        try readTransaction { db in
            var hashes: [UInt64: ChangeHash] = [:]
            try Self.forEachRow(db, """
                SELECT seq, hash FROM change WHERE origin = ?1 AND seq BETWEEN ?2 AND ?3 AND hash IS NOT NULL
                UNION ALL SELECT seq, hash FROM redacted WHERE origin = ?1 AND seq BETWEEN ?2 AND ?3
                """, bind: {
                    $0.bind(origin, at: 1)
                    $0.bind(seqs.lowerBound, at: 2)
                    $0.bind(seqs.upperBound, at: 3)
                }, table: "change") { row in
                hashes[row.uint64(0)] = try ChangeHash(bytes: row.blob(1))
            }
            return hashes
        }
    }

    /// Every forked origin with its evidence, sorted by origin.
    public func forkedOrigins() throws(StoreError) -> [ForkedOrigin] {
        try readTransaction { db in
            var found: [ForkedOrigin] = []
            for (origin, seq) in try Self.forkSeqs(db).sorted(by: { $0.key < $1.key }) {
                var versions: [ForkVersion] = []
                var setAside = 0
                try Self.forEachRow(db, """
                    SELECT seq, content, hash, canonical, relayed_by, received_at FROM fork_version WHERE origin = ?1 ORDER BY seq, content
                    """, bind: { $0.bind(origin, at: 1) }, table: "fork_version") { row in
                    guard row.uint64(0) == seq else {
                        if row.uint64(0) > seq { setAside += 1 }
                        return
                    }
                    versions.append(ForkVersion(
                        id: ChangeID(origin: origin, seq: seq), content: try ContentDigest(bytes: row.blob(1)),
                        hash: row.isNull(2) ? nil : try ChangeHash(bytes: row.blob(2)), canonical: row.isNull(3) ? nil : row.blob(3),
                        relayedBy: row.isNull(4) ? nil : try ReplicaID(bytes: row.blob(4)), receivedAt: row.uint64(5)))
                }
                found.append(ForkedOrigin(origin: origin, seq: seq, versions: versions, setAside: setAside))
            }
            return found
        }
    }

    /// The latest checkpoint of `origin` this replica holds whose seq is at most `seq`: what an
    /// export may relay for it. For an origin not forked that is the latest checkpoint; for a
    /// forked one, the latest below its fork.
    public func checkpoint(of origin: ReplicaID, through seq: UInt64) throws(StoreError) -> StoredCheckpoint? {
        if let latest = try checkpoint(of: origin), latest.seq <= seq { return latest }
        return try readTransaction { db in
            var found: StoredCheckpoint?
            try Self.forEachRow(db, """
                SELECT seq, hash, public_key, signature FROM checkpoint_seen WHERE origin = ?1 AND seq <= ?2 ORDER BY seq DESC LIMIT 1
                """, bind: {
                    $0.bind(origin, at: 1)
                    $0.bind(seq, at: 2)
                }, table: "checkpoint_seen") { row in
                found = StoredCheckpoint(
                    origin: origin, seq: row.uint64(0), hash: try ChangeHash(bytes: row.blob(1)), publicKey: row.blob(2), signature: row.blob(3))
            }
            return found
        }
    }
}
