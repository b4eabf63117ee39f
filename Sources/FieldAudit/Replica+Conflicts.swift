import AuditModel
import AuditStore
import Replication

/// A field edited concurrently, with every value kept.
public struct Conflict: Sendable {
    /// The entity's kind.
    public let kind: String
    /// The entity whose field is in conflict.
    public let entity: EntityID
    /// The field in conflict.
    public let field: String
    /// Every visible value, winner first, with who wrote it.
    public let values: [(value: Value, change: ChangeID, author: String, stamp: Timestamp)]
}

extension Replica {
    /// Every unresolved conflict in an engagement (or all engagements).
    public func conflicts(engagement reference: String?) throws(FieldAuditError) -> [Conflict] {
        let scope = try reference.map { reference throws(FieldAuditError) in try engagementID(reference) }
        let all = try perform { () throws(StoreError) in try store.conflicts() }
        var names: [EntityID: EngagementRecord] = [:]
        var conflicts: [Conflict] = []
        for conflict in all {
            if let scope, conflict.engagement != scope { continue }
            // Authors' names come from the team: the engagement and its members are enough.
            if names[conflict.engagement] == nil { names[conflict.engagement] = try? record(of: conflict.engagement, kinds: []) }
            let record = names[conflict.engagement]
            conflicts.append(Conflict(
                kind: conflict.kind, entity: conflict.key.entity, field: conflict.key.field,
                values: conflict.state.values.map { value in
                    (value.value, value.id, record?.memberName(value.id.origin) ?? value.id.origin.short, value.stamp)
                }))
        }
        return conflicts
    }

    /// Resolves a conflict by keeping one of its values (`take`, 1 = the first shown) or a new
    /// value; the write supersedes every value, so every replica that learns of it agrees. An
    /// engagement's `catalogs` and `mappings` fields (standards and mapping sets, only ever added)
    /// resolve to the list of everything any value holds, whichever value is taken.
    ///
    /// In a closed engagement only a lead resolves (conflicts there come from late changes), and
    /// the resolution is accepted at once in the same transaction (a `LateDecision` by its
    /// author), so it is not itself flagged late.
    public func resolve(
        entity reference: String, field: String, take: Int?, value: Value?, engagement: String?
    ) throws(FieldAuditError) -> Change {
        let record = try record(of: try engagementID(engagement))
        let closed = Closing(record.engagement) != nil
        if closed {
            try requirePermission(toWrite: .lateDecision, field: LateDecision.Field.verdict.rawValue, in: record.engagement.id)
        }
        let candidates = try perform { () throws(StoreError) in try store.snapshots(engagement: record.engagement.id) }
        let id = try resolve(reference, among: candidates.map(\.id), kind: "entity")
        guard let snapshot = candidates.first(where: { $0.id == id }) else { throw .notFound(kind: "entity", id: reference) }
        guard let state = snapshot.fields[field] else {
            throw .nothingToResolve(entity: id.short, field: field, reason: "the field was never written")
        }
        let chosen: Value
        if snapshot.kind == EntityKind.engagement.rawValue, let union = Engagement.unionWrites(of: field, in: record.standards) {
            // Standards and mapping sets are only ever added: the resolution keeps every one any
            // side recorded, whatever is asked, so that no standard is dropped by choosing a side.
            guard state.isConflict else { throw .nothingToResolve(entity: id.short, field: field, reason: "it has a single value") }
            guard value == nil else {
                throw .nothingToResolve(entity: id.short, field: field, reason: "its value is the list of every standard or mapping set recorded; resolve it with --take 1 to keep them all")
            }
            chosen = union[0].value
        } else if let take {
            guard state.isConflict else { throw .nothingToResolve(entity: id.short, field: field, reason: "it has a single value") }
            guard (1...state.values.count).contains(take) else {
                throw .nothingToResolve(entity: id.short, field: field, reason: "--take must be between 1 and \(state.values.count)")
            }
            chosen = state.values[take - 1].value
        } else if let value {
            chosen = value
        } else {
            throw .nothingToResolve(entity: id.short, field: field, reason: "say which value to keep with --take N or --value TEXT")
        }
        guard let kind = EntityKind(rawValue: snapshot.kind) else { throw .notFound(kind: "entity", id: reference) }
        let (time, lead) = (now, name)
        return try write(in: record.engagement.id) { writer in
            try writer.put([(field, chosen)], entity: id, kind: kind)
            let resolution = writer.transaction.written.last!
            if closed {
                try writer.put(
                    LateDecision.writes(
                        change: resolution.id, verdict: .accepted, reason: "the lead's resolution of a conflict after closing",
                        decidedBy: lead, at: time),
                    entity: LateDecision.id(engagement: record.engagement.id, change: resolution.id), kind: .lateDecision)
            }
            return resolution
        }
    }
}
