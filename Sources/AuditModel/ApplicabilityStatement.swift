import Replication

/// One line of the auditee's Statement of Applicability: is an Annex A control applicable, why,
/// and how far it is implemented, as the auditee declared it.
///
/// Its id is derived from the engagement and the control, so one control has one entry.
public struct ApplicabilityStatement: Hashable, Sendable, Encodable {
    public enum Field: String, CaseIterable { case ref, applicable, justification, status }

    public let id: EntityID
    public var ref: String
    public var applicable: Bool
    public var justification: String?
    public var status: ImplementationStatus?
    public var conflicts: [String]

    public init?(_ snapshot: EntitySnapshot) {
        guard snapshot.kind == EntityKind.soa.rawValue, !snapshot.deleted, let ref = snapshot.text(Field.ref.rawValue) else { return nil }
        id = snapshot.id
        self.ref = ref
        applicable = snapshot.flag(Field.applicable.rawValue)
        justification = snapshot.text(Field.justification.rawValue)
        status = snapshot.choice(Field.status.rawValue)
        conflicts = snapshot.conflictedFields
    }

    /// The entry's id for a control in an engagement.
    public static func id(engagement: EntityID, ref: String) -> EntityID {
        .derived(namespace: "fieldaudit.soa", engagement.bytes, Array(ref.utf8))
    }

    /// The fields of an entry; `nil` leaves a field as it is.
    public static func writes(ref: String, applicable: Bool?, justification: String?, status: ImplementationStatus?) -> FieldWrites {
        var writes: FieldWrites = [(Field.ref.rawValue, .text(ref))]
        if let applicable { writes.append((Field.applicable.rawValue, .bool(applicable))) }
        if let justification { writes.append((Field.justification.rawValue, .text(justification))) }
        if let status { writes.append((Field.status.rawValue, .text(status.rawValue))) }
        return writes
    }
}
