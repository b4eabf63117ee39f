import Replication

/// A replica's store: the append-only change log and the state materialised from it, whatever
/// database keeps them. `Store` (SQLite) is the laptops' and the default central's; PostgreSQL's
/// store serves a central on a database server. `Replica` holds `any ChangeStorage` and uses
/// exactly these operations.
///
/// Every conforming store enforces the same laws, decided once by `ChangeApplier` and
/// `ChangeTransaction` over the store's `StateRows`; so stores holding the same set of changes
/// have the same `digest()` and stream the same links in the same order. Each write is one
/// transaction, durable when the call returns, all or nothing.
public protocol ChangeStorage: AnyObject, Sendable {
    /// Where the store lives, for messages: a file path, or a database URL without its password.
    var path: String { get }

    // MARK: - Metadata

    /// Reads a metadata value (the replica's id, its name, …).
    func metadata(_ key: String) throws(StoreError) -> String?
    /// Writes a metadata value.
    func setMetadata(_ key: String, to value: String) throws(StoreError)

    // MARK: - Writing

    /// Applies changes from other replicas in one transaction: all or nothing (see `Store.apply`).
    @discardableResult
    func apply<Changes: Sequence<Change>>(_ changes: Changes) throws(StoreError) -> ApplyReport
    /// Applies a verified bundle's links in one transaction, then lets `authorize` inspect the
    /// resulting state before anything commits (see `Store.importLinks`).
    @discardableResult
    func importLinks(
        _ next: () throws -> SyncLink?, bookkeeping: ImportBookkeeping, authorize: (ImportView) throws -> Void
    ) throws -> ApplyReport
    /// Runs one local command as one durable transaction of changes authored by `origin`.
    func write<T>(as origin: ReplicaID, _ body: (inout LocalTransaction) throws -> T) throws -> T
    /// Trusts a key explicitly, so bundles it signs and engagements it founds are accepted.
    func trust(_ replica: ReplicaID, name: String, publicKey: [UInt8]) throws(StoreError)

    // MARK: - The log and the chains

    /// Per origin, the highest seq held without gaps.
    func vector() throws(StoreError) -> VersionVector
    /// Every origin held, with its gap-free prefix and head hash, sorted by origin.
    func originHeads() throws(StoreError) -> [(origin: ReplicaID, contiguous: UInt64, head: ChangeHash)]
    /// Streams the links of `origin` with seq in `after + 1 … through`, in seq order.
    func forEachLink(of origin: ReplicaID, after: UInt64, through: UInt64, _ body: (SyncLink) throws -> Void) throws(StoreError)
    /// The latest checkpoint held of `origin`.
    func checkpoint(of origin: ReplicaID) throws(StoreError) -> StoredCheckpoint?
    /// The chain hash of a held change or placeholder.
    func chainHash(of id: ChangeID) throws(StoreError) -> ChangeHash?
    /// The changes of `origin` with seq above `after`, in seq order, at most `limit` of them.
    func changes(of origin: ReplicaID, after: UInt64, limit: Int) throws(StoreError) -> [Change]
    /// How many changes the log holds.
    func changeCount() throws(StoreError) -> Int
    /// How many changes `origin` wrote with seq above `seq`.
    func changeCount(of origin: ReplicaID, after seq: UInt64) throws(StoreError) -> Int
    /// The changes to one entity, oldest stamp first.
    func history(of entity: EntityID) throws(StoreError) -> [Change]
    /// The most recent changes of an engagement, newest first.
    func recentChanges(engagement: EntityID, limit: Int) throws(StoreError) -> [Change]

    // MARK: - Fork quarantine (`Sync/PROTOCOL.md` §21.1)

    /// The forked origins and the seq each is quarantined from.
    func forkSeqs() throws(StoreError) -> [ReplicaID: UInt64]
    /// Every forked origin with its evidence, sorted by origin.
    func forkedOrigins() throws(StoreError) -> [ForkedOrigin]
    /// Every version of `origin`'s links kept as evidence, at its fork and beyond, by seq then content.
    func forkVersions(of origin: ReplicaID) throws(StoreError) -> [ForkVersion]
    /// The chain hashes of `origin`'s held changes and placeholders with seq in `seqs`, by seq.
    func chainHashes(of origin: ReplicaID, seqs: ClosedRange<UInt64>) throws(StoreError) -> [UInt64: ChangeHash]
    /// The latest checkpoint of `origin` held whose seq is at most `seq`: what an export may
    /// relay for it (for a forked origin, the latest below its fork).
    func checkpoint(of origin: ReplicaID, through seq: UInt64) throws(StoreError) -> StoredCheckpoint?

    // MARK: - Peers, trust and roots

    /// What a peer is known to hold: the lower bound its bundles proved.
    func peerVector(of peer: ReplicaID) throws(StoreError) -> VersionVector
    /// Records that `peer` holds `origin`'s changes up to `seq` (kept only if higher than what is
    /// recorded), outside any import: what a refused bundle or a central's vector proved about
    /// this replica's own origin (`Sync/PROTOCOL.md` §21.2).
    func recordPeerHolds(_ seq: UInt64, of peer: ReplicaID, origin: ReplicaID) throws(StoreError)
    /// The keys trusted explicitly, by replica id.
    func trustedReplicas() throws(StoreError) -> [ReplicaID: String]
    /// The keys trusted explicitly with their names and public keys, sorted by replica id.
    func trustedKeys() throws(StoreError) -> [(replica: ReplicaID, name: String, publicKey: [UInt8])]
    /// The founding lead of an engagement, if recorded.
    func founder(of engagement: EntityID) throws(StoreError) -> ReplicaID?

    // MARK: - State

    /// The digest of the whole materialised state (`Sync/PROTOCOL.md`), equal for every store
    /// holding the same set of changes.
    func digest() throws(StoreError) -> StateDigest
    /// Every field of an entity with its visible values.
    func fields(of entity: EntityID) throws(StoreError) -> [String: FieldState]
    /// Every entity of an engagement (the engagement itself included) with all its fields.
    func snapshots(engagement: EntityID) throws(StoreError) -> [EntitySnapshot]
    /// The entities of some kinds in an engagement, with all their fields.
    func snapshots(engagement: EntityID, kinds: [String]) throws(StoreError) -> [EntitySnapshot]
    /// Every entity of a kind, in every engagement, with all its fields.
    func snapshots(ofKind kind: String) throws(StoreError) -> [EntitySnapshot]
    /// One entity with all its fields, if held.
    func snapshot(_ id: EntityID) throws(StoreError) -> EntitySnapshot?
    /// Every field with more than one visible value, sorted by entity and field.
    func conflicts() throws(StoreError) -> [FieldConflict]
    /// How many fields have more than one visible value.
    func conflictCount() throws(StoreError) -> Int
    /// How many entities the store holds.
    func entityCount() throws(StoreError) -> Int
    /// Every evidence file the visible state references (blob values), sorted.
    func referencedBlobs() throws(StoreError) -> [BlobDigest]

    // MARK: - Search and verification

    /// Searches the visible text of the searchable fields, best match first.
    func search(_ query: String, engagement: EntityID?, limit: Int?) throws(StoreError) -> [SearchHit]
    /// How many hits `search` finds for `query` without a limit.
    func searchCount(_ query: String, engagement: EntityID?) throws(StoreError) -> Int
    /// Checks the store from its log up, changing nothing.
    func verify() throws(StoreError) -> VerificationReport

    // MARK: - One snapshot for many reads

    /// Runs `body` with every read of this store it makes (on this thread) seeing one snapshot:
    /// the store as one commit left it, whatever commits beside it meanwhile. Each store method
    /// is otherwise its own read transaction, so a caller making several (an export reads the
    /// rosters, then the heads, then the links) could see an import's commit between two of them.
    ///
    /// SQLite reads on one connection in one read transaction (a `DatabasePool` reader, or the
    /// `DatabaseQueue`'s one connection, which no other thread of this process can use meanwhile);
    /// PostgreSQL on one connection in `REPEATABLE READ READ ONLY`. The snapshot is taken by the
    /// block's first read. A block inside another of the same store joins it. A write to this
    /// store inside the block is refused (`PinnedRead.refuseWrite`): write after it ends.
    ///
    /// - Throws: whatever `body` throws, unchanged; `StoreError` if the read cannot begin.
    func withPinnedRead<T>(_ body: () throws -> T) throws -> T

    /// Writes `value` (a decimal number) to the metadata `key` unless it holds a higher or equal
    /// number already, in one write transaction: concurrent writers, finishing in any order, leave
    /// the highest (`RisingMetadata`). A value that is not a number counts as lower than any.
    func raiseMetadata(_ key: String, to value: UInt64) throws(StoreError)
}

/// A metadata value that only ever rises, such as the seq a replica last exported of its own
/// changes: the rule `ChangeStorage.raiseMetadata` applies inside its write transaction, and a
/// caller may apply first to skip the write (and its lock) when nothing would change.
public enum RisingMetadata {
    /// Whether `value` is higher than `stored`; a stored value that is missing or not a decimal
    /// number counts as lower than any.
    public static func rises(from stored: String?, to value: UInt64) -> Bool {
        guard let stored = stored.flatMap({ UInt64($0) }) else { return true }
        return value > stored
    }
}

extension ChangeStorage {
    /// The changes of `origin` with seq above `after`, in seq order.
    public func changes(of origin: ReplicaID, after: UInt64 = 0) throws(StoreError) -> [Change] {
        try changes(of: origin, after: after, limit: .max)
    }
}

extension Store: ChangeStorage {}
