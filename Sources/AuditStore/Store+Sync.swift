import Foundation
import GRDB
import Replication

/// A checkpoint an origin signed: its chain hash at `seq`, with the key and signature that prove it.
public struct StoredCheckpoint: Hashable, Sendable {
    /// The origin whose chain the checkpoint signs.
    public let origin: ReplicaID
    /// The last seq the checkpoint covers.
    public let seq: UInt64
    /// The origin's chain hash at `seq`.
    public let hash: ChangeHash
    /// The signer's Ed25519 public key (32 bytes).
    public let publicKey: [UInt8]
    /// The Ed25519 signature over the origin, `seq` and `hash`.
    public let signature: [UInt8]

    /// A checkpoint as a bundle carried it; `Checkpoint` checks its signature before it is kept.
    public init(origin: ReplicaID, seq: UInt64, hash: ChangeHash, publicKey: [UInt8], signature: [UInt8]) {
        self.origin = origin
        self.seq = seq
        self.hash = hash
        self.publicKey = publicKey
        self.signature = signature
    }
}

/// One link of an origin's chain as it travels between replicas (exported, then imported): a full
/// change, or the id and content digest of a change withheld from the peer (or from this replica).
public enum SyncLink: Sendable {
    /// A full change, with its content digest when a reader already computed it on a thread of
    /// its own (`BundleReadAhead`), so that the applier need not; `nil`, the applier computes it.
    case change(Change, digest: ChangeDigest? = nil)
    case withheld(ChangeID, ContentDigest)
}

/// A change's content digest computed ahead of its apply, by whoever holds the change: it can only
/// be made from the change itself, and the applier uses it only for the change with its id.
public struct ChangeDigest: Sendable {
    /// The change it was computed from.
    public let id: ChangeID
    /// `Change.contentDigest` of that change.
    public let content: ContentDigest

    /// Computes the content digest of `change`.
    public init(of change: Change) {
        id = change.id
        content = change.contentDigest
    }
}

/// What an import brings, besides its changes: kept in the same transaction.
public struct ImportBookkeeping: Sendable {
    /// The exporter.
    public var exporter: ReplicaID
    /// What the exporter's bundle proves it holds (its version vector).
    public var exporterHolds: VersionVector
    /// Checkpoints to keep for relaying (the latest per origin wins).
    public var checkpoints: [StoredCheckpoint]
    /// Origins the bundle proves forked, to quarantine (`ChangeTransaction.quarantine`).
    public var forks: [ForkFound]

    /// The bookkeeping of one imported bundle.
    public init(exporter: ReplicaID, exporterHolds: VersionVector, checkpoints: [StoredCheckpoint], forks: [ForkFound] = []) {
        self.exporter = exporter
        self.exporterHolds = exporterHolds
        self.checkpoints = checkpoints
        self.forks = forks
    }
}

/// Read access to the state inside an import's transaction, for authorisation checks that must
/// see the bundle's own changes before the transaction commits. The store knows no domain words:
/// the caller names the entity kinds its rules read.
public struct ImportView {
    let rows: any StateRows

    /// The entities of some kinds in an engagement (for a roster: the engagement and its team
    /// members), with their fields, as the transaction sees them.
    public func snapshots(engagement: EntityID, kinds: [String]) throws -> [EntitySnapshot] {
        try rows.snapshots(engagement: engagement, kinds: kinds)
    }

    /// The engagement's founding lead, if recorded.
    public func founder(of engagement: EntityID) throws -> ReplicaID? {
        try rows.founder(of: engagement)
    }

    /// The changes to the `deleted` field of entities of `kind` in `engagement` written by
    /// `origin` from seq `seq` on (a bundle's own, for the rule on who may delete what), with
    /// the entity each deletes or restores, in seq order.
    public func deletions(
        engagement: EntityID, kind: String, origin: ReplicaID, from seq: UInt64
    ) throws -> [(id: ChangeID, entity: EntityID)] {
        try rows.deletions(engagement: engagement, kind: kind, origin: origin, from: seq)
    }

    /// Whether `origin` wrote any change to an entity before its change `seq` (in its own chain,
    /// which every replica holding that change holds too).
    public func wrote(_ origin: ReplicaID, entity: EntityID, before seq: UInt64) throws -> Bool {
        try rows.wrote(origin, entity: entity, before: seq)
    }

    /// Records the founding lead of an engagement seen for the first time.
    public func recordFounder(_ founder: ReplicaID, of engagement: EntityID) throws {
        try rows.recordFounder(founder, of: engagement)
    }
}

extension Store {
    // MARK: - Export

    /// Every origin held, with its gap-free prefix and head hash, sorted by origin.
    public func originHeads() throws(StoreError) -> [(origin: ReplicaID, contiguous: UInt64, head: ChangeHash)] {
        try readTransaction { db in
            var heads: [(ReplicaID, UInt64, ChangeHash)] = []
            try Self.forEachRow(db, "SELECT replica, contiguous, head FROM origin ORDER BY replica", table: "origin") { row in
                heads.append((try ReplicaID(bytes: row.blob(0)), row.uint64(1), try ChangeHash(bytes: row.blob(2))))
            }
            return heads
        }
    }

    /// Streams the links of `origin` with seq in `after + 1 … through`, in seq order: full changes,
    /// and placeholders as withheld content digests.
    ///
    /// - Complexity: O(through − after): a range scan of the log's primary key.
    public func forEachLink(
        of origin: ReplicaID, after: UInt64, through: UInt64, _ body: (SyncLink) throws -> Void
    ) throws(StoreError) {
        try readTransaction { db in
            try Self.forEachRow(db, """
                SELECT \(ChangeColumns.selectList), NULL, 0 FROM change WHERE origin = ?1 AND seq > ?2 AND seq <= ?3
                UNION ALL
                SELECT origin, seq, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, content, 1 FROM redacted
                WHERE origin = ?1 AND seq > ?2 AND seq <= ?3
                ORDER BY 2
                """, bind: {
                    $0.bind(origin, at: 1)
                    $0.bind(after, at: 2)
                    $0.bind(through, at: 3)
                }, table: "change"
            ) { row in
                if row.int64(12) == 1 {
                    try body(.withheld(ChangeID(origin: origin, seq: row.uint64(1)), try ContentDigest(bytes: row.blob(11))))
                } else {
                    try body(.change(try ChangeColumns.read(row)))
                }
            }
        }
    }

    /// The latest checkpoint held of `origin`.
    public func checkpoint(of origin: ReplicaID) throws(StoreError) -> StoredCheckpoint? {
        try readTransaction { db in try Self.checkpoint(db, of: origin) }
    }

    static func checkpoint(_ db: Database, of origin: ReplicaID) throws -> StoredCheckpoint? {
        var found: StoredCheckpoint?
        try Self.forEachRow(
            db, "SELECT seq, hash, public_key, signature FROM checkpoint WHERE origin = ?",
            bind: { $0.bind(origin, at: 1) }, table: "checkpoint"
        ) { row in
            found = StoredCheckpoint(
                origin: origin, seq: row.uint64(0), hash: try ChangeHash(bytes: row.blob(1)), publicKey: row.blob(2),
                signature: row.blob(3))
        }
        return found
    }

    /// The chain hash of a held change or placeholder.
    public func chainHash(of id: ChangeID) throws(StoreError) -> ChangeHash? {
        try readTransaction { db in try ChangeApplier(SQLiteRows(db, path: path)).storedHash(id) }
    }

    // MARK: - Import

    /// Applies a verified bundle's links in one transaction, then lets `authorize` inspect the
    /// resulting state before anything commits: all or nothing.
    ///
    /// Links must extend their origins' chains without gaps (withheld ones always must); the
    /// caller has checked the chains against signed checkpoints. `next` may throw to abort.
    ///
    /// - Throws: whatever `next` or `authorize` throws (unchanged), or `StoreError`.
    @discardableResult
    public func importLinks(
        _ next: () throws -> SyncLink?, bookkeeping: ImportBookkeeping, authorize: (ImportView) throws -> Void
    ) throws -> ApplyReport {
        try importLinks(next, bookkeeping: bookkeeping, bulkIndexAfter: Self.bulkIndexThreshold, authorize: authorize)
    }

    /// How many links an import brings, at least, before it stops keeping the log's entity index
    /// (`change_by_entity`) change by change and builds it again in one sorted pass at the end
    /// (`BulkEntityIndex`). Far past it each change's entry lands on a random page of an index
    /// several times larger than the page cache; below it the index is a few MiB and the sort
    /// would cost more than it saves. Measured at 1,000,000 changes in BENCHMARKS.md (issue 21).
    static let bulkIndexThreshold = 100_000

    /// `importLinks`, building the entity index in bulk once the import has brought
    /// `bulkIndexAfter` links new to the store and at least as many as the store held before.
    func importLinks(
        _ next: () throws -> SyncLink?, bookkeeping: ImportBookkeeping, bulkIndexAfter threshold: Int,
        authorize: (ImportView) throws -> Void
    ) throws -> ApplyReport {
        do {
            return try writing { db in
                let index = try BulkEntityIndex(db, after: threshold)
                return try ChangeTransaction.importLinks(
                    {
                        guard let link = try next() else { return nil }
                        try index.counted(link)
                        return link
                    },
                    bookkeeping: bookkeeping,
                    authorize: { view in
                        try index.restore()
                        try authorize(view)
                    },
                    rows: SQLiteRows(db, path: path), searchableFields: searchableFields, now: clock.now())
            }
        } catch {
            throw translate(error)
        }
    }

    // MARK: - Peers, trust and roots

    /// What a peer is known to hold: the lower bound its bundles proved.
    public func peerVector(of peer: ReplicaID) throws(StoreError) -> VersionVector {
        try readTransaction { db in
            var vector = VersionVector()
            try Self.forEachRow(
                db, "SELECT origin, seq FROM peer_vector WHERE peer = ?", bind: { $0.bind(peer, at: 1) }, table: "peer_vector"
            ) { row in vector[try ReplicaID(bytes: row.blob(0))] = row.uint64(1) }
            return vector
        }
    }

    /// Records that `peer` holds `origin`'s changes up to `seq`, if that is more than recorded.
    public func recordPeerHolds(_ seq: UInt64, of peer: ReplicaID, origin: ReplicaID) throws(StoreError) {
        try writeTransaction { db in
            let rows = try SQLiteRows(db, path: path)
            if let held = try rows.peerSeq(of: peer, origin: origin), held >= seq { return }
            try rows.setPeerSeq(seq, of: peer, origin: origin)
        }
    }

    /// Trusts a key explicitly, so bundles it signs and engagements it founds are accepted.
    public func trust(_ replica: ReplicaID, name: String, publicKey: [UInt8]) throws(StoreError) {
        try writeTransaction { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO trusted (replica, name, public_key) VALUES (?, ?, ?)",
                arguments: [Data(replica.bytes), name, Data(publicKey)])
        }
    }

    /// The keys trusted explicitly, by replica id.
    public func trustedReplicas() throws(StoreError) -> [ReplicaID: String] {
        try readTransaction { db in
            var trusted: [ReplicaID: String] = [:]
            try Self.forEachRow(db, "SELECT replica, name FROM trusted", table: "trusted") { row in
                trusted[try ReplicaID(bytes: row.blob(0))] = row.text(1)
            }
            return trusted
        }
    }

    /// The keys trusted explicitly with their names and public keys, sorted by replica id.
    public func trustedKeys() throws(StoreError) -> [(replica: ReplicaID, name: String, publicKey: [UInt8])] {
        try readTransaction { db in
            var trusted: [(ReplicaID, String, [UInt8])] = []
            try Self.forEachRow(db, "SELECT replica, name, public_key FROM trusted ORDER BY replica", table: "trusted") { row in
                trusted.append((try ReplicaID(bytes: row.blob(0)), row.text(1), row.blob(2)))
            }
            return trusted
        }
    }

    /// The founding lead of an engagement, if recorded.
    public func founder(of engagement: EntityID) throws(StoreError) -> ReplicaID? {
        try readTransaction { db in try Self.founder(db, of: engagement) }
    }

    /// The changes to the `deleted` field of entities of `kind` in `engagement` by `origin` from
    /// `seq` on, with their entities, in seq order (`StateRows.deletions`).
    static func deletions(
        _ db: Database, engagement: EntityID, kind: String, origin: ReplicaID, from seq: UInt64
    ) throws -> [(id: ChangeID, entity: EntityID)] {
        var found: [(ChangeID, EntityID)] = []
        try forEachRow(db, """
            SELECT seq, entity FROM change
            WHERE origin = ?1 AND seq >= ?2 AND field = ?3 AND engagement = ?4 AND kind = ?5 ORDER BY seq
            """, bind: { statement in
                statement.bind(origin, at: 1)
                statement.bind(Int64(bitPattern: seq), at: 2)
                statement.bind(Change.deletedField, at: 3)
                statement.bind(engagement, at: 4)
                statement.bind(kind, at: 5)
            }, table: "change") { row in
            found.append((ChangeID(origin: origin, seq: row.uint64(0)), try EntityID(bytes: row.blob(1))))
        }
        return found
    }

    static func founder(_ db: Database, of engagement: EntityID) throws -> ReplicaID? {
        let data = try Data.fetchOne(db, sql: "SELECT founder FROM engagement_root WHERE engagement = ?", arguments: [Data(engagement.bytes)])
        return data.flatMap { try? ReplicaID(bytes: Array($0)) }
    }
}

/// The log's entity index (`change_by_entity`, migration v2) during a large import: kept change
/// by change until the import has brought as many new links as the store held (and at least the
/// threshold), then dropped, and created again in one sorted pass before the import's checks read
/// the state. All of it happens inside the import's one transaction: no reader ever sees the
/// index missing, and a failed import rolls the drop back with everything else.
///
/// The `CREATE INDEX` runs under a page cache of `sorterKiB`: SQLite's sorter takes
/// max(1 MiB, the page cache) of memory, and on top of a full 8 MiB cache (`Store.pageCacheKiB`
/// then) it raised a 1,000,000-change import's peak past 1.5 times the 10,000-change import's (issue 21,
/// BENCHMARKS.md); under 1 MiB the peak stays where it was. The cache is set back after it,
/// also when it throws.
final class BulkEntityIndex {
    private let db: Database
    private let threshold: Int
    /// Each origin's gap-free prefix held before the import: links within it are not new.
    private let held: VersionVector
    private var newLinks = 0
    private var dropped = false

    /// The page cache, in KiB, while the index is created: SQLite's least sorter memory.
    static let sorterKiB = 1024

    /// Counts against `threshold` or the store's held changes (its origins' gap-free prefixes),
    /// whichever is more.
    init(_ db: Database, after threshold: Int) throws {
        self.db = db
        held = try Store.vector(db)
        self.threshold = max(threshold, Int(clamping: held.entries.values.reduce(0, &+)))
    }

    /// One more link of the import; the index goes once the import has brought enough links new
    /// to the store. A link within its origin's held prefix (a bundle imported again) does not
    /// count: it adds nothing to the index.
    func counted(_ link: SyncLink) throws {
        let id = switch link {
        case let .change(change, _): change.id
        case let .withheld(id, _): id
        }
        guard !held.contains(id) else { return }
        newLinks += 1
        guard !dropped, newLinks >= threshold else { return }
        try db.execute(sql: "DROP INDEX change_by_entity")
        dropped = true
    }

    /// Creates the index again, if it was dropped: the same definition as the migration's, under
    /// the small page cache; the cache is set back to what it was after (`Store.pageCacheKiB` on
    /// every store `Store.open` opens), also when the creation throws.
    func restore() throws {
        guard dropped else { return }
        let cache = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -Store.pageCacheKiB
        try db.execute(sql: "PRAGMA cache_size = -\(Self.sorterKiB)")
        do {
            try db.execute(sql: Store.createChangeByEntity)
        } catch {
            try? db.execute(sql: "PRAGMA cache_size = \(cache)")
            throw error
        }
        try db.execute(sql: "PRAGMA cache_size = \(cache)")
        dropped = false
    }
}
