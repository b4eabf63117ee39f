import Replication

/// Where one nonconformity stands after the audit: its corrective-action plan, its deadline under
/// the engagement's policy, and the verification of closure. Pure: derived from the record and
/// the day it is read on.
public struct NonconformityFollowUp: Sendable {
    /// The stage a nonconformity's follow-up has reached.
    public enum State: String, Sendable, Encodable {
        /// No corrective action is recorded yet.
        case awaitingPlan = "awaiting corrective-action plan"
        /// Some actions are not done yet.
        case actionsOpen = "actions open"
        /// Every action is done; the auditor has not verified them yet.
        case awaitingVerification = "awaiting verification"
        /// The auditor rejected the corrective actions; the auditee must do more.
        case rejected = "verification rejected"
        /// The auditor accepted the corrective actions: the nonconformity is closed.
        case closed
    }

    /// The nonconformity.
    public let finding: Finding
    /// Its corrective actions, by due date.
    public let actions: [CorrectiveAction]
    /// The day by which it must be closed, `YYYY-MM-DD`; `nil` while the engagement has neither
    /// closed nor recorded its last day on site.
    public let deadline: String?
    /// Where it stands.
    public let state: State
    /// Whether it is not closed and its deadline has passed.
    public let isOverdue: Bool
    /// The open actions whose due date has passed.
    public let overdueActions: [CorrectiveAction]
    /// Whether the verification is in conflict (two verifications made at once): the state is
    /// then never `closed`.
    public let verificationDisputed: Bool

    /// The follow-up of `finding` in `record`, read on `today` (`YYYY-MM-DD`).
    public init(_ finding: Finding, in record: EngagementRecord, today: String) {
        self.finding = finding
        actions = record.actions(of: finding).sorted { ($0.dueDate, $0.id) < ($1.dueDate, $1.id) }
        let engagement = record.engagement
        let base = engagement.closedAt.map(Dates.day) ?? engagement.endDate
        deadline = base.flatMap { base in engagement.policy.days(for: finding.grade).flatMap { Dates.adding($0, to: base) } }
        verificationDisputed = record.conflictingValues(of: finding.id, Finding.Field.verification.rawValue) != nil
        let state: State
        if let verification = finding.verification, !verificationDisputed, verification.outcome == .accepted {
            state = .closed
        } else if finding.verification?.outcome == .rejected, !verificationDisputed {
            state = .rejected
        } else if actions.isEmpty {
            state = .awaitingPlan
        } else if actions.allSatisfy(\.isDone) {
            state = .awaitingVerification
        } else {
            state = .actionsOpen
        }
        self.state = state
        isOverdue = state != .closed && deadline.map { $0 < today } == true
        overdueActions = state == .closed ? [] : actions.filter { $0.isOverdue(today: today) }
    }
}

extension EngagementRecord {
    /// The follow-up of every major or minor nonconformity, in the order raised, read on `today`.
    public func followUps(today: String) -> [NonconformityFollowUp] {
        findings.filter { $0.grade?.isNonconformity == true }.map { NonconformityFollowUp($0, in: self, today: today) }
    }

    /// The corrective actions of a finding and of every finding merged into it (`FindingMerges`).
    public func actions(of finding: Finding) -> [CorrectiveAction] {
        let owners = Set([finding.id] + finding.mergedFrom)
        return actions.filter { owners.contains($0.finding) }
    }

    /// A finding's nonconformity label (`NC-01`), once a lead numbered it at sign-off.
    public func nonconformityLabel(of finding: EntityID) -> String? {
        numbering.labels[finding]
    }
}

extension EngagementRecord {
    /// A finding's sign-off in words, the same for the terminal and the report: `not signed off`,
    /// `signed off by Ada on 2026-12-01 17:00 UTC`, or `signed off by Ada on …, then changed by Ben
    /// at … — needs a new sign-off`. `time` writes a Unix-millisecond time.
    public func signOffSummary(of finding: Finding, time: (Int64?) -> String) -> String {
        let name = { (hex: String) in (try? ReplicaID(hex: hex)).map(memberName) ?? hex }
        switch finding.signOffState {
        case .notSignedOff:
            return "not signed off"
        case let .signedOff(by, at):
            return "signed off by \(name(by)) on \(time(at))"
        case let .changedSinceSignOff(by, at, change):
            let changer = change.map { "\(memberName($0.by)) at \(time($0.at))" } ?? "a later edit"
            return "signed off by \(name(by)) on \(time(at)), then changed by \(changer) — needs a new sign-off"
        }
    }
}
