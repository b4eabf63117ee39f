import Replication

/// What the lead decided about one late change.
public enum LateVerdict: String, Choice, Codable {
    /// The change is part of the record the conclusion rests on.
    case accepted
    /// The change stays in the record (nothing is ever deleted) but the lead does not take it
    /// into the conclusion; the reason says why.
    case rejected
    /// The field's name in messages.
    public static let fieldName = "late-change decision"
}

/// The lead's decision about one change that arrived after the engagement was closed (see
/// `Closing`): accepted or rejected, with the reason, by whom and when.
///
/// Its id is derived from the engagement and the change's id, so deciding about the same change
/// on two replicas (the lead's laptop and the central, say) names one entity: two different
/// verdicts are a conflict, kept and shown, never one silently winning.
public struct LateDecision: Hashable, Sendable, Encodable {
    /// The field names a decision's change records use.
    public enum Field: String, CaseIterable { case change, verdict, reason, decidedBy, decidedAt }

    /// The decision's entity id (`id(engagement:change:)`).
    public let id: EntityID
    /// The change decided about, `origin-hex:seq` (`LateDecision.key(of:)`).
    public var change: String
    /// Accepted or rejected; `nil` if the stored value is not one.
    public var verdict: LateVerdict?
    /// Why, in the lead's words; required to reject.
    public var reason: String?
    /// The name of the lead who decided.
    public var decidedBy: String?
    /// When, Unix milliseconds.
    public var decidedAt: Int64?
    /// Fields edited concurrently and not yet resolved.
    public var conflicts: [String]

    /// Reads a decision from its snapshot; `nil` when it is not a live decision.
    public init?(_ snapshot: EntitySnapshot) {
        guard snapshot.kind == EntityKind.lateDecision.rawValue, !snapshot.deleted,
              let change = snapshot.text(Field.change.rawValue) else { return nil }
        id = snapshot.id
        self.change = change
        verdict = snapshot.choice(Field.verdict.rawValue)
        reason = snapshot.text(Field.reason.rawValue)
        decidedBy = snapshot.text(Field.decidedBy.rawValue)
        decidedAt = snapshot.integer(Field.decidedAt.rawValue)
        conflicts = snapshot.conflictedFields
    }

    /// A change's key as decisions record it: its origin's 32 hex digits, a colon, its seq.
    public static func key(of change: ChangeID) -> String { "\(change.origin.hex):\(change.seq)" }

    /// The `origin-short:seq` form history shows, from a key.
    public var shortChange: String {
        let parts = change.split(separator: ":")
        guard parts.count == 2 else { return change }
        return "\(parts[0].prefix(8)):\(parts[1])"
    }

    /// The decision's entity id for a change of an engagement.
    public static func id(engagement: EntityID, change: ChangeID) -> EntityID {
        .derived(namespace: "fieldaudit.late-decision", engagement.bytes, change.origin.bytes, Array(String(change.seq).utf8))
    }

    /// The fields of a decision about `change`, by the lead named `decidedBy`, at `time`.
    ///
    /// - Throws: `AuditModelError.missing` when rejecting without a reason.
    public static func writes(
        change: ChangeID, verdict: LateVerdict, reason: String?, decidedBy: String, at time: Int64
    ) throws(AuditModelError) -> FieldWrites {
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if verdict == .rejected, reason?.isEmpty ?? true { throw .missing(field: "the reason for rejecting a late change (--reason TEXT)") }
        var writes: FieldWrites = [
            (Field.change.rawValue, .text(key(of: change))), (Field.verdict.rawValue, .text(verdict.rawValue)),
            (Field.decidedBy.rawValue, .text(decidedBy)), (Field.decidedAt.rawValue, .integer(time)),
        ]
        if let reason, !reason.isEmpty { writes.append((Field.reason.rawValue, .text(reason))) }
        return writes
    }
}

/// The lead's reopening of a closed engagement: why, by whom, when, and which closing it undid.
/// Each reopening is its own entity, so the history of closings and reopenings is kept whole.
public struct Reopening: Hashable, Sendable, Encodable {
    /// The field names a reopening's change records use.
    public enum Field: String, CaseIterable { case reason, reopenedBy, reopenedAt, closedAt, recommendation }

    /// The reopening's entity id, a UUIDv7.
    public let id: EntityID
    /// Why the lead reopened the engagement.
    public var reason: String
    /// The lead's name.
    public var reopenedBy: String?
    /// When, Unix milliseconds.
    public var reopenedAt: Int64?
    /// When the closing it undid was made, Unix milliseconds.
    public var closedAt: Int64?
    /// The recommendation that closing recorded.
    public var recommendation: Recommendation?

    /// Reads a reopening from its snapshot; `nil` when it is not a live reopening.
    public init?(_ snapshot: EntitySnapshot) {
        guard snapshot.kind == EntityKind.reopening.rawValue, !snapshot.deleted else { return nil }
        id = snapshot.id
        reason = snapshot.text(Field.reason.rawValue) ?? ""
        reopenedBy = snapshot.text(Field.reopenedBy.rawValue)
        reopenedAt = snapshot.integer(Field.reopenedAt.rawValue)
        closedAt = snapshot.integer(Field.closedAt.rawValue)
        recommendation = snapshot.choice(Field.recommendation.rawValue)
    }

    /// The fields of a reopening of `closing`, and the engagement fields that make it open again.
    ///
    /// - Throws: `AuditModelError.missing` without a reason.
    public static func writes(
        reason: String, by name: String, at time: Int64, closing: Closing
    ) throws(AuditModelError) -> (reopening: FieldWrites, engagement: FieldWrites) {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw .missing(field: "the reason for reopening (--reason TEXT)") }
        var writes: FieldWrites = [
            (Field.reason.rawValue, .text(reason)), (Field.reopenedBy.rawValue, .text(name)),
            (Field.reopenedAt.rawValue, .integer(time)), (Field.closedAt.rawValue, .integer(closing.closedAt)),
        ]
        if let recommendation = closing.recommendation { writes.append((Field.recommendation.rawValue, .text(recommendation.rawValue))) }
        return (writes, [(Engagement.Field.status.rawValue, .text(EngagementStatus.active.rawValue))])
    }
}
