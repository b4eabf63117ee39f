import GRDB
import Replication

/// A full-text match: the entity and field, and a snippet with the matched words in brackets.
public struct SearchHit: Hashable, Sendable {
    /// The entity whose text matched.
    public let entity: EntityID
    /// The entity's kind.
    public let kind: String
    /// The engagement the entity belongs to.
    public let engagement: EntityID
    /// The field whose text matched.
    public let field: String
    /// The matching text with `[` `]` around each matched word, cut to about 16 words.
    public let snippet: String

    /// A hit as a store found it.
    public init(entity: EntityID, kind: String, engagement: EntityID, field: String, snippet: String) {
        self.entity = entity
        self.kind = kind
        self.engagement = engagement
        self.field = field
        self.snippet = snippet
    }
}

extension Store {
    /// Searches the visible text of the searchable fields (SQLite FTS5, Unicode-aware, accents
    /// ignored), best match first. Deleted entities and superseded text are left out.
    ///
    /// `query` is FTS5 query syntax; plain words match entities containing all of them. A query
    /// FTS5 cannot parse is searched again as a quoted phrase. `limit` caps the hits returned
    /// (nil: all of them); `searchCount` says how many there are in all.
    public func search(_ query: String, engagement: EntityID? = nil, limit: Int? = 50) throws(StoreError) -> [SearchHit] {
        try withPhraseFallback(query) { query throws(StoreError) in try runSearch(query, engagement: engagement, limit: limit) }
    }

    /// How many hits `search` finds for `query` without a limit.
    public func searchCount(_ query: String, engagement: EntityID? = nil) throws(StoreError) -> Int {
        try withPhraseFallback(query) { query throws(StoreError) in
            var count = 0
            try readTransaction { db in
                try Self.forEachRow(db, "SELECT count(*) \(Self.matching)", bind: { Self.bind($0, query, engagement) }, table: "search") { row in
                    count = Int(row.int64(0))
                }
            }
            return count
        }
    }

    /// Runs `body` with `query`, and again with it as a quoted phrase if FTS5 cannot parse it.
    private func withPhraseFallback<T>(_ query: String, _ body: (String) throws(StoreError) -> T) throws(StoreError) -> T {
        do {
            return try body(query)
        } catch {
            return try body("\"" + query.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
        }
    }

    /// The visible, undeleted matches of `?1` in the engagement `?2` (all when NULL).
    private static let matching = """
        FROM search s
        JOIN field_value v ON v.entity = s.entity AND v.field = s.field AND v.origin = s.origin AND v.seq = s.seq
        JOIN entity e ON e.id = s.entity
        WHERE search MATCH ?1 AND e.deleted = 0 AND (?2 IS NULL OR e.engagement = ?2)
        """

    private static func bind(_ statement: SQLiteStatement, _ query: String, _ engagement: EntityID?) {
        statement.bind(query, at: 1)
        if let engagement { statement.bind(engagement, at: 2) } else { statement.bindNull(at: 2) }
    }

    private func runSearch(_ query: String, engagement: EntityID?, limit: Int?) throws(StoreError) -> [SearchHit] {
        try readTransaction { db in
            var hits: [SearchHit] = []
            try Self.forEachRow(
                db, "SELECT s.entity, e.kind, e.engagement, s.field, snippet(search, 0, '[', ']', '…', 16) \(Self.matching) ORDER BY rank LIMIT ?3",
                bind: {
                    Self.bind($0, query, engagement)
                    $0.bind(Int64(clamping: limit ?? -1), at: 3)
                }, table: "search"
            ) { row in
                hits.append(SearchHit(
                    entity: try EntityID(bytes: row.blob(0)), kind: row.text(1), engagement: try EntityID(bytes: row.blob(2)),
                    field: row.text(3), snippet: row.text(4)))
            }
            return hits
        }
    }
}
