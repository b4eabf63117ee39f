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
    /// A link is not the next of its origin's chain (`expected`): it leaves a gap, or repeats or
    /// reorders links already chained.
    case notNextLink(ChangeID, expected: ChangeID)
    /// A link's derived chain hash is not the one recorded for it: the change, or one before it,
    /// differs from what the recorder chained.
    case chainHashMismatch(ChangeID, recorded: ChangeHash, derived: ChangeHash)

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
        case let .notNextLink(id, expected):
            "change \(id) does not extend its origin's chain: seq \(expected.seq) comes next"
        case let .chainHashMismatch(id, recorded, derived):
            "change \(id) does not extend its origin's chain: its hash is \(derived.hex.prefix(16))…, but \(recorded.hex.prefix(16))… was recorded; the change or one before it was altered"
        }
    }
}
