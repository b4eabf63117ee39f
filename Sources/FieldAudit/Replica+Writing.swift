import AuditModel
import AuditStore
import Replication

/// Writes entities' fields inside one store transaction: one command, one transaction.
public struct EntityWriter {
    var transaction: LocalTransaction
    let engagement: EntityID

    /// Writes fields of an entity of the engagement; each write supersedes the field's visible values.
    mutating func put(_ writes: FieldWrites, entity: EntityID, kind: EntityKind) throws {
        for (field, value) in writes {
            try transaction.set(value, field, of: entity, kind: kind.rawValue, engagement: engagement)
        }
    }

    /// The visible values of a field, as this transaction sees them.
    func state(of entity: EntityID, _ field: String) throws -> FieldState? {
        try transaction.state(of: FieldKey(entity: entity, field: field))
    }

    /// Marks an entity deleted.
    mutating func delete(_ entity: EntityID, kind: EntityKind) throws {
        try transaction.delete(entity, kind: kind.rawValue, engagement: engagement)
    }
}

extension Replica {
    /// Runs one command's writes in one durable transaction in `engagement`.
    func write<T>(in engagement: EntityID, _ body: (inout EntityWriter) throws -> T) throws(FieldAuditError) -> T {
        // Every writing command clears what killed ones left in the blob folder (`verify` lists it).
        blobs.removeAbandonedScratch()
        do {
            return try store.write(as: identity.id) { transaction in
                var writer = EntityWriter(transaction: transaction, engagement: engagement)
                defer { transaction = writer.transaction }
                return try body(&writer)
            }
        } catch {
            throw Self.wrap(error)
        }
    }

    /// Maps any error to `FieldAuditError`.
    static func wrap(_ error: any Error) -> FieldAuditError {
        switch error {
        case let error as FieldAuditError: error
        case let error as StoreError: .store(error)
        case let error as AuditModelError: .model(error)
        default: .store(.unexpected("\(error)"))
        }
    }

    /// Runs domain validation, wrapping its error.
    func validate<T>(_ body: () throws(AuditModelError) -> T) throws(FieldAuditError) -> T {
        do { return try body() } catch { throw .model(error) }
    }
}
