import Foundation
import Replication

/// The lead's closing of an engagement, and the rule that tells which changes came too late for it.
///
/// Closing freezes the report's conclusion: the lead records the recommendation, the time, and the
/// version vector of everything the lead's replica held (`closedThrough`). Auditors elsewhere may
/// still be writing, offline, before they learn of the closing; their changes are imported and
/// kept like any other, never dropped, but they are *late*: a change of the engagement is late
/// when neither the closing nor a later acceptance by the lead covered it.
///
/// The rule is causal, not a comparison of clocks: a change written before the closing on a
/// laptop the lead had not yet heard from is late however early its stamp, and every replica
/// that holds the same changes finds the same late ones. The closing's own bookkeeping fields are
/// never late.
public struct Closing: Hashable, Sendable {
    /// The engagement closed.
    public let engagement: EntityID
    /// When the lead closed it, Unix milliseconds.
    public let closedAt: Int64
    /// The recommendation recorded when closing (or when accepting late changes).
    public let recommendation: Recommendation?
    /// What the lead's replica held when closing.
    public let closedThrough: VersionVector
    /// What the lead has accepted since, late changes included.
    public let acceptedLateUpTo: VersionVector

    /// The engagement fields that closing and accepting write: these are never late.
    static let bookkeepingFields: Set<String> = [
        Engagement.Field.status.rawValue, Engagement.Field.recommendation.rawValue, Engagement.Field.conclusion.rawValue,
        Engagement.Field.closedAt.rawValue, Engagement.Field.closedThrough.rawValue, Engagement.Field.acceptedLateUpTo.rawValue,
        Engagement.Field.justification.rawValue, Engagement.Field.signedBy.rawValue, Engagement.Field.signedAt.rawValue,
        Engagement.Field.surveillanceDate.rawValue,
    ]

    /// The entity kinds only a lead writes to decide about the closing itself (decisions on late
    /// changes, reopenings): these are never late.
    static let bookkeepingKinds: Set<String> = [EntityKind.lateDecision.rawValue, EntityKind.reopening.rawValue]

    /// The closing an engagement records; `nil` while it is not closed.
    public init?(_ engagement: Engagement) {
        guard engagement.status == .closed, let closedAt = engagement.closedAt else { return nil }
        self.engagement = engagement.id
        self.closedAt = closedAt
        recommendation = engagement.recommendation
        closedThrough = engagement.closedThrough ?? VersionVector()
        acceptedLateUpTo = engagement.acceptedLateUpTo ?? VersionVector()
    }

    /// Whether a change records the follow-up after the audit, which goes on after closing and is
    /// never late: corrective actions, a finding's correction, root cause, verification and
    /// status, the engagement's nonconformity policy and time zone, and evidence of a corrective
    /// action's implementation (an `evidence` or `link` entity in `implementationEvidence`).
    ///
    /// - Parameter implementationEvidence: the evidence of implementation the state holds
    ///   (`implementationEvidence(links:actions:)`).
    public static func isFollowUp(kind: String, field: String, entity: EntityID? = nil, implementationEvidence: Set<EntityID> = []) -> Bool {
        switch EntityKind(rawValue: kind) {
        case .action, .keyRotation: true
        case .finding: Finding.Field(rawValue: field).map(Finding.followUpFields.contains) ?? false
        case .engagement: field == Engagement.Field.majorDays.rawValue || field == Engagement.Field.minorDays.rawValue
            || field == Engagement.Field.timeZone.rawValue
        case .evidence, .link: entity.map(implementationEvidence.contains) ?? false
        default: false
        }
    }

    /// Whether a link to `target` is evidence of a corrective action's implementation: the target
    /// is the id of one of `actions` (what a link's `targetKind` says is not trusted for this).
    public static func isImplementationTarget(_ target: String, actions: Set<EntityID>) -> Bool {
        (try? EntityID(target)).map(actions.contains) ?? false
    }

    /// The evidence of implementation an engagement holds: every link (not deleted) from evidence
    /// to one of its corrective actions, and the evidence so linked. Their changes are follow-up
    /// and never late, whenever written; other evidence and links written after closing are late.
    public static func implementationEvidence(links: [EvidenceLink], actions: Set<EntityID>) -> Set<EntityID> {
        var entities: Set<EntityID> = []
        for link in links where isImplementationTarget(link.target, actions: actions) {
            entities.insert(link.id)
            entities.insert(link.evidence)
        }
        return entities
    }

    /// Everything the closing and the lead's acceptances cover.
    public var covered: VersionVector { closedThrough.merging(acceptedLateUpTo) }

    /// Whether a change of this engagement came too late for the closing: neither the closing nor
    /// an acceptance of everything held (`--all`) covered it. The lead may still have decided about
    /// it one by one (`LateDecision`). Follow-up (`isFollowUp`) is never late; `implementationEvidence`
    /// is the state's evidence of implementation (`implementationEvidence(links:actions:)`).
    public func isLate(_ change: Change, implementationEvidence: Set<EntityID> = []) -> Bool {
        guard change.engagement == engagement else { return false }
        if Self.bookkeepingKinds.contains(change.kind) { return false }
        if change.entity == engagement, change.kind == EntityKind.engagement.rawValue,
           Self.bookkeepingFields.contains(change.field) {
            return false
        }
        if Self.isFollowUp(kind: change.kind, field: change.field, entity: change.entity, implementationEvidence: implementationEvidence) {
            return false
        }
        return !covered.contains(change.id)
    }

    /// The fields that close an engagement: status, recommendation, the lead's conclusion, the
    /// time, what the lead's replica holds, and the lead's signature (`signedBy`, `signedAt`: the
    /// closing's time, so the signature is bound to this closing and no other); with them the
    /// justification and the proposed surveillance date when given.
    public static func writes(
        recommendation: Recommendation, conclusion: String?, at time: Int64, holding vector: VersionVector, signedBy lead: ReplicaID,
        justification: String? = nil, surveillanceDate: String? = nil
    ) -> FieldWrites {
        typealias F = Engagement.Field
        var writes: FieldWrites = [
            (F.status.rawValue, .text(EngagementStatus.closed.rawValue)),
            (F.recommendation.rawValue, .text(recommendation.rawValue)),
            (F.closedAt.rawValue, .integer(time)),
            (F.closedThrough.rawValue, encode(vector)),
            (F.signedBy.rawValue, .text(lead.hex)),
            (F.signedAt.rawValue, .integer(time)),
        ]
        if let conclusion, !conclusion.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            writes.append((F.conclusion.rawValue, .text(conclusion)))
        }
        if let justification = justification?.trimmingCharacters(in: .whitespacesAndNewlines), !justification.isEmpty {
            writes.append((F.justification.rawValue, .text(justification)))
        }
        if let surveillanceDate { writes.append((F.surveillanceDate.rawValue, .text(surveillanceDate))) }
        return writes
    }

    /// The fields that accept every change the lead's replica holds, late ones included, and
    /// optionally revise the recommendation in their light.
    public static func acceptanceWrites(holding vector: VersionVector, recommendation: Recommendation?) -> FieldWrites {
        var writes: FieldWrites = [(Engagement.Field.acceptedLateUpTo.rawValue, encode(vector))]
        if let recommendation { writes.append((Engagement.Field.recommendation.rawValue, .text(recommendation.rawValue))) }
        return writes
    }

    /// A vector as compact JSON with sorted keys: origin (32 hex digits) to seq.
    static func encode(_ vector: VersionVector) -> Value {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return .json(String(decoding: (try? encoder.encode(vector)) ?? Data("{}".utf8), as: UTF8.self))
    }

    /// Reads a vector written by `encode`; `nil` if the text is not one.
    public static func decodeVector(_ text: String) -> VersionVector? {
        try? JSONDecoder().decode(VersionVector.self, from: Data(text.utf8))
    }
}

/// A change of a closed engagement that neither the closing nor a later acceptance covered.
public struct LateChange: Hashable, Sendable, Encodable {
    /// `origin-short:seq`, as history shows changes.
    public let change: String
    /// The author's name on the team, or the start of the replica id.
    public let author: String
    /// The kind of entity the change wrote (`finding`, `test`, …; see `EntityKind`).
    public let kind: String
    /// The entity the change wrote.
    public let entity: EntityID
    /// The field the change wrote.
    public let field: String
    /// The value written, as text.
    public let value: String
    /// The value written.
    public let written: Value
    /// The change's stamp, Unix milliseconds.
    public let at: Int64
    /// The change's id.
    public let id: ChangeID
    /// The lead's decision about it, when one was recorded (`LateDecision`); `nil` while it awaits one.
    public var decision: LateDecision?

    enum CodingKeys: String, CodingKey { case change, author, kind, entity, field, value, at, decision }

    /// Describes a late change for history and reports; `author` is the name the roster gives its origin.
    public init(_ change: Change, author: String) {
        self.change = change.id.description
        self.author = author
        kind = change.kind
        entity = change.entity
        field = change.field
        value = change.value.text ?? change.value.description
        written = change.value
        at = Int64(change.stamp.milliseconds)
        id = change.id
        decision = nil
    }
}

extension EngagementRecord {
    /// The evidence of implementation this record holds (`Closing.implementationEvidence`): needs
    /// the record's links and corrective actions.
    public var implementationEvidence: Set<EntityID> {
        Closing.implementationEvidence(links: links, actions: Set(actions.map(\.id)))
    }
}
