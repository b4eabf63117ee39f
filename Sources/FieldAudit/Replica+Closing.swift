import AuditModel
import AuditStore
import Replication

/// What accepting late changes did.
public enum LateAcceptance: Equatable, Sendable {
    /// No change was late and no new recommendation was given: nothing was written.
    case nothingLate
    /// The lead accepted this many late changes (possibly none, when only revising the recommendation).
    case accepted(count: Int, recommendation: Recommendation?)
}

extension Replica {
    /// Closes an engagement, freezing the report's conclusion. Lead only.
    ///
    /// Records, in one transaction, the status `closed`, the recommendation (by default the one
    /// the findings propose, `Recommendation.proposed(for:)`), the lead's conclusion if given, the
    /// time, and the version vector this replica holds: the changes the closing saw. Changes made
    /// elsewhere that the vector does not cover are still imported and kept, and are late
    /// (`Closing`) until the lead accepts them.
    ///
    /// - Throws: `.refused` unless this replica may edit the engagement (a lead, `Roster`); `.alreadyClosed`;
    ///   `.unresolvedConflict` naming the first field in conflict anywhere in the engagement,
    ///   since a frozen conclusion must not rest on a side nobody chose.
    public func closeEngagement(
        recommendation: Recommendation?, conclusion: String?, engagement reference: String?
    ) throws(FieldAuditError) -> Closing {
        let record = try record(of: try engagementID(reference))
        try requirePermission(toWrite: .engagement, field: Engagement.Field.status.rawValue, in: record.engagement.id)
        if let closedAt = record.engagement.closedAt, record.engagement.status == .closed {
            throw .alreadyClosed(engagement: record.engagement.id.description, closedAt: closedAt)
        }
        if let conflict = record.conflicts.first, let field = conflict.fields.first {
            throw .unresolvedConflict(entity: conflict.id.short, field: field)
        }
        let held = try perform { () throws(StoreError) in try store.vector() }
        let writes = Closing.writes(
            recommendation: recommendation ?? .proposed(for: record), conclusion: conclusion, at: now, holding: held)
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: record.engagement.id, kind: .engagement) }
        guard let closing = Closing(try self.record(of: record.engagement.id).engagement) else {
            throw .store(.unexpected("the engagement did not read back as closed"))
        }
        return closing
    }

    /// Accepts every late change this replica holds for a closed engagement, and optionally
    /// revises the recommendation in their light. Lead only.
    ///
    /// Acceptance records the version vector this replica holds, so changes that arrive after it
    /// are late in their turn.
    ///
    /// - Throws: `.refused` unless this replica may edit the engagement (a lead, `Roster`); `.notClosed`.
    public func acceptLateChanges(recommendation: Recommendation?, engagement reference: String?) throws(FieldAuditError) -> LateAcceptance {
        let record = try record(of: try engagementID(reference))
        try requirePermission(toWrite: .engagement, field: Engagement.Field.acceptedLateUpTo.rawValue, in: record.engagement.id)
        guard Closing(record.engagement) != nil else { throw .notClosed(engagement: record.engagement.id.description) }
        let late = try lateChanges(in: record)
        if late.isEmpty, recommendation == nil { return .nothingLate }
        let held = try perform { () throws(StoreError) in try store.vector() }
        let writes = Closing.acceptanceWrites(holding: held, recommendation: recommendation)
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: record.engagement.id, kind: .engagement) }
        return .accepted(count: late.count, recommendation: recommendation)
    }

    /// The changes of a closed engagement that neither the closing nor an acceptance covered,
    /// oldest stamp first; none while the engagement is open.
    ///
    /// - Complexity: proportional to the changes written after the closing, not to the store.
    public func lateChanges(in record: EngagementRecord) throws(FieldAuditError) -> [LateChange] {
        guard let closing = Closing(record.engagement) else { return [] }
        let held = try perform { () throws(StoreError) in try store.vector() }
        var origins = Set(held.map(\.origin))
        origins.formUnion(record.members.compactMap(\.replica))
        if let lead = record.engagement.lead { origins.insert(lead) }
        var late: [Change] = []
        for origin in origins {
            let after = closing.covered[origin]
            late += try perform { () throws(StoreError) in try store.changes(of: origin, after: after) }.filter(closing.isLate)
        }
        return late.sorted { ($0.stamp, $0.origin, $0.seq) < ($1.stamp, $1.origin, $1.seq) }
            .map { LateChange($0, author: record.memberName($0.origin)) }
    }
}
