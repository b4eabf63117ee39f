import AuditStore

/// A full-text match (`Replica.search`): the entity and field, and a snippet of the matching text.
public struct SearchHit: Hashable, Sendable {
    /// The entity whose text matched.
    public let entity: EntityID
    /// The entity's kind (`note`, `finding`, …).
    public let kind: String
    /// The engagement the entity belongs to.
    public let engagement: EntityID
    /// The field whose text matched.
    public let field: String
    /// The matching text with `[` `]` around each matched word, cut to about 16 words. It is text
    /// someone wrote: escape it before showing it on a terminal.
    public let snippet: String

    /// The front door's copy of a store hit.
    init(_ hit: AuditStore.SearchHit) {
        (entity, kind, engagement, field, snippet) = (hit.entity, hit.kind, hit.engagement, hit.field, hit.snippet)
    }
}
