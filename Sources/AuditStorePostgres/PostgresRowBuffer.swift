import AuditStore
import Replication

/// What one write transaction of `PostgresRows` holds back and what it has read, so that a batch
/// of thousands of changes costs a handful of statements, not several round trips per change.
///
/// Writes to the log and the materialised state are held here and sent one statement per table
/// (array parameters, `unnest`) when a table's batch is full, before any statement that reads that
/// table, and before commit. Reads the laws make per change are answered from here:
/// - whether a change is held: the held seqs of a window of its origin, read in one statement
///   (the origin's advisory lock keeps other writers out of it until the transaction ends);
/// - an entity's row, visible values and superseded ids: read in three statements for every
///   entity the log received since the last such read (the entities a `ChangeApplier` batch
///   materialises next), then kept up to date by this transaction's own writes.
/// So every read sees the transaction's writes, held or sent: the same rows as one statement
/// per primitive, in fewer round trips.
struct PostgresRowBuffer {
    /// The batch of imports: as many rows as a state batch of PostgreSQL (`PostgresRows.stateBatch`) writes.
    static let importBatch = 8192

    /// How many rows a table's batch holds before it is sent; also the width of a seq window.
    let batch: Int
    /// How many entities' state the cache holds before it starts again.
    var cachedEntities: Int { 4 * batch }

    /// An empty buffer sending batches of `batch` rows (at least 1).
    init(batch: Int = importBatch) {
        self.batch = max(1, batch)
    }

    /// A row of `field_value` or `superseded`: a field and the change that wrote it.
    struct ValueKey: Hashable, Comparable {
        let key: FieldKey
        let id: ChangeID

        static func < (lhs: ValueKey, rhs: ValueKey) -> Bool {
            lhs.key != rhs.key ? lhs.key < rhs.key : lhs.id < rhs.id
        }
    }

    /// A held write to one `field_value` row.
    enum ValueWrite {
        /// Insert a row the database does not hold.
        case insert(VisibleValue)
        /// Delete the row the database holds, then insert this one.
        case replace(VisibleValue)
        /// Delete the row, if the database holds it.
        case delete
    }

    /// The held seqs of an origin within `range`, as the database and this transaction hold them.
    struct SeqWindow {
        let range: Range<UInt64>
        var held: Set<UInt64>
    }

    // MARK: - Held writes

    /// Changes to insert, with their chain hash.
    var changes: [ChangeID: (change: Change, hash: ChangeHash?)] = [:]
    /// Chain hashes to record on changes the database holds.
    var hashes: [ChangeID: ChangeHash] = [:]
    /// Entities to insert.
    var entities: [EntityID: (kind: String, engagement: EntityID)] = [:]
    /// Deletion flags to set, after the entities are inserted.
    var deletedFlags: [EntityID: Bool] = [:]
    /// Writes to visible values, the last one per row.
    var values: [ValueKey: ValueWrite] = [:]
    /// Superseded records to insert.
    var superseded: Set<ValueKey> = []

    // MARK: - What the transaction has read

    /// Per origin, the window of seqs last read.
    var windows: [ReplicaID: SeqWindow] = [:]
    /// Entities whose state below is read and kept up to date.
    var loaded: Set<EntityID> = []
    /// The rows of the loaded entities that exist.
    var entityRows: [EntityID: (kind: String, engagement: EntityID)] = [:]
    /// The visible values of the loaded entities' fields (a field not listed has none).
    var visibleRows: [FieldKey: [VisibleValue]] = [:]
    /// The superseded ids of the loaded entities' fields.
    var supersededRows: [FieldKey: Set<ChangeID>] = [:]
    /// Entities of changes the log received since the last load: the next load reads them too.
    var upcoming: Set<EntityID> = []

    /// Whether any write to the state tables is held.
    var holdsState: Bool { !entities.isEmpty || !deletedFlags.isEmpty || !values.isEmpty || !superseded.isEmpty }

    /// Whether any write to the log is held.
    var holdsLog: Bool { !changes.isEmpty || !hashes.isEmpty }

    // MARK: - Visible values

    /// Holds the insertion of a visible value, and shows it to later reads.
    mutating func insertVisible(_ value: VisibleValue, of key: FieldKey) {
        let row = ValueKey(key: key, id: value.id)
        switch values[row] {
        case .delete, .replace: values[row] = .replace(value)
        case .insert, nil: values[row] = .insert(value)
        }
        if loaded.contains(key.entity) {
            visibleRows[key, default: []].removeAll { $0.id == value.id }
            visibleRows[key, default: []].append(value)
        }
    }

    /// Holds the deletion of a visible value, and hides it from later reads.
    mutating func deleteVisible(_ id: ChangeID, of key: FieldKey) {
        let row = ValueKey(key: key, id: id)
        switch values[row] {
        case .insert: values[row] = nil  // never sent: nothing to delete
        case .replace, .delete, nil: values[row] = .delete
        }
        if loaded.contains(key.entity) { visibleRows[key]?.removeAll { $0.id == id } }
    }

    /// Holds a superseded record, and shows it to later reads.
    mutating func insertSuperseded(_ id: ChangeID, of key: FieldKey) {
        superseded.insert(ValueKey(key: key, id: id))
        if loaded.contains(key.entity) { supersededRows[key, default: []].insert(id) }
    }

    /// Forgets every read of the state (after the state tables were rewritten by a statement).
    mutating func forgetState() {
        loaded = []
        entityRows = [:]
        visibleRows = [:]
        supersededRows = [:]
    }
}
