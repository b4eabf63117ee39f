import AuditStore
import Foundation
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

    /// A new time-ordered entity id, bound to this replica as its creator
    /// (`EntityID.make(milliseconds:creator:using:)`), never one this process made before.
    public func makeEntityID() -> EntityID {
        var generator = SystemRandomNumberGenerator()
        let milliseconds = clock.now()
        while true {
            let id = EntityID.make(milliseconds: milliseconds, creator: identity.id, using: &generator)
            if IssuedIDs.shared.claim(id) { return id }
        }
    }
}

/// The ids this process made in the current millisecond: a creator-bound id keeps 26 random bits
/// per millisecond, so a burst of ids (a large CSV import) is checked for repeats.
private final class IssuedIDs: @unchecked Sendable {
    static let shared = IssuedIDs()
    private let lock = NSLock()
    private var milliseconds: UInt64 = 0
    private var issued = Set<EntityID>()

    /// Whether `id` is new in its millisecond; records it.
    func claim(_ id: EntityID) -> Bool {
        lock.withLock {
            if id.milliseconds != milliseconds {
                milliseconds = id.milliseconds
                issued.removeAll(keepingCapacity: true)
            }
            return issued.insert(id).inserted
        }
    }
}
