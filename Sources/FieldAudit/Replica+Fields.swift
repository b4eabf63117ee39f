import AuditStore
import Replication

extension Replica {
    /// Low-level write of one field, for scripts and tests: the domain commands build on the same path.
    ///
    /// The change supersedes every visible value of the field, so it also resolves a conflict.
    /// The engagement's roster rules hold here too (`Roster`), once the engagement has a founder.
    @discardableResult
    public func set(
        _ value: Value, field: String, of entity: EntityID, kind: String, engagement: EntityID
    ) throws(FieldAuditError) -> Change {
        do {
            let roster = try roster(of: engagement)
            if roster.founder != nil, let refusal = roster.refusal(of: ChangeID(origin: identity.id, seq: 0), kind: kind, field: field) {
                throw FieldAuditError.notPermitted(action: "write that (\(refusal))", role: roster.members[identity.id]?.role.rawValue ?? "none")
            }
            return try store.write(as: identity.id) { transaction in
                try transaction.set(value, field, of: entity, kind: kind, engagement: engagement)
            }
        } catch {
            throw Self.wrap(error)
        }
    }

    /// Every field of an entity with its visible values.
    public func fields(of entity: EntityID) throws(FieldAuditError) -> [String: FieldState] {
        try perform { () throws(StoreError) in try store.fields(of: entity) }
    }

    /// A new time-ordered entity id.
    public func makeEntityID() -> EntityID {
        var generator = SystemRandomNumberGenerator()
        return EntityID.make(milliseconds: clock.now(), using: &generator)
    }
}
