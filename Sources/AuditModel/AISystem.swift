import Replication

/// An AI system in the auditee's inventory.
public struct AISystem: Hashable, Sendable, Encodable {
    /// The field names an AI system's change records use; `rawValue` is what the store and bundles carry.
    public enum Field: String, CaseIterable { case name, purpose, role, riskClass }

    /// The system's entity id, a UUIDv7 minted when the system was added to the inventory.
    public let id: EntityID
    /// The name the auditee uses for the system (`TriageNet`); empty only if no change ever named it.
    public var name: String
    /// What the system is for, in the auditee's words (the intended purpose, in the EU AI Act's sense).
    public var purpose: String?
    /// The organisation's role towards the system.
    public var role: AISystemRole?
    /// The EU AI Act risk class the auditee assigns to the system; `nil` if none was recorded.
    public var riskClass: RiskClass?
    /// Fields edited concurrently and not yet resolved, sorted.
    public var conflicts: [String]

    /// Reads a system from its entity's snapshot, taking each field's winning value.
    ///
    /// Returns `nil` when the snapshot is not a `system` entity or has been deleted.
    init?(_ snapshot: EntitySnapshot) {
        guard snapshot.kind == EntityKind.system.rawValue, !snapshot.deleted else { return nil }
        id = snapshot.id
        name = snapshot.text(Field.name.rawValue) ?? ""
        purpose = snapshot.text(Field.purpose.rawValue)
        role = snapshot.choice(Field.role.rawValue)
        riskClass = snapshot.choice(Field.riskClass.rawValue)
        conflicts = snapshot.conflictedFields
    }

    /// What makes two names name the same system in one engagement: the name lowercased,
    /// without spaces (`Triage Net` and `triagenet` are one system).
    public static func identity(of name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { !$0.properties.isWhitespace })
    }

    /// The fields that add a system to the inventory; no purpose leaves that field unwritten.
    ///
    /// - Throws: `AuditModelError.missing` when `name` is empty or only spaces.
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
