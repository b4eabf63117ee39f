import GRDB
import Replication

/// A full-text match: the entity and field, and a snippet with the matched words in brackets.
public struct SearchHit: Hashable, Sendable {
    public let entity: EntityID
    public let kind: String
    public let engagement: EntityID
    public let field: String
    /// The matching text with `[` `]` around each matched word, cut to about 16 words.
    public let snippet: String
}

extension Store {
    /// Searches the visible text of the searchable fields (SQLite FTS5, Unicode-aware, accents
    /// ignored), best match first. Deleted entities and superseded text are left out.
    ///
    /// `query` is FTS5 query syntax; plain words match entities containing all of them. A query
    /// FTS5 cannot parse is searched again as a quoted phrase.
    public func search(_ query: String, engagement: EntityID? = nil, limit: Int = 50) throws(StoreError) -> [SearchHit] {
        do {
            return try runSearch(query, engagement: engagement, limit: limit)
        } catch {
            let phrase = "\"" + query.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return try runSearch(phrase, engagement: engagement, limit: limit)
        }
    }

    private func runSearch(_ query: String, engagement: EntityID?, limit: Int) throws(StoreError) -> [SearchHit] {
        try readTransaction { db in
            var hits: [SearchHit] = []
            try Self.forEachRow(db, """
                SELECT s.entity, e.kind, e.engagement, s.field, snippet(search, 0, '[', ']', '…', 16)
                FROM search s
                JOIN field_value v ON v.entity = s.entity AND v.field = s.field AND v.origin = s.origin AND v.seq = s.seq
                JOIN entity e ON e.id = s.entity
                WHERE search MATCH ?1 AND e.deleted = 0 AND (?2 IS NULL OR e.engagement = ?2)
                ORDER BY rank
                LIMIT ?3
                """, bind: {
                    $0.bind(query, at: 1)
                    if let engagement { $0.bind(blob: engagement.bytes, at: 2) } else { $0.bindNull(at: 2) }
                    $0.bind(Int64(clamping: limit), at: 3)
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
