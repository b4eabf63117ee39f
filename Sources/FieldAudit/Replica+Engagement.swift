import AuditModel
import AuditStore
import Foundation
import Replication

extension Replica {
    static let currentEngagementKey = "current_engagement"
    static let currentInterviewKey = "current_interview"

    /// Creates an engagement led by this replica, puts its owner on the team as lead, and makes
    /// it the current engagement.
    public func createEngagement(_ draft: EngagementDraft) throws(FieldAuditError) -> EntityID {
        let writes = try validate { () throws(AuditModelError) in try draft.writes(lead: identity.id) }
        let id = makeEntityID()
        try write(in: id) { writer in
            try writer.put(writes, entity: id, kind: .engagement)
            try writer.put(
                TeamMember.writes(replica: identity.id, name: name, publicKey: card.publicKey, agreementKey: card.agreementKey, role: .lead),
                entity: TeamMember.id(engagement: id, replica: identity.id), kind: .member)
        }
        try perform { () throws(StoreError) in try store.recordFounder(identity.id, of: id) }
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
            return try store.snapshots(engagement: engagement, kinds: ([.engagement, .member] + kinds).map(\.rawValue))
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

    /// The role of this replica in an engagement, or `.notOnTeam`.
    func role(in record: EngagementRecord) throws(FieldAuditError) -> TeamRole {
        guard let role = record.role(of: identity.id) else { throw .notOnTeam(engagement: record.engagement.id.description) }
        return role
    }

    /// Refuses unless this replica leads the engagement.
    func requireLead(_ record: EngagementRecord, to action: String) throws(FieldAuditError) {
        let role = try role(in: record)
        guard role == .lead else { throw .notPermitted(action: action, role: role.rawValue) }
    }

    /// The record of an engagement this replica may write in, for a capture command.
    ///
    /// It holds the engagement, its team and the entities of `kinds` only.
    ///
    /// - Throws: `.notOnTeam`, or `.notPermitted` for an observer, who watches but does not write.
    func capturing(in reference: String?, kinds: [EntityKind] = []) throws(FieldAuditError) -> EngagementRecord {
        let record = try record(of: try engagementID(reference), kinds: kinds)
        let role = try role(in: record)
        if role == .observer { throw .notPermitted(action: "record audit work (observers watch only)", role: "observer") }
        if record.engagement.status == .closed {
            throw .notPermitted(action: "record work in a closed engagement (its conclusion is frozen)", role: role.rawValue)
        }
        return record
    }

    /// Adds a team member from an identity card, with a role. Lead only.
    public func addMember(_ card: IdentityCard, role: TeamRole, engagement reference: String?) throws(FieldAuditError) -> EntityID {
        let record = try capturing(in: reference)
        try requireLead(record, to: "change the team")
        let key = try card.verifiedKey()
        let replica = ReplicaID(publicKey: key)
        let id = TeamMember.id(engagement: record.engagement.id, replica: replica)
        try write(in: record.engagement.id) { writer in
            try writer.put(
                TeamMember.writes(replica: replica, name: card.name, publicKey: card.publicKey, agreementKey: card.agreementKey, role: role),
                entity: id, kind: .member)
        }
        return id
    }

    /// Removes a member from the team. Lead only. The member's changes up to the last one this
    /// replica holds stay valid everywhere; later ones are refused (`Roster`).
    public func removeMember(_ replica: ReplicaID, engagement reference: String?) throws(FieldAuditError) -> UInt64 {
        let record = try capturing(in: reference)
        try requireLead(record, to: "change the team")
        guard replica != identity.id else { throw .notPermitted(action: "remove the founding lead", role: "lead") }
        guard record.members.contains(where: { $0.replica == replica }) else {
            throw .notFound(kind: "team member", id: replica.hex)
        }
        let removedAfter = try perform { () throws(StoreError) in try store.vector() }[replica]
        let id = TeamMember.id(engagement: record.engagement.id, replica: replica)
        try write(in: record.engagement.id) { writer in
            try writer.put([(TeamMember.Field.removedAfter.rawValue, .integer(Int64(removedAfter)))], entity: id, kind: .member)
            try writer.delete(id, kind: .member)
        }
        return removedAfter
    }

    /// The catalogs this replica knows: built in, plus those imported into the store directory.
    public func catalogs() -> [Catalog] {
        Self.catalogs(in: location.directory)
    }

    /// The catalogs built in, plus those imported into the store directory `directory`.
    private static func catalogs(in storeDirectory: String) -> [Catalog] {
        let directory = storeDirectory + "/catalogs"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let imported = files.filter { $0.hasSuffix(".json") }.sorted().compactMap { name in
            FileManager.default.contents(atPath: directory + "/" + name).flatMap { try? Catalog.decode($0) }
        }
        return Catalog.builtIn + imported.filter { catalog in !Catalog.builtIn.contains { $0.id == catalog.id } }
    }

    /// Imports a catalog file so engagements can audit against it.
    public func importCatalog(from path: String) throws(FieldAuditError) -> Catalog {
        let data = try InputFile.contents(of: path)
        let catalog = try validate { () throws(AuditModelError) in try Catalog.decode(data) }
        let directory = location.directory + "/catalogs"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: "\(directory)/\(catalog.id).json"), options: .atomic)
        } catch {
            throw .io(path: directory, reason: error.localizedDescription)
        }
        return catalog
    }

    /// The catalog with this id.
    public func catalog(_ id: String) throws(FieldAuditError) -> Catalog {
        guard let catalog = catalogs().first(where: { $0.id == id }) else { throw .notFound(kind: "catalog", id: id) }
        return catalog
    }
}
