/// What can go wrong with replication values: each case says what was wrong and with which value.
public enum ReplicationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A value could not be read: `what` names the kind of value, `reason` what was wrong with it.
    case malformed(what: String, reason: String)
    /// A change breaks an invariant of the change record (for example a transaction id above its seq).
    case invalidChange(ChangeID, reason: String)
    /// Two different changes claim the same id: the origin's history was forked or forged.
    case equivocation(ChangeID)
    /// A change names an entity under another kind or engagement than its earlier changes gave it.
    case entityMismatch(ChangeID, entity: EntityID, held: String, found: String)

    /// The message a user reads: which value or change, and what was wrong with it.
    public var description: String {
        switch self {
        case let .malformed(what, reason):
            "malformed \(what): \(reason)"
        case let .invalidChange(id, reason):
            "change \(id) is invalid: \(reason)"
        case let .equivocation(id):
            "two different changes claim the id \(id); the origin's history was forked or tampered with, so neither copy can be trusted without checking its signature"
        case let .entityMismatch(id, entity, held, found):
            "change \(id) writes entity \(entity) as a \(found), but it is a \(held)"
        }
    }
}
