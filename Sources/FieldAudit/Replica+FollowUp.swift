import AuditModel
import Replication

extension Replica {
    /// The record of an engagement for the follow-up after the audit: like `capturing`, but a
    /// closed engagement is allowed, since corrective actions go on after closing (their changes
    /// are never late: `Closing.isFollowUp`).
    func following(in reference: String?, kinds: [EntityKind]) throws(FieldAuditError) -> EngagementRecord {
        try record(of: try engagementID(reference), kinds: kinds)
    }

    /// The major or minor nonconformity a reference names (id, prefix or `NC-01`).
    ///
    /// - Throws: `.invalidInput` when the finding is not a major or minor nonconformity.
    func nonconformity(_ reference: String, in record: EngagementRecord) throws(FieldAuditError) -> Finding {
        let finding = try finding(reference, in: record)
        guard finding.grade?.isNonconformity == true else {
            throw .invalidInput(
                source: "finding \(finding.id.short)",
                reason: "it is graded \(finding.grade?.rawValue ?? "nothing"), not a major or minor nonconformity, so it takes no corrective action. "
                    + "Regrade it first with `fieldaudit finding edit \(finding.id.short) --grade minor` if it is one")
        }
        return finding
    }

    /// Today at the engagement's site, on this replica's clock, `YYYY-MM-DD`: the day overdue is
    /// judged against, the same whoever asks and wherever they are.
    public func today(in record: EngagementRecord) -> String { record.engagement.siteTime.day(now) }

    /// Which of a nonconformity's follow-up texts to record.
    public enum FollowUpText: Sendable {
        /// The auditee's correction: what was fixed at once.
        case correction
        /// The auditee's root-cause analysis.
        case rootCause

        var field: Finding.Field { self == .correction ? .correction : .rootCause }
    }

    /// Records the auditee's correction or root-cause analysis of a nonconformity, on any replica
    /// whose member may record audit work, the engagement closed or not.
    ///
    /// - Throws: `.invalidInput` for a finding that is not a nonconformity; `.model(.missing)`
    ///   for empty text; `.refused` for an observer or a stranger.
    public func recordFollowUp(_ kind: FollowUpText, _ text: String, finding reference: String, engagement: String?) throws(FieldAuditError) -> Finding {
        let record = try following(in: engagement, kinds: [.finding])
        let finding = try nonconformity(reference, in: record)
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .model(.missing(field: kind == .correction ? "the correction" : "the root-cause analysis"))
        }
        try write(in: record.engagement.id) { writer in
            try writer.put([(kind.field.rawValue, .text(text))], entity: finding.id, kind: .finding)
        }
        return finding
    }

    /// Adds an action to a nonconformity's corrective-action plan.
    ///
    /// - Throws: `.invalidInput` for a finding that is not a nonconformity; `.model` for an empty
    ///   action or owner or a malformed due date.
    public func addCorrectiveAction(
        finding reference: String, action: String, owner: String, due: String, engagement: String?
    ) throws(FieldAuditError) -> EntityID {
        let record = try following(in: engagement, kinds: [.finding])
        let finding = try nonconformity(reference, in: record)
        let writes = try validate { () throws(AuditModelError) in try CorrectiveAction.writes(finding: finding.id, action: action, owner: owner, dueDate: due) }
        let id = makeEntityID()
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: id, kind: .action) }
        return id
    }

    /// Records a corrective action done on `date` (by default today at the site), with how it was
    /// implemented and the evidence of implementation (evidence ids or prefixes, linked to the action).
    public func completeCorrectiveAction(
        _ reference: String, on date: String?, implementation: String?, evidence: [String], engagement: String?
    ) throws(FieldAuditError) -> CorrectiveAction {
        let record = try following(in: engagement, kinds: [.action, .evidence])
        let id = try resolve(reference, among: record.actions.map(\.id), kind: "corrective action")
        let action = record.actions.first { $0.id == id }!
        var evidenceIDs: [EntityID] = []
        for item in evidence { evidenceIDs.append(try resolve(item, among: record.evidence.map(\.id), kind: "evidence")) }
        let day = date ?? today(in: record)
        let writes = try validate { () throws(AuditModelError) in try CorrectiveAction.doneWrites(on: day, implementation: implementation) }
        try write(in: record.engagement.id) { writer in
            try writer.put(writes, entity: action.id, kind: .action)
            for item in evidenceIDs {
                try writer.put(
                    EvidenceLink.writes(evidence: item, target: action.id.description, targetKind: EntityKind.action.rawValue),
                    entity: EvidenceLink.id(evidence: item, target: action.id.description), kind: .link)
            }
        }
        return action
    }

    /// Records the lead's verification of a nonconformity's corrective actions: accepted (the
    /// nonconformity is closed) or rejected, why, and on what evidence (by default, the evidence
    /// linked to its actions). Only a lead may (`Roster`); it works on any replica holding a
    /// lead's key, the engagement closed or not (a central repository authors nothing: the lead's
    /// verification reaches it by sync).
    ///
    /// - Throws: `.invalidInput` for a finding that is not a nonconformity, or accepting one whose
    ///   plan has no action or an action not done; `.model(.missing)` without a reason.
    public func verifyCorrectiveActions(
        finding reference: String, outcome: ClosureVerification.Outcome, reason: String, evidence: [String], engagement: String?
    ) throws(FieldAuditError) -> Finding {
        let record = try following(in: engagement, kinds: [.finding, .action, .evidence, .link])
        let finding = try nonconformity(reference, in: record)
        try requirePermission(toWrite: .finding, field: Finding.Field.verification.rawValue, in: record.engagement.id)
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .model(.missing(field: "the reason (--reason)")) }
        let actions = record.actions(of: finding)
        let label = record.nonconformityLabel(of: finding.id) ?? finding.id.short
        if outcome == .accepted {
            guard !actions.isEmpty else {
                throw .invalidInput(
                    source: "nonconformity \(label)",
                    reason: "it has no corrective action to accept; record the plan with `fieldaudit finding action add \(label) --action TEXT --owner NAME --due YYYY-MM-DD`")
            }
            if let open = actions.first(where: { !$0.isDone }) {
                throw .invalidInput(
                    source: "nonconformity \(label)",
                    reason: "its action \(open.id.short) is not done; record it with `fieldaudit finding action done \(open.id.short)`, or reject with --reject")
            }
        }
        var evidenceIDs: [EntityID] = []
        for item in evidence { evidenceIDs.append(try resolve(item, among: record.evidence.map(\.id), kind: "evidence")) }
        if evidence.isEmpty {
            evidenceIDs = actions.flatMap { record.evidence(linkedTo: $0.id.description) }.map(\.id)
        }
        let verification = ClosureVerification(
            outcome: outcome, by: identity.id.hex, at: now, reason: reason, evidence: evidenceIDs.map(\.description).sorted())
        try write(in: record.engagement.id) { writer in
            try writer.put(
                [
                    (Finding.Field.verification.rawValue, verification.encoded),
                    (Finding.Field.status.rawValue, .text((outcome == .accepted ? FindingStatus.closed : .open).rawValue)),
                ],
                entity: finding.id, kind: .finding)
        }
        return finding
    }

    /// Sets the engagement's nonconformity policy: the days allowed to close a major and a minor.
    /// Only a lead may (`Roster`); the engagement closed or not.
    public func setNonconformityPolicy(majorDays: Int?, minorDays: Int?, engagement: String?) throws(FieldAuditError) -> NonconformityPolicy {
        let record = try following(in: engagement, kinds: [])
        let writes = try validate { () throws(AuditModelError) in try NonconformityPolicy.writes(majorDays: majorDays, minorDays: minorDays) }
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: record.engagement.id, kind: .engagement) }
        return try self.record(of: record.engagement.id, kinds: []).engagement.policy
    }
}
