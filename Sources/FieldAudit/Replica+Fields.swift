import AuditStore
import Replication

extension Replica {
    /// Low-level write of one field, for scripts and tests: the domain commands build on the same path.
    ///
    /// The change supersedes every visible value of the field, so it also resolves a conflict.
    /// The engagement's roster rules hold here as for every write (`write(in:)`).
    @discardableResult
    public func set(
        _ value: Value, field: String, of entity: EntityID, kind: String, engagement: EntityID
    ) throws(FieldAuditError) -> Change {
        try write(in: engagement) { writer in
            try writer.transaction.set(value, field, of: entity, kind: kind, engagement: engagement)
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
