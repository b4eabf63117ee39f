import AuditStore
import PostgresNIO
import Replication

extension PostgresStore {
    // MARK: - Digest

    /// The digest of the whole materialised state, in the canonical order of `Sync/PROTOCOL.md`:
    /// equal to SQLite's `Store.digest()` for the same set of changes.
    public func digest() throws(StoreError) -> StateDigest {
        try readTransaction { connection throws(StoreError) in
            var builder = StateDigest.Builder()
            for row in try query(connection, "SELECT id, kind, engagement, deleted FROM entity ORDER BY id") {
                builder.addEntity(
                    try row.entity(0, table: "entity"), kind: try row.text(1), engagement: try row.entity(2, table: "entity"),
                    deleted: try row.int64(3) != 0)
            }
            for row in try query(connection, """
                SELECT entity, field, origin, seq, stamp, type, value FROM field_value ORDER BY entity, field, origin, seq
                """) {
                builder.addVisible(
                    FieldKey(entity: try row.entity(0, table: "field_value"), field: try row.text(1)),
                    try row.visibleValue(at: 2, table: "field_value"))
            }
            for row in try query(connection, "SELECT entity, field, origin, seq FROM superseded ORDER BY entity, field, origin, seq") {
                builder.addSuperseded(
                    FieldKey(entity: try row.entity(0, table: "superseded"), field: try row.text(1)),
                    try row.changeID(2, table: "superseded"))
            }
            for row in try query(connection, "SELECT replica, contiguous, head FROM origin ORDER BY replica") {
                builder.addOrigin(try row.replica(0, table: "origin"), contiguous: try row.uint64(1), head: try row.hash(2, table: "origin"))
            }
            return builder.finalize()
        }
    }

    // MARK: - Entities and fields

    /// Every field of an entity with its visible values.
    public func fields(of entity: EntityID) throws(StoreError) -> [String: FieldState] {
        try readTransaction { connection throws(StoreError) in
            var values: [String: [VisibleValue]] = [:]
            for row in try query(
                connection, "SELECT field, origin, seq, stamp, type, value FROM field_value WHERE entity = $1",
                Binds.with { $0.bytes(entity.bytes) })
            {
                values[try row.text(0), default: []].append(try row.visibleValue(at: 1, table: "field_value"))
            }
            return values.compactMapValues { FieldState($0) }
        }
    }

    /// Every entity of an engagement (the engagement itself included) with all its fields.
    public func snapshots(engagement: EntityID) throws(StoreError) -> [EntitySnapshot] {
        try readTransaction { connection throws(StoreError) in
            try snapshots(connection, where: "e.engagement = $1") { $0.bytes(engagement.bytes) }
        }
    }

    /// The entities of some kinds in an engagement, with all their fields.
    public func snapshots(engagement: EntityID, kinds: [String]) throws(StoreError) -> [EntitySnapshot] {
        try readTransaction { connection throws(StoreError) in
            try PostgresRows(self, connection, readOnly: true).snapshots(engagement: engagement, kinds: kinds)
        }
    }

    /// Every entity of a kind, in every engagement, with all its fields.
    public func snapshots(ofKind kind: String) throws(StoreError) -> [EntitySnapshot] {
        try readTransaction { connection throws(StoreError) in
            try snapshots(connection, where: "e.kind = $1") { $0.text(kind) }
        }
    }

    /// One entity with all its fields, if held.
    public func snapshot(_ id: EntityID) throws(StoreError) -> EntitySnapshot? {
        try readTransaction { connection throws(StoreError) in
            try snapshots(connection, where: "e.id = $1") { $0.bytes(id.bytes) }.first
        }
    }

    /// The entities matching `condition` (on `entity e`), with their visible fields, in id order.
    func snapshots(_ connection: PostgresConnection, where condition: String, _ fill: (inout Binds) -> Void) throws(StoreError) -> [EntitySnapshot] {
        var snapshots: [EntitySnapshot] = []
        var current: (id: EntityID, kind: String, engagement: EntityID, deleted: Bool, values: [String: [VisibleValue]])?
        func flush() {
            guard let current else { return }
            snapshots.append(EntitySnapshot(
                id: current.id, kind: current.kind, engagement: current.engagement, deleted: current.deleted,
                fields: current.values.compactMapValues { FieldState($0) }))
        }
        for row in try query(connection, """
            SELECT e.id, e.kind, e.engagement, e.deleted, v.field, v.origin, v.seq, v.stamp, v.type, v.value
            FROM entity e LEFT JOIN field_value v ON v.entity = e.id
            WHERE \(condition)
            ORDER BY e.id
            """, Binds.with(fill)) {
            let id = try row.entity(0, table: "entity")
            if current?.id != id {
                flush()
                current = (id, try row.text(1), try row.entity(2, table: "entity"), try row.int64(3) != 0, [:])
            }
            guard !row.isNull(4) else { continue }
            current?.values[try row.text(4), default: []].append(try row.visibleValue(at: 5, table: "field_value"))
        }
        flush()
        return snapshots
    }

    /// Every field with more than one visible value, sorted by entity and field.
    public func conflicts() throws(StoreError) -> [FieldConflict] {
        try readTransaction { connection throws(StoreError) in
            var conflicts: [FieldConflict] = []
            var current: (key: FieldKey, kind: String, engagement: EntityID, values: [VisibleValue])?
            func flush() {
                if let current, let state = FieldState(current.values), state.isConflict {
                    conflicts.append(FieldConflict(kind: current.kind, engagement: current.engagement, key: current.key, state: state))
                }
            }
            for row in try query(connection, """
                SELECT v.entity, v.field, v.origin, v.seq, v.stamp, v.type, v.value, e.kind, e.engagement
                FROM field_value v JOIN entity e ON e.id = v.entity
                WHERE (v.entity, v.field) IN (
                    SELECT entity, field FROM field_value GROUP BY entity, field HAVING count(*) > 1)
                ORDER BY v.entity, v.field
                """) {
                let key = FieldKey(entity: try row.entity(0, table: "field_value"), field: try row.text(1))
                let value = try row.visibleValue(at: 2, table: "field_value")
                if current?.key != key {
                    flush()
                    current = (key, try row.text(7), try row.entity(8, table: "entity"), [])
                }
                current?.values.append(value)
            }
            flush()
            return conflicts
        }
    }

    /// How many fields have more than one visible value.
    public func conflictCount() throws(StoreError) -> Int {
        try count("SELECT count(*) FROM (SELECT 1 FROM field_value GROUP BY entity, field HAVING count(*) > 1) AS conflicted")
    }

    /// How many entities the store holds.
    public func entityCount() throws(StoreError) -> Int {
        try count("SELECT count(*) FROM entity")
    }

    /// Every evidence file the visible state references (blob values), sorted.
    public func referencedBlobs() throws(StoreError) -> [BlobDigest] {
        try readTransaction { connection throws(StoreError) in
            try query(connection, "SELECT DISTINCT value FROM field_value WHERE type = 5 ORDER BY value").map { row throws(StoreError) in
                try row.read("field_value") { () throws(ReplicationError) in try BlobDigest(bytes: row.bytes(0)) }
            }
        }
    }

    // MARK: - Search

    /// Searches the visible text of the searchable fields of undeleted entities: every word of
    /// `query` must occur in the text, ignoring case (PostgreSQL has no FTS5: words match inside
    /// longer words, accents count, and hits come in entity order rather than by rank).
    public func search(_ query: String, engagement: EntityID?, limit: Int?) throws(StoreError) -> [SearchHit] {
        let terms = Self.terms(of: query)
        return try readTransaction { connection throws(StoreError) in
            try self.query(connection, Self.matching(terms, select: "v.entity, e.kind, e.engagement, v.field, convert_from(v.value, 'UTF8')")
                + " ORDER BY v.entity, v.field, v.origin, v.seq" + (limit.map { " LIMIT \(max(0, $0))" } ?? ""),
                matchingBinds(terms, engagement)
            ).map { row throws(StoreError) in
                SearchHit(
                    entity: try row.entity(0, table: "entity"), kind: try row.text(1), engagement: try row.entity(2, table: "entity"),
                    field: try row.text(3), snippet: Self.snippet(try row.text(4), terms: terms))
            }
        }
    }

    /// How many hits `search` finds for `query` without a limit.
    public func searchCount(_ query: String, engagement: EntityID?) throws(StoreError) -> Int {
        let terms = Self.terms(of: query)
        return try readTransaction { connection throws(StoreError) in
            Int(try self.query(connection, Self.matching(terms, select: "count(*)"), matchingBinds(terms, engagement)).first?.int64(0) ?? 0)
        }
    }

    /// The words of a query, lowercased, without FTS5's operators and punctuation.
    static func terms(of query: String) -> [String] {
        query.lowercased()
            .split(whereSeparator: { $0.isWhitespace || "\"*()^:{}+-".contains($0) })
            .map(String.init)
            .filter { !["and", "or", "not", "near"].contains($0) }
    }

    /// The visible text values of searchable fields of undeleted entities containing every term:
    /// `$1` the searchable fields, `$2` the engagement (all when NULL), `$3…` the terms.
    private static func matching(_ terms: [String], select: String) -> String {
        let conditions = terms.indices.map { " AND strpos(lower(convert_from(v.value, 'UTF8')), $\($0 + 3)) > 0" }.joined()
        return """
            SELECT \(select) FROM field_value v JOIN entity e ON e.id = v.entity
            WHERE v.type = 3 AND v.field = ANY($1) AND e.deleted = 0 AND ($2::bytea IS NULL OR e.engagement = $2)\(conditions)
            """
    }

    private func matchingBinds(_ terms: [String], _ engagement: EntityID?) -> Binds {
        Binds.with { binds in
            binds.texts(searchableFields.sorted())
            if let engagement { binds.bytes(engagement.bytes) } else { binds.null() }
            for term in terms { binds.text(term) }
        }
    }

    /// About 16 words of `text` from just before the first match, each matching word in brackets.
    static func snippet(_ text: String, terms: [String]) -> String {
        let words = text.split(whereSeparator: \.isWhitespace)
        let matches = { (word: Substring) in terms.contains { word.lowercased().contains($0) } }
        let first = words.firstIndex(where: matches) ?? 0
        let start = max(0, first - 4)
        let end = min(words.count, start + 16)
        let shown = words[start..<end].map { matches($0) ? "[\($0)]" : String($0) }.joined(separator: " ")
        return (start > 0 ? "…" : "") + shown + (end < words.count ? "…" : "")
    }

    // MARK: - Verification

    /// Checks the store from its log up, changing nothing: copies the log and the state into a
    /// scratch SQLite store in memory and verifies it there (`Store.verifyCopy`), so both
    /// backends are checked by the same rules.
    ///
    /// - Complexity: a scan of every table, and a copy of the store in memory.
    public func verify() throws(StoreError) -> VerificationReport {
        try readTransaction { connection throws(StoreError) in
            try Store.verifyCopy { scratch in
                for row in try query(connection, "SELECT \(PostgresColumns.changeList), hash FROM change ORDER BY origin, seq") {
                    let hash = row.isNull(11) ? nil : try? ChangeHash(bytes: row.bytes(11))
                    _ = try scratch.insertChange(try row.change(), hash: hash)
                }
                for row in try query(connection, "SELECT origin, seq, content, hash FROM redacted") {
                    let content = try row.read("redacted") { () throws(ReplicationError) in try ContentDigest(bytes: row.bytes(2)) }
                    try scratch.insertPlaceholder(try row.changeID(0, table: "redacted"), content: content, hash: try row.hash(3, table: "redacted"))
                }
                for row in try query(connection, "SELECT replica, contiguous, head FROM origin") {
                    try scratch.saveChain(OriginChain(
                        origin: try row.replica(0, table: "origin"), seq: try row.uint64(1), head: try row.hash(2, table: "origin")))
                }
                for row in try query(connection, "SELECT id, kind, engagement, deleted FROM entity") {
                    let id = try row.entity(0, table: "entity")
                    try scratch.insertEntity(id, kind: try row.text(1), engagement: try row.entity(2, table: "entity"))
                    if try row.int64(3) != 0 { try scratch.setDeleted(true, entity: id) }
                }
                for row in try query(connection, "SELECT entity, field, origin, seq, stamp, type, value FROM field_value") {
                    try scratch.insertVisible(
                        try row.visibleValue(at: 2, table: "field_value"),
                        of: FieldKey(entity: try row.entity(0, table: "field_value"), field: try row.text(1)))
                }
                for row in try query(connection, "SELECT entity, field, origin, seq FROM superseded") {
                    try scratch.insertSuperseded(
                        try row.changeID(2, table: "superseded"),
                        of: FieldKey(entity: try row.entity(0, table: "superseded"), field: try row.text(1)))
                }
            }
        }
    }
}
