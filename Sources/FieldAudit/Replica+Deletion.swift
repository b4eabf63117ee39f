import AuditModel
import AuditStore
import Foundation
import Replication

/// An entity marked deleted (or just restored), as `delete`, `restore` and the `--deleted`
/// lists show it.
public struct DeletedEntity: Sendable, Encodable {
    /// The entity's id.
    public let id: EntityID
    /// Its kind (`system`, `test`, …).
    public let kind: String
    /// What it is, in a few words: a system's name, a finding's statement, a note's text.
    public let label: String
    /// Who wrote its current `deleted` value, by name when on the team; `nil` if never deleted.
    public let deletedBy: String?
    /// When, Unix milliseconds.
    public let deletedAt: Int64?
    /// The reason given when it was deleted, if any.
    public let reason: String?
}

/// The kinds of entity a user creates, which `delete` and `restore` accept. (Team members leave
/// through `team remove`; the engagement itself is not deleted.)
public enum DeletableKind: String, CaseIterable, Sendable {
    case system, test, evidence, link, interview, note, finding, soa

    /// The entity kind of the same name.
    public var entityKind: EntityKind { EntityKind(rawValue: rawValue)! }
}

extension Replica {
    /// The entity kinds `delete` and `restore` accept: `DeletableKind`'s.
    public static let deletableKinds = DeletableKind.allCases.map(\.entityKind)

    /// The field that keeps why an entity was deleted; like every field, a replicated change.
    public static let deletionReasonField = "deletedReason"

    /// Marks an entity deleted, with a reason: a change to its `deleted` field (and one to its
    /// reason), replicated like any other; the entity and its history stay, lists and reports
    /// leave it out, and `restore` brings it back. Deleting a deleted entity changes nothing.
    ///
    /// `reference` is an id, a unique prefix or suffix; for a system also its name, for a
    /// Statement of Applicability entry its control (`A.6.2.8`).
    ///
    /// - Throws: `.notFound`/`.ambiguous` for the reference; `.refused` when the roster does not
    ///   let this replica delete it (an auditor deletes only what it recorded; a lead anything).
    /// - Returns: the entity as it now is, and whether anything was written.
    public func delete(
        _ kind: EntityKind, _ reference: String, reason: String?, engagement: String?
    ) throws(FieldAuditError) -> (entity: DeletedEntity, changed: Bool) {
        try setDeleted(true, kind, reference, reason: reason, engagement: engagement)
    }

    /// Clears an entity's deletion: a change to its `deleted` field that supersedes the
    /// deletion; restoring an entity that is not deleted changes nothing. A deletion and a
    /// restoration made concurrently are a conflict of that field, kept and shown like any other.
    ///
    /// - Throws: as `delete`.
    public func restore(_ kind: EntityKind, _ reference: String, engagement: String?) throws(FieldAuditError) -> (entity: DeletedEntity, changed: Bool) {
        try setDeleted(false, kind, reference, reason: nil, engagement: engagement)
    }

    /// The deleted entities of a kind in an engagement, oldest first.
    public func deletedEntities(_ kind: EntityKind, engagement: String?) throws(FieldAuditError) -> [DeletedEntity] {
        let record = try record(of: try engagementID(engagement), kinds: [])
        let snapshots = try perform { () throws(StoreError) in
            try store.snapshots(engagement: record.engagement.id, kinds: [kind.rawValue])
        }
        return snapshots.filter(\.deleted).map { describe($0, in: record) }
    }

    private func setDeleted(
        _ deleted: Bool, _ kind: EntityKind, _ reference: String, reason: String?, engagement: String?
    ) throws(FieldAuditError) -> (entity: DeletedEntity, changed: Bool) {
        guard Self.deletableKinds.contains(kind) else {
            throw .invalidInput(source: kind.rawValue, reason: "only \(Self.deletableKinds.map(\.rawValue).joined(separator: ", ")) can be deleted and restored")
        }
        let record = try capturing(in: engagement, kinds: [])
        let snapshots = try perform { () throws(StoreError) in
            try store.snapshots(engagement: record.engagement.id, kinds: [kind.rawValue])
        }
        let snapshot = try find(reference, kind: kind, among: snapshots, in: record)
        guard snapshot.deleted != deleted else { return (describe(snapshot, in: record), false) }
        // Who may delete what is the roster's rule, checked as the write commits (`write(in:)`).
        try write(in: record.engagement.id) { writer in
            if deleted {
                try writer.delete(snapshot.id, kind: kind)
                if let reason, !reason.isEmpty {
                    try writer.put([(Self.deletionReasonField, .text(reason))], entity: snapshot.id, kind: kind)
                }
            } else {
                try writer.restore(snapshot.id, kind: kind)
            }
        }
        let updated = try perform { () throws(StoreError) in try store.snapshot(snapshot.id) } ?? snapshot
        return (describe(updated, in: record), true)
    }

    /// The one entity of `kind` that `reference` names: by id, prefix or suffix, or by a
    /// system's name or a control's reference.
    private func find(_ reference: String, kind: EntityKind, among snapshots: [EntitySnapshot], in record: EngagementRecord) throws(FieldAuditError) -> EntitySnapshot {
        switch kind {
        case .system:
            let named = snapshots.filter { AISystem.identity(of: $0.fields[AISystem.Field.name.rawValue]?.winner.value.text ?? "") == AISystem.identity(of: reference) }
            if named.count == 1 { return named[0] }
            if named.count > 1, let live = named.filter({ !$0.deleted }).first, named.filter({ !$0.deleted }).count == 1 { return live }
        case .soa:
            if let requirement = try? record.standards.resolve(reference) {
                let id = ApplicabilityStatement.id(engagement: record.engagement.id, ref: requirement.stored)
                if let entry = snapshots.first(where: { $0.id == id }) { return entry }
            }
        default: break
        }
        let id = try resolve(reference, among: snapshots.map(\.id), kind: kind.rawValue)
        guard let snapshot = snapshots.first(where: { $0.id == id }) else { throw .notFound(kind: kind.rawValue, id: reference) }
        return snapshot
    }

    /// An entity as the deletion commands show it.
    private func describe(_ snapshot: EntitySnapshot, in record: EngagementRecord) -> DeletedEntity {
        func text(_ field: String) -> String? { snapshot.fields[field]?.winner.value.text }
        let label: String = switch snapshot.kind {
        case EntityKind.system.rawValue: text(AISystem.Field.name.rawValue) ?? ""
        case EntityKind.test.rawValue:
            [text(ControlTest.Field.ref.rawValue), text(ControlTest.Field.method.rawValue), text(ControlTest.Field.result.rawValue)]
                .compactMap { $0 }.joined(separator: " ")
        case EntityKind.evidence.rawValue: text(Evidence.Field.name.rawValue) ?? ""
        case EntityKind.link.rawValue: "→ " + (text(EvidenceLink.Field.target.rawValue) ?? "")
        case EntityKind.interview.rawValue: text(Interview.Field.interviewee.rawValue) ?? ""
        case EntityKind.note.rawValue: text(Note.Field.text.rawValue) ?? ""
        case EntityKind.finding.rawValue: text(Finding.Field.statement.rawValue) ?? ""
        case EntityKind.soa.rawValue: text(ApplicabilityStatement.Field.ref.rawValue) ?? ""
        default: ""
        }
        let deletion = snapshot.fields[Change.deletedField]?.winner
        return DeletedEntity(
            id: snapshot.id, kind: snapshot.kind, label: label,
            deletedBy: deletion.map { record.memberName($0.id.origin) }, deletedAt: deletion.map { Int64($0.stamp.milliseconds) },
            reason: snapshot.deleted ? text(Self.deletionReasonField) : nil)
    }
}
