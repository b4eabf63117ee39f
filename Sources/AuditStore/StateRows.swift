import Replication

/// The rows one write transaction reads and writes: how a backend persists what the laws decide.
///
/// A backend (SQLite's `Store`, PostgreSQL's store) implements these primitives on one open
/// transaction and decides nothing: which change is a duplicate, which value is visible, how a
/// chain grows, when a gap closes, which stamp is flagged and which checkpoint is kept are decided
/// once, by `ChangeApplier` and `ChangeTransaction`, for every backend. A primitive that fails
/// throws a `StoreError`; the caller then rolls the whole transaction back.
///
/// Text columns compare as bytes (SQLite's BINARY collation, PostgreSQL's `COLLATE "C"`), so
/// every backend orders rows, and so digests and exports, identically.
public protocol StateRows: AnyObject {
    /// How many changes a batched `ChangeApplier` over these rows holds back before it writes
    /// their state (`ChangeTransaction`'s applies, imports and rebuilds); by default
    /// `ChangeApplier.stateBatch`. A backend that reads and holds rows of every entity a batch
    /// names sets its own, to bound what it holds.
    var stateBatch: Int { get }

    // MARK: - The log

    /// Inserts a change with its chain hash (`nil` while it lies beyond a gap).
    ///
    /// - Returns: `false` if a change with its id is already held; nothing is written then.
    func insertChange(_ change: Change, hash: ChangeHash?) throws(StoreError) -> Bool
    /// The held change with this id, if any.
    func change(_ id: ChangeID) throws(StoreError) -> Change?
    /// The chain hash recorded with a held change; `nil` if it is not held or lies beyond a gap.
    func recordedHash(of id: ChangeID) throws(StoreError) -> ChangeHash?
    /// Records the chain hash of a held change, once its chain reaches it.
    func setRecordedHash(_ hash: ChangeHash, of id: ChangeID) throws(StoreError)
    /// Whether the log holds a change of `origin` with seq above `seq`.
    func hasChanges(of origin: ReplicaID, after seq: UInt64) throws(StoreError) -> Bool

    // MARK: - Placeholders of withheld changes

    /// The chain hash of a placeholder, if one is held under this id.
    func placeholderHash(of id: ChangeID) throws(StoreError) -> ChangeHash?
    /// Keeps a placeholder: a withheld change's id, content digest and chain hash.
    func insertPlaceholder(_ id: ChangeID, content: ContentDigest, hash: ChangeHash) throws(StoreError)
    /// Removes a placeholder that a full change replaces.
    func deletePlaceholder(_ id: ChangeID) throws(StoreError)
    /// Whether any placeholder of `origin` is held.
    func hasPlaceholders(of origin: ReplicaID) throws(StoreError) -> Bool

    // MARK: - Origins

    /// The origin's gap-free chain as recorded; `nil` if nothing of it is held.
    func chain(of origin: ReplicaID) throws(StoreError) -> OriginChain?
    /// Records an origin's gap-free chain, replacing what was recorded.
    func saveChain(_ chain: OriginChain) throws(StoreError)

    // MARK: - Entities and visible values

    /// The kind and engagement recorded for an entity, if it is known.
    func entity(_ id: EntityID) throws(StoreError) -> (kind: String, engagement: EntityID)?
    /// Records an entity seen for the first time, not deleted.
    func insertEntity(_ id: EntityID, kind: String, engagement: EntityID) throws(StoreError)
    /// Sets an entity's deletion flag.
    func setDeleted(_ deleted: Bool, entity: EntityID) throws(StoreError)
    /// The visible values of a field, in any order.
    func visibleValues(of key: FieldKey) throws(StoreError) -> [VisibleValue]
    /// Makes a value visible.
    func insertVisible(_ value: VisibleValue, of key: FieldKey) throws(StoreError)
    /// Removes a visible value, if present.
    func deleteVisible(_ id: ChangeID, of key: FieldKey) throws(StoreError)
    /// Records that a held change supersedes `id` in this field (a second record is ignored).
    func insertSuperseded(_ id: ChangeID, of key: FieldKey) throws(StoreError)
    /// Whether `id` is recorded as superseded in this field.
    func isSuperseded(_ id: ChangeID, of key: FieldKey) throws(StoreError) -> Bool
    /// Indexes the text a change wrote into a searchable field, for full-text search.
    func indexText(_ text: String, of key: FieldKey, by id: ChangeID) throws(StoreError)

    // MARK: - Bookkeeping of the transaction

    /// The last stamp the replica's clock issued or received, as persisted (zero at first).
    func clockStamp() throws(StoreError) -> Timestamp
    /// Persists the clock's last stamp.
    func saveClockStamp(_ stamp: Timestamp) throws(StoreError)
    /// Records a remote stamp that was too far ahead of the wall clock (a second record is ignored).
    func flagStamp(of id: ChangeID, aheadBy: UInt64) throws(StoreError)
    /// The founding lead of an engagement, if recorded.
    func founder(of engagement: EntityID) throws(StoreError) -> ReplicaID?
    /// Whether `origin` wrote any change to an entity with a seq below `seq`: part of its own
    /// chain, so held by every replica that holds its change `seq` (`Roster.refusal(ofDeleting:…)`).
    func wrote(_ origin: ReplicaID, entity: EntityID, before seq: UInt64) throws(StoreError) -> Bool
    /// The changes to the `deleted` field of entities of `kind` in `engagement` written by `origin`
    /// from seq `seq` on, with the entity each deletes or restores, in seq order.
    func deletions(engagement: EntityID, kind: String, origin: ReplicaID, from seq: UInt64) throws(StoreError) -> [(id: ChangeID, entity: EntityID)]
    /// Records the founding lead of an engagement, unless one is recorded already.
    func recordFounder(_ founder: ReplicaID, of engagement: EntityID) throws(StoreError)
    /// The entities of some kinds in an engagement with all their visible fields, in id order.
    func snapshots(engagement: EntityID, kinds: [String]) throws(StoreError) -> [EntitySnapshot]
    /// The checkpoint held of an origin, if any.
    func checkpoint(of origin: ReplicaID) throws(StoreError) -> StoredCheckpoint?
    /// Keeps a checkpoint for its origin, replacing the one held.
    func saveCheckpoint(_ checkpoint: StoredCheckpoint) throws(StoreError)
    /// What a peer is known to hold of one origin; `nil` if nothing is recorded.
    func peerSeq(of peer: ReplicaID, origin: ReplicaID) throws(StoreError) -> UInt64?
    /// Records what a peer is known to hold of one origin.
    func setPeerSeq(_ seq: UInt64, of peer: ReplicaID, origin: ReplicaID) throws(StoreError)
    /// The peer known to hold the most of one origin, and how much; `nil` if nothing is recorded
    /// (ties: the least peer id). A local write reads it for its own origin (`ChangeTransaction.write`).
    func furthestPeer(of origin: ReplicaID) throws(StoreError) -> (peer: ReplicaID, seq: UInt64)?

    // MARK: - Fork quarantine (`Sync/PROTOCOL.md` §21.1; the law is `ChangeTransaction.quarantine`)

    /// Keeps a checkpoint in the history of checkpoints seen (a second record is ignored).
    func rememberCheckpoint(_ checkpoint: StoredCheckpoint) throws(StoreError)
    /// The seq from which `origin` is quarantined, if it is recorded as forked.
    func forkSeq(of origin: ReplicaID) throws(StoreError) -> UInt64?
    /// Records `origin` as forked from `seq` on, replacing the seq recorded (`foundAt` is kept
    /// from the first record).
    func recordFork(of origin: ReplicaID, seq: UInt64, foundAt: UInt64) throws(StoreError)
    /// Keeps a version of a forked origin's link as evidence (a second record of the same origin,
    /// seq and content is ignored).
    func keepForkVersion(_ version: ForkVersion) throws(StoreError)
    /// The held links of `origin` (changes and placeholders) with seq at least `seq`, as versions
    /// received at `now` and relayed by no one known.
    func heldLinks(of origin: ReplicaID, from seq: UInt64, now: UInt64) throws(StoreError) -> [ForkVersion]
    /// Removes the held links of `origin` with seq at least `seq` from the log.
    func deleteLinks(of origin: ReplicaID, from seq: UInt64) throws(StoreError)
    /// Empties the materialised state (entities, visible and superseded values, the search index,
    /// the origins' chains) and forgets every change's recorded chain hash; the log stays.
    func clearState() throws(StoreError)
    /// Up to `limit` links of the log (changes and placeholders) following `after` (from the
    /// first when `nil`), in (origin, seq) order: a rebuild reads the log a page at a time, so its
    /// memory does not grow with the log, and writes only between pages.
    func logLinks(after: ChangeID?, limit: Int) throws(StoreError) -> [LogLink]
}

/// One link of the log as a rebuild reads it back.
public enum LogLink: Sendable {
    /// A full change.
    case change(Change)
    /// A placeholder of a withheld change: its id and the chain hash recorded for it.
    case placeholder(ChangeID, ChangeHash)

    /// The link's id.
    public var id: ChangeID {
        switch self {
        case let .change(change): change.id
        case let .placeholder(id, _): id
        }
    }
}

extension StateRows {
    /// `ChangeApplier.stateBatch`.
    public var stateBatch: Int { ChangeApplier.stateBatch }
}
