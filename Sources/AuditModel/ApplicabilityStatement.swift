import Foundation
import Replication

/// One line of the auditee's Statement of Applicability: is an Annex A control applicable, why,
/// and how far it is implemented, as the auditee declared it.
///
/// Its id is derived from the engagement and the control, so one control has one entry.
public struct ApplicabilityStatement: Hashable, Sendable, Encodable {
    /// The field names a Statement of Applicability entry's change records use.
    public enum Field: String, CaseIterable { case ref, applicable, justification, status }

    /// The entry's id, derived from the engagement and the control (`id(engagement:ref:)`).
    public let id: EntityID
    /// The Annex A control the entry declares, as the catalog writes it (`A.6.2.8`).
    public var ref: String
    /// Whether the auditee declares the control applicable; `false` also when the entry never said.
    ///
    /// ISO/IEC 42001 §6.1.3 asks the organisation to justify every exclusion: see `justification`.
    public var applicable: Bool
    /// Why the control is included or excluded, as the auditee wrote it.
    public var justification: String?
    /// How far the auditee says the control is implemented; `nil` if not declared.
    public var status: ImplementationStatus?
    /// Fields edited concurrently and not yet resolved, sorted.
    public var conflicts: [String]

    /// Reads an entry from its entity's snapshot, taking each field's winning value.
    ///
    /// Returns `nil` when the snapshot is not a `soa` entity, is deleted, or names no control.
    init?(_ snapshot: EntitySnapshot) {
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

    /// The fields of an entry for a requirement, checked against the rule of ISO/IEC 42001 §6.1.3:
    /// clauses are mandatory and cannot be excluded; a control may be excluded only with a
    /// justification, given here or already recorded in `existing`. `nil` leaves a field as it is.
    ///
    /// `soa set` and `soa import` both write through this, so they accept and refuse the same entries.
    /// `ref` is the requirement's stored reference (`Standards.Reference.stored`), its own `ref` by default.
    /// - Throws: `AuditModelError.mandatoryRequirement` for an excluded clause,
    ///   `.exclusionWithoutJustification` for an excluded control that has no justification.
    public static func checkedWrites(
        for requirement: Catalog.Requirement, in catalog: Catalog, storedAs ref: String? = nil, applicable: Bool?, justification: String?,
        status: ImplementationStatus?, existing: ApplicabilityStatement?
    ) throws(AuditModelError) -> FieldWrites {
        if applicable == false {
            guard requirement.kind == .control else { throw .mandatoryRequirement(requirement.ref, catalog: catalog.displayName) }
            let reason = justification ?? existing?.justification
            guard let reason, !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw .exclusionWithoutJustification(requirement.ref)
            }
        }
        return writes(ref: ref ?? requirement.ref, applicable: applicable, justification: justification, status: status)
    }

    /// The fields of an entry, unchecked; `nil` leaves a field as it is. Writers use
    /// `checkedWrites(for:in:applicable:justification:status:existing:)`.
    public static func writes(ref: String, applicable: Bool?, justification: String?, status: ImplementationStatus?) -> FieldWrites {
        var writes: FieldWrites = [(Field.ref.rawValue, .text(ref))]
        if let applicable { writes.append((Field.applicable.rawValue, .bool(applicable))) }
        if let justification { writes.append((Field.justification.rawValue, .text(justification))) }
        if let status { writes.append((Field.status.rawValue, .text(status.rawValue))) }
        return writes
    }
}
