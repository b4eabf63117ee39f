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
    /// What closing the engagement now would have to say: what is not covered, what is open, and
    /// what the findings propose (`ClosingReview`).
    public func closingReview(engagement reference: String?) throws(FieldAuditError) -> ClosingReview {
        ClosingReview(try record(of: try engagementID(reference)))
    }

    /// Closes an engagement, freezing the report's conclusion, and signs it. Lead only.
    ///
    /// Records, in one transaction, the status `closed`, the recommendation (by default the one
    /// the findings propose, `Recommendation.proposed(for:)`), the lead's conclusion if given, the
    /// time, the version vector this replica holds (the changes the closing saw), the lead's
    /// signature bound to this closing, and the justification and proposed surveillance date when
    /// given. Changes made elsewhere that the vector does not cover are still imported and kept,
    /// and are late (`Closing`) until the lead decides about them.
    ///
    /// - Throws: `.refused` unless this replica may edit the engagement (a lead, `Roster`); `.alreadyClosed`;
    ///   `.unresolvedConflict` naming the first field in conflict anywhere in the engagement,
    ///   since a frozen conclusion must not rest on a side nobody chose; `.unsupportedRecommendation`
    ///   for "certify" while a major nonconformity is open or a mandatory clause was not examined
    ///   (`ClosingReview`), unless a justification is given; `.model` for a malformed surveillance date.
    public func closeEngagement(
        recommendation: Recommendation?, conclusion: String?, justification: String? = nil, surveillanceDate: String? = nil,
        engagement reference: String?
    ) throws(FieldAuditError) -> Closing {
        let record = try record(of: try engagementID(reference))
        try requirePermission(toWrite: .engagement, field: Engagement.Field.status.rawValue, in: record.engagement.id)
        if let closedAt = record.engagement.closedAt, record.engagement.status == .closed {
            throw .alreadyClosed(engagement: record.engagement.id.description, closedAt: closedAt)
        }
        if let conflict = record.conflicts.first, let field = conflict.fields.first {
            throw .unresolvedConflict(entity: conflict.id.short, field: field)
        }
        let review = ClosingReview(record)
        let chosen = recommendation ?? review.proposed
        let justified = !(justification ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        let reasons = review.reasons(against: chosen)
        if !reasons.isEmpty, !justified {
            throw .unsupportedRecommendation(recommendation: chosen.rawValue, reasons: reasons)
        }
        if let surveillanceDate {
            _ = try validate { () throws(AuditModelError) in try PlanSettings(surveillanceDate: surveillanceDate).writes(for: record.engagement) }
        }
        let held = try perform { () throws(StoreError) in try store.vector() }
        let writes = Closing.writes(
            recommendation: chosen, conclusion: conclusion, at: now, holding: held, signedBy: identity.id,
            justification: justification, surveillanceDate: surveillanceDate)
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: record.engagement.id, kind: .engagement) }
        guard let closing = Closing(try self.record(of: record.engagement.id).engagement) else {
            throw .store(.unexpected("the engagement did not read back as closed"))
        }
        return closing
    }

    /// Decides about late changes one by one: accepts them, or rejects them with a reason (a
    /// rejected change stays in the record, shown as rejected, never deleted). Lead only; works
    /// on any replica that holds the lead's key, the central's included.
    ///
    /// `changes` name late changes as `engagement late` shows them (`origin-short:seq`) or in full
    /// (`origin-hex:seq`); a change already decided may be decided again (the new decision
    /// supersedes the old one everywhere). All are checked before anything is written.
    ///
    /// - Throws: `.notClosed`; `.notFound` for a change that is not late here; `.model` for a
    ///   rejection without a reason; `.refused` unless this replica is a lead.
    public func decideLateChanges(
        _ changes: [String], verdict: LateVerdict, reason: String?, engagement reference: String?
    ) throws(FieldAuditError) -> [LateChange] {
        let record = try record(of: try engagementID(reference))
        try requirePermission(toWrite: .lateDecision, field: LateDecision.Field.verdict.rawValue, in: record.engagement.id)
        guard Closing(record.engagement) != nil else { throw .notClosed(engagement: record.engagement.id.description) }
        guard !changes.isEmpty else { throw .model(.missing(field: "the late changes to decide about (CHANGE…, as `fieldaudit engagement late` lists them)")) }
        let late = try lateChanges(in: record, includingDecided: true)
        var chosen: [LateChange] = []
        for reference in changes {
            let wanted = reference.lowercased()
            guard let match = late.first(where: { $0.change == wanted || LateDecision.key(of: $0.id) == wanted }) else {
                throw .notFound(kind: "late change", id: reference)
            }
            if !chosen.contains(match) { chosen.append(match) }
        }
        let time = now
        var writes: [(LateChange, FieldWrites)] = []
        for late in chosen {
            writes.append((late, try validate { () throws(AuditModelError) in
                try LateDecision.writes(change: late.id, verdict: verdict, reason: reason, decidedBy: name, at: time)
            }))
        }
        try write(in: record.engagement.id) { writer in
            for (late, fields) in writes {
                try writer.put(fields, entity: LateDecision.id(engagement: record.engagement.id, change: late.id), kind: .lateDecision)
            }
        }
        let decided = try self.record(of: record.engagement.id)
        return chosen.map { late in
            var late = late
            late.decision = decided.lateDecision(about: late.id)
            return late
        }
    }

    /// Reopens a closed engagement so work can be recorded again; the reason, who and when, and
    /// the closing it undid are kept (a `Reopening`) and shown in the report. Closing again
    /// records a new closing and a new signature. Lead only.
    ///
    /// - Throws: `.notClosed`; `.model` without a reason; `.refused` unless this replica is a lead.
    public func reopenEngagement(reason: String, engagement reference: String?) throws(FieldAuditError) -> Reopening {
        let record = try record(of: try engagementID(reference))
        try requirePermission(toWrite: .reopening, field: Reopening.Field.reason.rawValue, in: record.engagement.id)
        guard let closing = Closing(record.engagement) else { throw .notClosed(engagement: record.engagement.id.description) }
        let writes = try validate { () throws(AuditModelError) in try Reopening.writes(reason: reason, by: name, at: now, closing: closing) }
        let id = makeEntityID()
        try write(in: record.engagement.id) { writer in
            try writer.put(writes.reopening, entity: id, kind: .reopening)
            try writer.put(writes.engagement, entity: record.engagement.id, kind: .engagement)
        }
        guard let reopening = try self.record(of: record.engagement.id).reopenings.first(where: { $0.id == id }) else {
            throw .store(.unexpected("the reopening did not read back"))
        }
        return reopening
    }

    /// Accepts every late change this replica holds for a closed engagement (`accept-late --all`),
    /// and optionally revises the recommendation in their light. Lead only.
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

    /// The changes of a closed engagement that neither the closing nor an acceptance of all
    /// covered, oldest stamp first, each with the lead's decision about it; none while the
    /// engagement is open. Without `includingDecided`, only those awaiting a decision.
    ///
    /// - Complexity: proportional to the changes written after the closing, not to the store.
    public func lateChanges(in record: EngagementRecord, includingDecided: Bool = false) throws(FieldAuditError) -> [LateChange] {
        guard let closing = Closing(record.engagement) else { return [] }
        let held = try perform { () throws(StoreError) in try store.vector() }
        var origins = Set(held.map(\.origin))
        origins.formUnion(record.members.compactMap(\.replica))
        if let lead = record.engagement.lead { origins.insert(lead) }
        let implementation = try self.record(of: record.engagement.id, kinds: [.action, .link]).implementationEvidence
        var late: [Change] = []
        for origin in origins {
            let after = closing.covered[origin]
            late += try perform { () throws(StoreError) in try store.changes(of: origin, after: after) }
                .filter { closing.isLate($0, implementationEvidence: implementation) }
        }
        return late.sorted { ($0.stamp, $0.origin, $0.seq) < ($1.stamp, $1.origin, $1.seq) }
            .map { change in
                var late = LateChange(change, author: record.memberName(change.origin))
                late.decision = record.lateDecision(about: change.id)
                return late
            }
            .filter { includingDecided || $0.decision == nil }
    }
}
