/// One entity as a replica holds it: kind, engagement, deletion flag and every field's state.
///
/// The domain reads its values from snapshots; a field in conflict reads as its winner, and the
/// domain flags it.
public struct EntitySnapshot: Hashable, Sendable {
    public let id: EntityID
    public let kind: String
    public let engagement: EntityID
    /// Whether the winner of the `deleted` field is true.
    public let deleted: Bool
    /// Every field written, by name.
    public let fields: [String: FieldState]

    public init(id: EntityID, kind: String, engagement: EntityID, deleted: Bool, fields: [String: FieldState]) {
        self.id = id
        self.kind = kind
        self.engagement = engagement
        self.deleted = deleted
        self.fields = fields
    }
}
