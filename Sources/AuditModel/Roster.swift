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
        refusal(of: change.id, kind: change.kind, field: change.field)
    }

    /// Checks a change of this engagement given its id, entity kind and field.
    public func refusal(of id: ChangeID, kind: String, field: String) -> Refusal? {
        guard let founder else { return .unknownFounder(id, engagement: engagement) }
        if id.origin == founder { return nil }
        if kind == EntityKind.member.rawValue {
            return .leadOnly(id, what: "changes the team", role: members[id.origin]?.role ?? .observer)
        }
        guard let membership = members[id.origin] else { return .notOnRoster(id, engagement: engagement) }
        if let removedAfter = membership.removedAfter, id.seq > removedAfter {
            return .removed(id, removedAfter: removedAfter)
        }
        switch membership.role {
        case .observer:
            return .observer(id)
        case .lead:
            return kind == EntityKind.engagement.rawValue && field == Engagement.Field.lead.rawValue
                ? .leadOnly(id, what: "claims to found the engagement", role: .lead) : nil
        case .auditor, .expert:
            if kind == EntityKind.engagement.rawValue {
                return .leadOnly(id, what: "edits the engagement", role: membership.role)
            }
            if kind == EntityKind.finding.rawValue,
               field == Finding.Field.signedOffBy.rawValue || field == Finding.Field.signedOffAt.rawValue {
                return .leadOnly(id, what: "signs a finding off", role: membership.role)
            }
            return nil
        }
    }

    /// Whether a replica may read the engagement: its founder, or a member not removed.
    public func canRead(_ replica: ReplicaID) -> Bool {
        replica == founder || (members[replica].map { $0.removedAfter == nil } ?? false)
    }

    /// The founder's claim in a snapshot of the engagement: the replica that wrote its own id into
    /// the `lead` field, if exactly one did.
    public static func foundingClaim(in engagement: EntitySnapshot) -> ReplicaID? {
        guard let state = engagement.fields[Engagement.Field.lead.rawValue], !state.isConflict,
              let text = state.winner.value.text, let claimed = try? ReplicaID(hex: text),
              state.winner.id.origin == claimed
        else { return nil }
        return claimed
    }
}
