import Replication

/// Who may write what in one engagement: the authorisation rules, checked the same way for a
/// local command and for every change an imported bundle brings.
///
/// The roster is replicated state rooted at the engagement's founder, the replica that created it
/// and its lead:
/// - the founder may write anything in the engagement;
/// - only the founder writes the roster (`member` entities) and the engagement's `lead` field,
///   whatever role another member has;
/// - members with the role `lead` may also edit the engagement's own fields, the audit plan
///   (`planItem`), decide about late changes (`lateDecision`), reopen (`reopening`), sign findings
///   off (which numbers nonconformities), verify corrective actions and merge findings
///   (`Finding.leadOnlyFields`);
/// - `auditor` and `expert` members write everything else; `observer` members write nothing;
/// - a central repository the engagement is filed with (role `central`) reads everything and
///   writes nothing;
/// - deleting or restoring an entity (its `deleted` field): a lead may do it to any entity, an
///   `auditor` or `expert` only to the entities it created, which the entity's id names
///   (`refusal(ofDeleting:kind:entity:authorWroteIt:)`);
/// - a member removed from the team keeps the changes it made before: those with seq up to the
///   `removedAfter` the founder recorded; later ones are refused;
/// - a key rotation record (`KeyRotation`) is written only by the key it retires, into its own
///   record (`KeyRotation.id(engagement:replica:)`): a change to anyone else's record is refused,
///   the founder's included (`refusal(of:kind:field:entity:supersedes:)`);
/// - a key rotation record is written once: a change to one that supersedes anything is refused,
///   so no value of it is ever hidden, and its first `successor` (the least seq: its retirement
///   point) stands on every replica whatever the key signs later;
/// - the founder's key rotates itself the same way, and its own record makes the key it names the
///   founder from then on (`founders`, the founder chain; `Sync/PROTOCOL.md` §22.3), unless that
///   key cannot be founder (the central repository, or a member's already retired key): the chain
///   then ends at the record's writer;
/// - a replica first accepting an engagement accepts a root it does not trust only through a
///   trusted later key of its chain that confirmed each link itself (`acceptsRoot`);
/// - a member that rotated its key (`KeyRotation`, written by the retiring key itself) is retired
///   from that record on: later changes of the old key are refused; the founder puts the new key
///   on the team with `succeeds` = the old one, and the auditor's standing and authorship continue
///   under it (`identities(of:)`).
public struct Roster: Sendable {
    /// One member's standing.
    public struct Membership: Hashable, Sendable {
        /// The member's role, as the founder recorded it.
        public let role: TeamRole
        /// Set when the member was removed: the last of its seqs the removal accepts.
        public let removedAfter: UInt64?
        /// The replica whose key this member's key replaced, as the founder recorded it.
        public var succeeds: ReplicaID? = nil
        /// Set when the member's own key retired itself (`KeyRotation`): the last of its seqs
        /// accepted, whatever the founder records.
        public var retiredAfter: UInt64? = nil
        /// The key the member's own rotation record names as its successor.
        public var successor: ReplicaID? = nil
    }

    /// The engagement whose team this is.
    public let engagement: EntityID
    /// The engagement's current founder: the last key of the founder chain (`founders`), the
    /// replica that created the engagement unless its key rotated itself; `nil` while unknown.
    public let founder: ReplicaID?
    /// The replica that created the engagement, as recorded (the root of the founder chain).
    public let root: ReplicaID?
    /// The founder chain: the root, then each key its predecessor's own rotation record names
    /// (`KeyRotation`), with the last of its seqs that is the founder's (`nil` for the current
    /// founder). `Sync/PROTOCOL.md` §22.3, "The founder's own rotation".
    public let founders: [(replica: ReplicaID, through: UInt64?)]
    /// Every member the founder recorded, by replica id, removed ones included.
    public let members: [ReplicaID: Membership]

    /// The roster as the given snapshots of the engagement describe it.
    ///
    /// Only member entities written by the founder count.
    public init(engagement: EntityID, founder root: ReplicaID?, snapshots: [EntitySnapshot]) {
        self.engagement = engagement
        self.root = root
        // Each key's own rotation record, found by its id (never by the `replica` it states).
        let rotations = Dictionary(
            snapshots.filter { $0.kind == EntityKind.keyRotation.rawValue && $0.engagement == engagement }.map { ($0.id, $0) },
            uniquingKeysWith: { first, _ in first })
        var founders: [(replica: ReplicaID, through: UInt64?)] = []
        if let root {
            founders.append((root, nil))
            while let last = founders.last?.replica,
                  let snapshot = rotations[KeyRotation.id(engagement: engagement, replica: last)],
                  let rotation = KeyRotation(snapshot, of: last),
                  !founders.contains(where: { $0.replica == rotation.successor }),
                  Self.mayBecomeFounder(
                      rotation.successor,
                      members: Self.members(of: engagement, writtenBy: Set(founders.map(\.replica)), snapshots: snapshots, rotations: rotations)) {
                founders[founders.count - 1].through = rotation.retiredAfter
                founders.append((rotation.successor, nil))
            }
        }
        self.founders = founders
        self.founder = founders.last?.replica
        self.members = Self.members(of: engagement, writtenBy: Set(founders.map(\.replica)), snapshots: snapshots, rotations: rotations)
    }

    /// The members of `engagement` as keys of `founderKeys` recorded them, each with its own key
    /// rotation record's retirement point and successor (`rotations`, by record id).
    private static func members(
        of engagement: EntityID, writtenBy founderKeys: Set<ReplicaID>, snapshots: [EntitySnapshot], rotations: [EntityID: EntitySnapshot]
    ) -> [ReplicaID: Membership] {
        var members: [ReplicaID: Membership] = [:]
        for snapshot in snapshots where snapshot.kind == EntityKind.member.rawValue && snapshot.engagement == engagement {
            guard let replicaText = snapshot.text(TeamMember.Field.replica.rawValue),
                  let replica = try? ReplicaID(hex: replicaText),
                  snapshot.author(of: TeamMember.Field.role.rawValue).map(founderKeys.contains) == true,
                  let role = snapshot.choice(TeamMember.Field.role.rawValue, as: TeamRole.self)
            else { continue }
            let removedAfter = snapshot.deleted
                ? UInt64(snapshot.integer(TeamMember.Field.removedAfter.rawValue) ?? 0) : nil
            var membership = Membership(role: role, removedAfter: removedAfter)
            if snapshot.author(of: TeamMember.Field.succeeds.rawValue).map(founderKeys.contains) == true {
                membership.succeeds = snapshot.text(TeamMember.Field.succeeds.rawValue).flatMap { try? ReplicaID(hex: $0) }
            }
            members[replica] = membership
        }
        for replica in members.keys {
            guard let snapshot = rotations[KeyRotation.id(engagement: engagement, replica: replica)],
                  let rotation = KeyRotation(snapshot, of: replica)
            else { continue }
            members[replica]?.retiredAfter = rotation.retiredAfter
            members[replica]?.successor = rotation.successor
        }
        return members
    }

    /// Whether a founder's own rotation record may name `successor` as the next founder, given the
    /// members the chain so far recorded: not the central repository the engagement is filed with
    /// (it authors nothing), and not a member's key that is already retired (its own rotation
    /// record, or the founder's continuation of it under another key). A record naming such a key
    /// ends the chain at its writer, which stays the founder (§22.3).
    private static func mayBecomeFounder(_ successor: ReplicaID, members: [ReplicaID: Membership]) -> Bool {
        guard let membership = members[successor] else { return true }
        return membership.role != .central && membership.retiredAfter == nil
            && !members.contains { $0.value.succeeds == successor }
    }

    /// Whether `replica` signs bundles this replica may import (`Sync/PROTOCOL.md` §23): the
    /// current founder, or a member on the team (removed or retired included: a bundle it exported
    /// before its bound still imports, and whatever it signed later is refused for that change).
    /// A retired key of the founder chain counts only as the member it was.
    public func isKnownSigner(_ replica: ReplicaID) -> Bool {
        replica == founder || members[replica] != nil
    }

    /// Whether `replica` is a key of the founder chain (`founders`), current or retired.
    public func isFounderKey(_ replica: ReplicaID) -> Bool {
        founders.contains { $0.replica == replica }
    }

    /// The replica and every replica whose key it replaced, by the founder's `succeeds` records,
    /// nearest first: one auditor's keys, whose standing and authorship continue.
    public func identities(of replica: ReplicaID) -> [ReplicaID] {
        var chain = [replica]
        while let previous = members[chain[chain.count - 1]]?.succeeds, !chain.contains(previous) {
            chain.append(previous)
        }
        return chain
    }

    /// The member whose key replaced `replica`'s, by the founder's `succeeds` records, if any.
    public func successor(of replica: ReplicaID) -> ReplicaID? {
        members.filter { $0.value.succeeds == replica }.map(\.key).min()
    }

    /// The roster as a replica that holds the engagement sees it: founded by the founder it
    /// recorded, else by the founding claim in the engagement's snapshot (`foundingClaim`).
    public init(engagement: EntityID, recordedFounder: ReplicaID?, snapshots: [EntitySnapshot]) {
        let founder = recordedFounder ?? snapshots.first { $0.id == engagement }.flatMap(Self.foundingClaim)
        self.init(engagement: engagement, founder: founder, snapshots: snapshots)
    }

    /// The entity kinds a roster is read from: the engagement, its members and their own key
    /// rotation records.
    public static let kinds = [EntityKind.engagement.rawValue, EntityKind.member.rawValue, EntityKind.keyRotation.rawValue]

    /// The entity kinds whose ids are derived from a name (a control, an evidence and target), so
    /// that several members may create one entity: its id names no creator, and an `auditor` or
    /// `expert` may delete or restore one it wrote itself.
    public static let sharedKinds: Set<String> = [EntityKind.soa.rawValue, EntityKind.link.rawValue]

    /// Why a change is refused: the change, what it does, who may do that, and what its author is.
    ///
    /// The same words serve a local command refused before it commits and an imported bundle
    /// refused by a peer, so an author reads what any peer would answer.
    public enum Refusal: Error, Hashable, Sendable, CustomStringConvertible {
        /// The author is neither the founder nor a member of the team.
        case notOnRoster(ChangeID, engagement: EntityID)
        /// The author was removed from the team before making the change.
        case removed(ChangeID, removedAfter: UInt64)
        /// Only the founding lead may do this (change the team, claim to found the engagement).
        case founderOnly(ChangeID, what: String, role: TeamRole)
        /// Only a lead may do this (edit the engagement, sign a finding off).
        case leadOnly(ChangeID, what: String, role: TeamRole)
        /// Observers watch; they write nothing.
        case observer(ChangeID)
        /// The central repository the engagement is filed with keeps it; it authors nothing.
        case centralRepository(ChangeID)
        /// The engagement's founder is not known, so nobody's rights can be checked.
        case unknownFounder(ChangeID, engagement: EntityID)
        /// Only an entity's author or a lead may delete or restore it.
        case notAuthor(ChangeID, kind: String, role: TeamRole)
        /// The author's key was retired (replaced by a new key of the same auditor) after seq
        /// `retiredAfter`; the change is later.
        case retired(ChangeID, retiredAfter: UInt64, successor: ReplicaID?)
        /// The change writes a key rotation record other than its author's own: only the key a
        /// record retires writes it.
        case notOwnKeyRotation(ChangeID)
        /// The change rewrites a key rotation record (it supersedes a value of it): a record is
        /// written once, so that its retirement point and successor never move.
        case rewritesKeyRotation(ChangeID)

        /// Why the change was refused, naming the change, its author and what it tried.
        public var description: String {
            switch self {
            case let .notOnRoster(change, engagement):
                "change \(change) writes in engagement \(engagement), which only its team may do; its author, replica \(change.origin.short), is not on the team"
            case let .removed(change, removedAfter):
                "change \(change) writes in the engagement, which only its team may do; its author, replica \(change.origin.short), was removed from the team (its changes up to seq \(removedAfter) stay accepted)"
            case let .founderOnly(change, what, role):
                "change \(change) \(what), which only the engagement's founding lead may do; its author is \(Self.article(role))"
            case let .leadOnly(change, what, role):
                "change \(change) \(what), which only a lead may do; its author is \(Self.article(role))"
            case let .observer(change):
                "change \(change) records audit work, which only leads, auditors and experts may do; its author is an observer"
            case let .centralRepository(change):
                "change \(change) records audit work, which only leads, auditors and experts may do; its author is the central repository the engagement is filed with, which keeps the engagement but authors nothing in it"
            case let .unknownFounder(change, engagement):
                "change \(change) belongs to engagement \(engagement), whose founding lead is not known here, so no one's right to write in it can be checked"
            case let .notAuthor(change, kind, role):
                "change \(change) deletes or restores a \(kind) another member recorded, which only its author or a lead may do; its author is \(Self.article(role))"
            case let .retired(change, retiredAfter, successor):
                "change \(change) is signed with a retired key: replica \(change.origin.short)'s key was replaced\(successor.map { " by replica \($0.short)'s" } ?? "") and is valid only through seq \(retiredAfter); whoever signs with it now (a stolen or copied key?) may not write in the engagement"
            case let .notOwnKeyRotation(change):
                "change \(change) writes another key's rotation record, which only that key may write (its own record says it is retired and names its successor); its author, replica \(change.origin.short), may write only its own"
            case let .rewritesKeyRotation(change):
                "change \(change) rewrites replica \(change.origin.short)'s key rotation record, which is written once: its first successor and the retirement point it sets stand for good, so that whoever signs with the key later (a stolen or copied key?) cannot move them or name another successor"
            }
        }

        private static func article(_ role: TeamRole) -> String {
            role == .auditor || role == .expert || role == .observer ? "an \(role.rawValue)" : "a \(role.rawValue)"
        }
    }

    /// Checks one change of this engagement; `nil` when it is allowed.
    public func refusal(of change: Change) -> Refusal? {
        refusal(of: change.id, kind: change.kind, field: change.field, entity: change.entity, supersedes: !change.supersedes.isEmpty)
    }

    /// The entity kinds whose changes are judged per entity, and by whether they supersede
    /// anything, as well (`refusal(of:kind:field:entity:supersedes:)`): a key rotation record,
    /// which only the key it retires writes, once.
    public static let perEntityKinds: Set<String> = [EntityKind.keyRotation.rawValue]

    /// Checks a change of this engagement given its id, entity kind, field, entity and whether its
    /// `supersedes` is non-empty: beyond `refusal(of:kind:field:)`, a change to a key rotation
    /// record is refused unless the record is its author's own (`KeyRotation.id(engagement:replica:)`),
    /// whoever the author is, and, being written once, when it supersedes anything.
    ///
    /// Both answers depend on the change alone, so every replica gives the same verdict whatever
    /// it holds and in whatever order changes came. `entity` and `supersedes` matter only for the
    /// `perEntityKinds`: for those, a `nil` entity is refused.
    public func refusal(of id: ChangeID, kind: String, field: String, entity: EntityID?, supersedes: Bool) -> Refusal? {
        if let refusal = refusal(of: id, kind: kind, field: field) { return refusal }
        if kind == EntityKind.keyRotation.rawValue {
            if entity != KeyRotation.id(engagement: engagement, replica: id.origin) { return .notOwnKeyRotation(id) }
            // Written once: a superseded value would be hidden, and with it the first `successor`
            // that sets the retirement point (`KeyRotation`, PROTOCOL §22.3).
            if supersedes { return .rewritesKeyRotation(id) }
        }
        return nil
    }

    /// Checks a change of this engagement given its id, entity kind and field.
    public func refusal(of id: ChangeID, kind: String, field: String) -> Refusal? {
        guard founder != nil else { return .unknownFounder(id, engagement: engagement) }
        if let index = founders.firstIndex(where: { $0.replica == id.origin }) {
            if let through = founders[index].through, id.seq > through {
                return .retired(id, retiredAfter: through, successor: founders[index + 1].replica)
            }
            // Only the root claims to found the engagement: a successor rewriting `lead` would
            // make later replicas record another root (§22.3).
            if index > 0, kind == EntityKind.engagement.rawValue, field == Engagement.Field.lead.rawValue {
                return .founderOnly(id, what: "claims to found the engagement", role: members[id.origin]?.role ?? .lead)
            }
            return nil
        }
        guard let membership = members[id.origin] else { return .notOnRoster(id, engagement: engagement) }
        let bound = min(membership.retiredAfter ?? .max, membership.removedAfter ?? .max)
        if id.seq > bound {
            let successor = successor(of: id.origin) ?? membership.successor
            if membership.retiredAfter != nil || successor != nil { return .retired(id, retiredAfter: bound, successor: successor) }
            return .removed(id, removedAfter: bound)
        }
        if kind == EntityKind.member.rawValue {
            return .founderOnly(id, what: "changes the team", role: membership.role)
        }
        if kind == EntityKind.keyRotation.rawValue && membership.role != .central {
            // A member's record of its own key rotation; whose record it is, `refusal(of:kind:field:entity:supersedes:)` checks, and that it is written once.
            return nil
        }
        if kind == EntityKind.engagement.rawValue && field == Engagement.Field.lead.rawValue {
            return .founderOnly(id, what: "claims to found the engagement", role: membership.role)
        }
        switch membership.role {
        case .observer:
            return .observer(id)
        case .central:
            return .centralRepository(id)
        case .lead:
            return nil
        case .auditor, .expert:
            if kind == EntityKind.engagement.rawValue {
                return .leadOnly(id, what: "edits the engagement", role: membership.role)
            }
            if kind == EntityKind.finding.rawValue, let leadOnly = Finding.Field(rawValue: field), Finding.leadOnlyFields.contains(leadOnly) {
                let what = switch leadOnly {
                case .verification: "verifies a nonconformity's corrective actions"
                case .mergedInto, .mergeReason: "merges findings"
                default: "signs a finding off"
                }
                return .leadOnly(id, what: what, role: membership.role)
            }
            if kind == EntityKind.planItem.rawValue {
                return .leadOnly(id, what: "edits the audit plan", role: membership.role)
            }
            if kind == EntityKind.lateDecision.rawValue || kind == EntityKind.reopening.rawValue {
                return .leadOnly(id, what: "decides about the engagement's closing", role: membership.role)
            }
            return nil
        }
    }

    /// Checks the deletion or restoration of `entity` (a change to its `deleted` field): beyond
    /// what `refusal(of:kind:field:)` checks, an auditor or expert may delete or restore only the
    /// entities it created, a lead any. `nil` when allowed.
    ///
    /// The creator is read so that every replica gives the same verdict whatever changes it holds:
    /// from the entity's id (`EntityID.isMade(by:)`), which names the author's key or a key it
    /// replaced (`identities(of:)`); for the `sharedKinds`, whose ids name no creator, from
    /// `authorWroteIt`: whether the author's own chain wrote the entity before this change, which
    /// every replica holding the change holds too. Entities made before ids named their creator
    /// are deleted by a lead.
    public func refusal(ofDeleting id: ChangeID, kind: String, entity: EntityID, authorWroteIt: @autoclosure () throws -> Bool) rethrows -> Refusal? {
        if let refusal = refusal(of: id, kind: kind, field: Change.deletedField) { return refusal }
        guard founder != nil, !isFounderKey(id.origin), let membership = members[id.origin], membership.role != .lead else { return nil }
        if Self.sharedKinds.contains(kind) {
            if try authorWroteIt() { return nil }
        } else if identities(of: id.origin).contains(where: entity.isMade(by:)) {
            return nil
        }
        return .notAuthor(id, kind: kind, role: membership.role)
    }

    /// Whether an `auditor` or `expert` may be refused the deletion of some entity: `false` for
    /// the founder and leads, whose deletions only `refusal(of:kind:field:)` judges.
    public func mayRefuseDeletions(by replica: ReplicaID) -> Bool {
        !isFounderKey(replica) && members[replica].map { $0.role != .lead } ?? false
    }

    /// The first of `changes` that its engagement's roster refuses, in change-id order, so that
    /// every replica names the same change; changes of engagements missing from `rosters` are not
    /// judged. The one judge of both local writes and imported bundles. `entity` and `supersedes`
    /// (whether the change's `supersedes` is non-empty) are needed only for the `perEntityKinds`
    /// (`refusal(of:kind:field:entity:supersedes:)`).
    public static func firstRefusal(
        among changes: some Sequence<(id: ChangeID, engagement: EntityID, kind: String, field: String, entity: EntityID?, supersedes: Bool)>,
        rosters: [EntityID: Roster]
    ) -> Refusal? {
        for change in changes.sorted(by: { $0.id < $1.id }) {
            guard let roster = rosters[change.engagement] else { continue }
            if let refusal = roster.refusal(of: change.id, kind: change.kind, field: change.field, entity: change.entity, supersedes: change.supersedes) {
                return refusal
            }
        }
        return nil
    }

    /// The members with the role `lead` who are still on the team.
    ///
    /// A roster without one is valid (the founder keeps every right whatever its member role),
    /// but a replica refuses to write it locally: nobody could then be shown, or promoted, as lead
    /// without knowing that rule.
    public var leads: [ReplicaID] {
        members.filter { $0.value.role == .lead && $0.value.removedAfter == nil }.map(\.key).sorted()
    }

    /// Whether a replica may read the engagement: its founder, or a member not removed and whose
    /// key did not retire itself (the central repository the engagement is filed with included).
    public func canRead(_ replica: ReplicaID) -> Bool {
        replica == founder || (members[replica].map { $0.removedAfter == nil && $0.retiredAfter == nil } ?? false)
    }

    /// Whether a replica first accepting the engagement accepts `claim` as its root: `claim` is
    /// this replica or trusted, or a key of `claim`'s founder chain (read from `snapshots`) is
    /// trusted and every link of the chain up to it is confirmed by its successor's own signature:
    /// each key after the root wrote, on its own member entity (`TeamMember.id(engagement:replica:)`),
    /// `succeeds` = the key before it, as the reference `key rotate` does (§22.3). So neither a
    /// stranger's root naming an honest key as its successor nor a made-up root whose record names
    /// the engagement's real founder vouches for anything: the honest key never confirmed it.
    public static func acceptsRoot(_ claim: ReplicaID, engagement: EntityID, snapshots: [EntitySnapshot], trusts: (ReplicaID) -> Bool) -> Bool {
        if trusts(claim) { return true }
        let chain = Roster(engagement: engagement, founder: claim, snapshots: snapshots).founders.map(\.replica)
        for index in chain.indices.dropFirst() {
            guard confirms(chain[index], succeeding: chain[index - 1], engagement: engagement, snapshots: snapshots) else { return false }
            if trusts(chain[index]) { return true }
        }
        return false
    }

    /// Whether `key` itself wrote `succeeds` = `predecessor` on its own member entity of `engagement`
    /// (a visible value of it, signed by `key`): the successor's confirmation of a founder chain link.
    public static func confirms(_ key: ReplicaID, succeeding predecessor: ReplicaID, engagement: EntityID, snapshots: [EntitySnapshot]) -> Bool {
        let member = TeamMember.id(engagement: engagement, replica: key)
        return snapshots.contains { snapshot in
            snapshot.id == member && snapshot.kind == EntityKind.member.rawValue && snapshot.engagement == engagement
                && snapshot.fields[TeamMember.Field.succeeds.rawValue]?.values.contains {
                    $0.id.origin == key && $0.value.text == predecessor.hex
                } == true
        }
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
