import Replication

/// An AI system in the auditee's inventory.
public struct AISystem: Hashable, Sendable, Encodable {
    public enum Field: String, CaseIterable { case name, purpose, role, riskClass }

    public let id: EntityID
    public var name: String
    public var purpose: String?
    /// The organisation's role towards the system.
    public var role: AISystemRole?
    public var riskClass: RiskClass?
    public var conflicts: [String]

    public init?(_ snapshot: EntitySnapshot) {
        guard snapshot.kind == EntityKind.system.rawValue, !snapshot.deleted else { return nil }
        id = snapshot.id
        name = snapshot.text(Field.name.rawValue) ?? ""
        purpose = snapshot.text(Field.purpose.rawValue)
        role = snapshot.choice(Field.role.rawValue)
        riskClass = snapshot.choice(Field.riskClass.rawValue)
        conflicts = snapshot.conflictedFields
    }

    public static func writes(name: String, purpose: String?, role: AISystemRole, riskClass: RiskClass) throws(AuditModelError) -> FieldWrites {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw .missing(field: "system name") }
        var writes: FieldWrites = [
            (Field.name.rawValue, .text(name)), (Field.role.rawValue, .text(role.rawValue)),
            (Field.riskClass.rawValue, .text(riskClass.rawValue)),
        ]
        if let purpose { writes.append((Field.purpose.rawValue, .text(purpose))) }
        return writes
    }
}
