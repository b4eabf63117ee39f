import AuditModel
import AuditStore
import Foundation
import Replication

extension Replica {
    static let currentEngagementKey = "current_engagement"
    static let currentInterviewKey = "current_interview"

    /// Creates an engagement founded and led by this replica, puts its owner on the team as lead,
    /// and makes it the current engagement.
    public func createEngagement(_ draft: EngagementDraft) throws(FieldAuditError) -> EntityID {
        let writes = try validate { () throws(AuditModelError) in try draft.writes(lead: identity.id) }
        let id = makeEntityID()
        try write(in: id) { writer in
            try writer.put(writes, entity: id, kind: .engagement)
            try writer.put(
                TeamMember.writes(replica: identity.id, name: name, publicKey: card.publicKey, agreementKey: card.agreementKey, role: .lead),
                entity: TeamMember.id(engagement: id, replica: identity.id), kind: .member)
        }
        try use(engagement: id)
        return id
    }

    /// Every engagement this replica holds, oldest first.
    public func engagements() throws(FieldAuditError) -> [Engagement] {
        try perform { () throws(StoreError) in try store.snapshots(ofKind: EntityKind.engagement.rawValue) }
            .filter { !$0.deleted }.compactMap(Engagement.init)
    }

    /// Makes an engagement current, so capture commands need no `--engagement`.
    public func use(engagement: EntityID) throws(FieldAuditError) {
        try perform { () throws(StoreError) in
            try store.setMetadata(Self.currentEngagementKey, to: engagement.description)
            try store.setMetadata(Self.currentInterviewKey, to: "")
        }
    }

    /// Makes the only engagement this replica holds current when none is (after importing a
    /// kickoff bundle, say), so capture commands need no `engagement use`; returns it, or `nil`
    /// when an engagement is current already or there are none or several.
    public func adoptSoleEngagement() throws(FieldAuditError) -> Engagement? {
        let all = try engagements()
        let current = try perform { () throws(StoreError) in try store.metadata(Self.currentEngagementKey) }
            .flatMap { try? EntityID($0) }
        guard all.count == 1, current.map({ id in !all.contains { $0.id == id } }) ?? true else { return nil }
        try use(engagement: all[0].id)
        return all[0]
    }

    /// The engagement named by `reference` (a full id or a unique prefix), or the current one.
    ///
    /// - Throws: `FieldAuditError.noCurrentEngagement`, `.notFound` or `.ambiguous`.
    public func engagementID(_ reference: String?) throws(FieldAuditError) -> EntityID {
        if let reference {
            return try resolve(reference, among: engagements().map(\.id), kind: "engagement")
        }
        guard let current = try perform({ () throws(StoreError) in try store.metadata(Self.currentEngagementKey) }),
              let id = try? EntityID(current)
        else { throw .noCurrentEngagement }
        return id
    }

    /// Everything recorded in an engagement; with `kinds`, only the engagement, its team and
    /// entities of those kinds (what a capture command needs, in time independent of the
    /// engagement's size).
    public func record(of engagement: EntityID, kinds: [EntityKind]? = nil) throws(FieldAuditError) -> EngagementRecord {
        let snapshots = try perform { () throws(StoreError) in
            guard let kinds else { return try store.snapshots(engagement: engagement) }
            return try store.snapshots(engagement: engagement, kinds: Roster.kinds + kinds.map(\.rawValue))
        }
        let directory = location.directory
        guard let record = EngagementRecord(engagement: engagement, snapshots: snapshots, catalogs: { Self.catalogs(in: directory) }) else {
            throw .notFound(kind: "engagement", id: engagement.description)
        }
        return record
    }

    /// Resolves an id among candidates from its full form, or a unique prefix or suffix of its
    /// hex digits (dashes optional) such as the 8-digit short form tables show.
    public func resolve(_ reference: String, among candidates: [EntityID], kind: String) throws(FieldAuditError) -> EntityID {
        let wanted = reference.lowercased().filter { $0 != "-" }
        let matches = candidates.filter { candidate in
            let hex = Hex.encode(candidate.bytes)
            return hex.hasPrefix(wanted) || hex.hasSuffix(wanted)
        }
        guard !wanted.isEmpty, let first = matches.first else { throw .notFound(kind: kind, id: reference) }
        guard matches.count == 1 else {
            throw .ambiguous(kind: kind, prefix: reference, matches: matches.map(\.description))
        }
        return first
    }

    /// The record of an engagement for a capture command: the engagement, its team and the
    /// entities of `kinds` only.
    ///
    /// Who may write what is the roster's question, answered before the write commits
    /// (`write(in:)`); here only a closed engagement is refused.
    ///
    /// - Throws: `.engagementClosed` once the engagement is closed (its conclusion is frozen),
    ///   saying whether this replica, as a lead, may reopen it.
    func capturing(in reference: String?, kinds: [EntityKind] = []) throws(FieldAuditError) -> EngagementRecord {
        let record = try record(of: try engagementID(reference), kinds: kinds)
        try refuseIfClosed(record)
        return record
    }

    /// Refuses capture in a closed engagement (its conclusion is frozen).
    ///
    /// - Throws: `.engagementClosed`, saying whether this replica, as a lead, may reopen it.
    func refuseIfClosed(_ record: EngagementRecord) throws(FieldAuditError) {
        if record.engagement.status == .closed {
            let isLead = record.engagement.lead == identity.id || record.role(of: identity.id) == .lead
            throw .engagementClosed(engagement: record.engagement.id.description, isLead: isLead)
        }
    }

    /// What `addMember` did.
    public enum MemberAddition: Equatable, Sendable {
        /// The card's owner joined the team with this role.
        case added(TeamRole)
        /// The card's owner was already on the team with this role, and no other was asked for:
        /// nothing was written.
        case alreadyOnTeam(TeamRole)
        /// The card's owner was on the team and now has the role asked for.
        case roleChanged(from: TeamRole, to: TeamRole)
    }

    /// Adds a team member from an identity card; with `role`, sets the member's role.
    ///
    /// A card already on the team changes nothing unless a role is asked for; a new member gets
    /// `role`, by default `auditor`; a member removed earlier is restored. Only the engagement's
    /// founder changes the team (`Roster`), and the team keeps a lead.
    ///
    /// - Throws: `.refused` unless this replica founded the engagement; `.noLeadLeft` when the
    ///   change would demote the last lead.
    public func addMember(_ card: IdentityCard, role: TeamRole?, engagement reference: String?) throws(FieldAuditError) -> (id: EntityID, outcome: MemberAddition) {
        let record = try capturing(in: reference)
        let key = try card.verifiedKey()
        let replica = ReplicaID(publicKey: key)
        let id = TeamMember.id(engagement: record.engagement.id, replica: replica)
        let current = (record.members + record.centrals).first { $0.replica == replica }?.role
        if let current, role == nil || role == current { return (id, .alreadyOnTeam(current)) }
        let wanted = role ?? .auditor
        let removed = try perform { () throws(StoreError) in try store.snapshot(id) }?.deleted ?? false
        try write(in: record.engagement.id) { writer in
            if current != nil {
                try writer.put([(TeamMember.Field.role.rawValue, .text(wanted.rawValue))], entity: id, kind: .member)
                return
            }
            try writer.put(
                TeamMember.writes(replica: replica, name: card.name, publicKey: card.publicKey, agreementKey: card.agreementKey, role: wanted),
                entity: id, kind: .member)
            if removed { try writer.restore(id, kind: .member) }
        }
        return (id, current.map { .roleChanged(from: $0, to: wanted) } ?? .added(wanted))
    }

    /// Removes a member from the team. The member's changes up to the last one this replica
    /// holds (or up to `keepingThrough`, when the member's later work reached others) stay valid
    /// everywhere; later ones are refused (`Roster`). Only the engagement's founder changes the
    /// team, never removes itself, and the team keeps a lead.
    ///
    /// - Throws: `FieldAuditError.invalidInput` if `keepingThrough` is below what this replica
    ///   holds of the member: those changes are accepted here already, and bundles carrying them
    ///   would be refused by every peer.
    public func removeMember(_ replica: ReplicaID, engagement reference: String?, keepingThrough: UInt64? = nil) throws(FieldAuditError) -> UInt64 {
        let record = try capturing(in: reference)
        guard replica != identity.id else { throw .notPermitted(
            action: "removing yourself from the team", role: record.role(of: identity.id)?.rawValue ?? "founding lead",
            rule: "only the engagement's founding lead changes its team, and it stays on the team it founded") }
        guard (record.members + record.centrals).contains(where: { $0.replica == replica }) else {
            throw .notFound(kind: "team member", id: replica.hex)
        }
        let held = try perform { () throws(StoreError) in try store.vector() }[replica]
        if let keepingThrough, keepingThrough < held {
            throw .invalidInput(source: "--after \(keepingThrough)", reason: "this replica holds \(replica.short)'s changes up to seq \(held) already; keep at least those (--after \(held) or more)")
        }
        let removedAfter = keepingThrough ?? held
        let id = TeamMember.id(engagement: record.engagement.id, replica: replica)
        try write(in: record.engagement.id) { writer in
            try writer.put([(TeamMember.Field.removedAfter.rawValue, .integer(Int64(removedAfter)))], entity: id, kind: .member)
            try writer.delete(id, kind: .member)
        }
        return removedAfter
    }
}
