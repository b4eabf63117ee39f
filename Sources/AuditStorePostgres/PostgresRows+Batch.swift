import AuditStore
import Replication

/// The batches of `PostgresRows`: what it reads a window or a set of entities at a time, and the
/// statements that send its held writes, one per table (array parameters, `unnest`).
extension PostgresRows {
    // MARK: - Reading in batches

    /// Whether the log holds a change with this id, held back or sent; the database's answer is
    /// read for a window of `buffer.batch` seqs of its origin at once, which stays true
    /// while the transaction holds the origin's advisory lock (`insertChange` takes it).
    func isHeld(_ id: ChangeID) throws(StoreError) -> Bool {
        if buffer.changes[id] != nil { return true }
        if let window = buffer.windows[id.origin], window.range.contains(id.seq) { return window.held.contains(id.seq) }
        let width = UInt64(buffer.batch)
        // A seq beyond the signed range's last window (no real log reaches it) is read alone.
        guard id.seq < UInt64(Int64.max) - width else {
            return try exists("SELECT 1 FROM change WHERE origin = $1 AND seq = $2") { $0.id(id) }
        }
        let range = id.seq..<(id.seq + width)
        var held = Set<UInt64>()
        for row in try rows("SELECT seq FROM change WHERE origin = $1 AND seq >= $2 AND seq < $3", {
            $0.bytes(id.origin.bytes)
            $0.uint(range.lowerBound)
            $0.uint(range.upperBound)
        }) { held.insert(try row.uint64(0)) }
        // This transaction's changes in the window that the database has not received yet.
        for buffered in buffer.changes.keys where buffered.origin == id.origin && range.contains(buffered.seq) { held.insert(buffered.seq) }
        buffer.windows[id.origin] = PostgresRowBuffer.SeqWindow(range: range, held: held)
        return held.contains(id.seq)
    }

    /// Reads the state (entity row, visible values, superseded ids) of `entity`, unless it is
    /// loaded, together with that of every entity the log received since the last load: the
    /// entities a batch of `ChangeApplier` materialises next. Held state writes are sent first,
    /// so what is read is the transaction's own state; later writes keep it up to date.
    func load(_ entity: EntityID) throws(StoreError) {
        guard !buffer.loaded.contains(entity) else { return }
        try flushState()
        var wanted = buffer.upcoming
        wanted.insert(entity)
        buffer.upcoming = []
        if buffer.loaded.count + wanted.count > buffer.cachedEntities { buffer.forgetState() }
        wanted.subtract(buffer.loaded)
        let ids = wanted.sorted().map(\.bytes)
        for row in try rows("SELECT id, kind, engagement FROM entity WHERE id = ANY($1::bytea[])", { $0.bytesArray(ids) }) {
            buffer.entityRows[try row.entity(0, table: "entity")] = (try row.text(1), try row.entity(2, table: "entity"))
        }
        for row in try rows("SELECT entity, field, origin, seq, stamp, type, value FROM field_value WHERE entity = ANY($1::bytea[])", {
            $0.bytesArray(ids)
        }) {
            let key = FieldKey(entity: try row.entity(0, table: "field_value"), field: try row.text(1))
            buffer.visibleRows[key, default: []].append(try row.visibleValue(at: 2, table: "field_value"))
        }
        for row in try rows("SELECT entity, field, origin, seq FROM superseded WHERE entity = ANY($1::bytea[])", { $0.bytesArray(ids) }) {
            let key = FieldKey(entity: try row.entity(0, table: "superseded"), field: try row.text(1))
            buffer.supersededRows[key, default: []].insert(try row.changeID(2, table: "superseded"))
        }
        buffer.loaded.formUnion(wanted)
    }

    // MARK: - Sending held writes

    /// Sends every held write. Call before COMMIT, and before any statement that reads the log or
    /// the state behind this buffer's back.
    func flush() throws(StoreError) {
        try flushLog()
        try flushState()
    }

    /// Sends the held changes (one INSERT), then the held chain hashes (one UPDATE).
    func flushLog() throws(StoreError) {
        if !buffer.changes.isEmpty {
            let held = buffer.changes.values.sorted { $0.change.id < $1.change.id }
            try run("""
                INSERT INTO change (\(PostgresColumns.changeList), hash)
                SELECT * FROM unnest(\(PostgresColumns.changeArrays), $12::bytea[])
                """) { binds in
                PostgresColumns.bind(held.map(\.change), to: &binds)
                binds.optionalBytesArray(held.map { $0.hash?.bytes })
            }
            buffer.changes = [:]
        }
        if !buffer.hashes.isEmpty {
            let hashes = buffer.hashes.sorted { $0.key < $1.key }
            try run("""
                UPDATE change SET hash = u.hash FROM unnest($1::bytea[], $2::bigint[], $3::bytea[]) AS u(origin, seq, hash)
                WHERE change.origin = u.origin AND change.seq = u.seq
                """) {
                $0.bytesArray(hashes.map(\.key.origin.bytes))
                $0.uints(hashes.map(\.key.seq))
                $0.bytesArray(hashes.map(\.value.bytes))
            }
            buffer.hashes = [:]
        }
    }

    /// Sends the held state writes once a table's batch is full.
    func flushStateIfFull() throws(StoreError) {
        let batch = buffer.batch
        if buffer.entities.count >= batch || buffer.deletedFlags.count >= batch || buffer.values.count >= batch
            || buffer.superseded.count >= batch {
            try flushState()
        }
    }

    /// Sends the held state writes: entities, then their deletion flags, visible values deleted,
    /// then inserted, and superseded records, one statement each.
    func flushState() throws(StoreError) {
        guard buffer.holdsState else { return }
        if !buffer.entities.isEmpty {
            let entities = buffer.entities.sorted { $0.key < $1.key }
            try run("INSERT INTO entity (id, kind, engagement) SELECT * FROM unnest($1::bytea[], $2::text[], $3::bytea[])") {
                $0.bytesArray(entities.map(\.key.bytes))
                $0.texts(entities.map(\.value.kind))
                $0.bytesArray(entities.map(\.value.engagement.bytes))
            }
            buffer.entities = [:]
        }
        if !buffer.deletedFlags.isEmpty {
            let flags = buffer.deletedFlags.sorted { $0.key < $1.key }
            try run("""
                UPDATE entity SET deleted = u.deleted FROM unnest($1::bytea[], $2::bigint[]) AS u(id, deleted) WHERE entity.id = u.id
                """) {
                $0.bytesArray(flags.map(\.key.bytes))
                $0.ints(flags.map { $0.value ? 1 : 0 })
            }
            buffer.deletedFlags = [:]
        }
        let values = buffer.values.sorted { $0.key < $1.key }
        let deleted = values.filter { if case .insert = $0.value { false } else { true } }.map(\.key)
        if !deleted.isEmpty {
            try run("""
                DELETE FROM field_value USING unnest($1::bytea[], $2::text[], $3::bytea[], $4::bigint[]) AS u(entity, field, origin, seq)
                WHERE field_value.entity = u.entity AND field_value.field = u.field AND field_value.origin = u.origin
                    AND field_value.seq = u.seq
                """) { Self.bind(deleted, to: &$0) }
        }
        let inserted = values.compactMap { row -> (PostgresRowBuffer.ValueKey, VisibleValue)? in
            switch row.value {
            case let .insert(value), let .replace(value): (row.key, value)
            case .delete: nil
            }
        }
        if !inserted.isEmpty {
            try run("""
                INSERT INTO field_value (entity, field, origin, seq, stamp, type, value)
                SELECT * FROM unnest($1::bytea[], $2::text[], $3::bytea[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bytea[])
                """) { binds in
                Self.bind(inserted.map(\.0), to: &binds)
                binds.uints(inserted.map(\.1.stamp.rawValue))
                binds.ints(inserted.map { Int64($0.1.value.tag.rawValue) })
                binds.optionalBytesArray(inserted.map { PostgresColumns.encode($0.1.value) })
            }
        }
        buffer.values = [:]
        if !buffer.superseded.isEmpty {
            let superseded = buffer.superseded.sorted()
            try run("""
                INSERT INTO superseded (entity, field, origin, seq)
                SELECT * FROM unnest($1::bytea[], $2::text[], $3::bytea[], $4::bigint[]) ON CONFLICT DO NOTHING
                """) { Self.bind(superseded, to: &$0) }
            buffer.superseded = []
        }
    }

    /// Binds rows of (entity, field, origin, seq) as four arrays.
    private static func bind(_ rows: [PostgresRowBuffer.ValueKey], to binds: inout Binds) {
        binds.bytesArray(rows.map(\.key.entity.bytes))
        binds.texts(rows.map(\.key.field))
        binds.bytesArray(rows.map(\.id.origin.bytes))
        binds.uints(rows.map(\.id.seq))
    }
}
