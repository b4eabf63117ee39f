extension Roster {
    /// The entity kinds a roster is read from: the engagement itself (its founding claim and
    /// lead) and its team members. Stores are told them; they know no domain words.
    public static let entityKinds: [EntityKind] = [.engagement, .member]
}
