import Replication

/// Who may write what in one engagement: the authorisation rules, checked the same way for a
/// local command and for every change an imported bundle brings.
///
/// The roster is replicated state rooted at the engagement's founder, the replica that created it
/// and its lead:
/// - the founder may write anything in the engagement;
/// - only the founder writes the roster (`member` entities) and the engagement's `lead` field;
/// - members with the role `lead` may also edit the engagement's own fields and sign findings off;
/// - `auditor` and `expert` members write everything else; `observer` members write nothing;
/// - a member removed from the team keeps the changes it made before: those with seq up to the
///   `removedAfter` the founder recorded; later ones are refused.
public struct Roster: Sendable {
    /// One member's standing.
    public struct Membership: Hashable, Sendable {
        public let role: TeamRole
        /// Set when the member was removed: the last of its seqs the removal accepts.
        public let removedAfter: UInt64?
    }

    public let engagement: EntityID
    /// The replica that created the engagement; `nil` while unknown.
    public let founder: ReplicaID?
    public let members: [ReplicaID: Membership]

    /// The roster as the given snapshots of the engagement describe it.
    ///
    /// Only member entities written by the founder count.
    public init(engagement: EntityID, founder: ReplicaID?, snapshots: [EntitySnapshot]) {
        self.engagement = engagement
        self.founder = founder
        var members: [ReplicaID: Membership] = [:]
        for snapshot in snapshots where snapshot.kind == EntityKind.member.rawValue && snapshot.engagement == engagement {
            guard let replicaText = snapshot.text(TeamMember.Field.replica.rawValue),
                  let replica = try? ReplicaID(hex: replicaText),
                  snapshot.author(of: TeamMember.Field.role.rawValue) == founder,
                  let role = snapshot.choice(TeamMember.Field.role.rawValue, as: TeamRole.self)
            else { continue }
            let removedAfter = snapshot.deleted
                ? UInt64(snapshot.integer(TeamMember.Field.removedAfter.rawValue) ?? 0) : nil
            members[replica] = Membership(role: role, removedAfter: removedAfter)
        }
        self.members = members
    }

    /// Why a change is refused, naming the change, its author and the rule.
    public enum Refusal: Error, Hashable, Sendable, CustomStringConvertible {
        case notOnRoster(ChangeID, engagement: EntityID)
        case removed(ChangeID, removedAfter: UInt64)
        case leadOnly(ChangeID, what: String, role: TeamRole)
        case observer(ChangeID)
        case unknownFounder(ChangeID, engagement: EntityID)

        public var description: String {
            switch self {
            case let .notOnRoster(change, engagement):
                "change \(change) comes from replica \(change.origin.short), which is not on the team of engagement \(engagement)"
            case let .removed(change, removedAfter):
                "change \(change) was made after its author left the team (its changes are accepted up to seq \(removedAfter))"
            case let .leadOnly(change, what, role):
                "change \(change) \(what), which only the lead may do; its author is \(role == .lead ? "a lead" : "an \(role.rawValue)")"
            case let .observer(change):
                "change \(change) comes from an observer, who may not write"
            case let .unknownFounder(change, engagement):
                "change \(change) belongs to engagement \(engagement), whose founding lead is not known here"
            }
        }
    }

    /// Checks one change of this engagement; `nil` when it is allowed.
    public func refusal(of change: Change) -> Refusal? {
        guard let founder else { return .unknownFounder(change.id, engagement: engagement) }
        if change.origin == founder { return nil }
        if change.kind == EntityKind.member.rawValue {
            return .leadOnly(change.id, what: "changes the team", role: members[change.origin]?.role ?? .observer)
        }
        guard let membership = members[change.origin] else { return .notOnRoster(change.id, engagement: engagement) }
        if let removedAfter = membership.removedAfter, change.seq > removedAfter {
            return .removed(change.id, removedAfter: removedAfter)
        }
        switch membership.role {
        case .observer:
            return .observer(change.id)
        case .lead:
            return change.kind == EntityKind.engagement.rawValue && change.field == Engagement.Field.lead.rawValue
                ? .leadOnly(change.id, what: "claims to found the engagement", role: .lead) : nil
        case .auditor, .expert:
            if change.kind == EntityKind.engagement.rawValue {
                return .leadOnly(change.id, what: "edits the engagement", role: membership.role)
            }
            if change.kind == EntityKind.finding.rawValue,
               change.field == Finding.Field.signedOffBy.rawValue || change.field == Finding.Field.signedOffAt.rawValue {
                return .leadOnly(change.id, what: "signs a finding off", role: membership.role)
            }
            return nil
        }
    }
}
