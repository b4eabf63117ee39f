/// One entity as a replica holds it: kind, engagement, deletion flag and every field's state.
///
/// The domain reads its values from snapshots; a field in conflict reads as its winner, and the
/// domain flags it.
public struct EntitySnapshot: Hashable, Sendable {
    /// The entity's id.
    public let id: EntityID
    /// The entity's kind, as its first change named it (`finding`, `note`, …); later changes must agree.
    public let kind: String
    /// The engagement the entity belongs to; an engagement's own snapshot names itself.
    public let engagement: EntityID
    /// Whether the winner of the `deleted` field is true.
    public let deleted: Bool
    /// Every field written, by name.
    public let fields: [String: FieldState]

    /// A snapshot of held state; the store builds these, and tests build them by hand.
    public init(id: EntityID, kind: String, engagement: EntityID, deleted: Bool, fields: [String: FieldState]) {
        self.id = id
        self.kind = kind
        self.engagement = engagement
        self.deleted = deleted
        self.fields = fields
    }
}
