import AuditModel
import AuditStore
import Foundation
import Replication

/// The state of an engagement's audit at a glance.
public struct AuditStatus: Sendable {
    /// Everything recorded in the engagement.
    public let record: EngagementRecord
    /// The coverage of clauses and Annex A of the primary standard.
    public let coverage: Coverage
    /// Each standard's coverage, in the order of `record.standards` (the primary one first): one
    /// for an audit of one standard.
    public let coverages: [Coverage]
    /// Fields with concurrent values in the engagement.
    public let conflicts: Int
    /// Changes this replica wrote that no bundle has carried away yet.
    public let unexported: Int
    /// Total changes held for the engagement's replicas.
    public let changes: Int
    /// The engagement's closing, when it is closed.
    public let closing: Closing?
    /// Changes that came after the closing and await the lead's acceptance.
    public let late: [LateChange]
    /// The audit plan's sessions against what was done.
    public let plan: PlanProgress
    /// Origins whose history is forked, quarantined from their fork on.
    public internal(set) var forkedOrigins: [ForkNotice] = []
}

/// A line of an entity's history: who changed what, when, from which replica.
public struct HistoryEntry: Sendable {
    /// The change.
    public let change: Change
    /// Its author's name on the team, or its replica id when not on it (text someone wrote).
    public let author: String
    /// Its value in words (`EngagementRecord.describe`): times in the engagement's zone, names
    /// for replica ids (text someone wrote).
    public let value: String
}

extension Replica {
    /// The engagement's coverage of clauses and Annex A, counts, open conflicts, and the plan
    /// against what was done (days read in the engagement's time zone, the site's, whoever asks).
    public func status(engagement reference: String?) throws(FieldAuditError) -> AuditStatus {
        let record = try record(of: try engagementID(reference))
        let exported = UInt64(try perform { () throws(StoreError) in try store.metadata(Self.exportedSeqKey) } ?? "") ?? 0
        var status = AuditStatus(
            record: record, coverage: Coverage(record), coverages: record.standards.catalogs.indices.map { Coverage(record, standard: $0) },
            conflicts: record.conflicts.reduce(0) { $0 + $1.fields.count },
            unexported: try perform { () throws(StoreError) in try store.changeCount(of: identity.id, after: exported) },
            changes: try perform { () throws(StoreError) in try store.changeCount() },
            closing: Closing(record.engagement), late: try lateChanges(in: record), plan: PlanProgress(record, timeZone: record.engagement.siteTime.timeZone))
        status.forkedOrigins = try forkedOrigins()
        return status
    }

    static let exportedSeqKey = "exported_seq"

    /// Who changed what: the history of one entity, or the engagement's latest changes.
    public func log(entity reference: String?, engagement: String?, limit: Int = 50) throws(FieldAuditError) -> [HistoryEntry] {
        let record = try record(of: try engagementID(engagement))
        let changes: [Change]
        if let reference {
            let candidates = try perform { () throws(StoreError) in try store.snapshots(engagement: record.engagement.id) }.map(\.id)
            let id = try resolve(reference, among: candidates, kind: "entity")
            changes = try perform { () throws(StoreError) in try store.history(of: id) }
        } else {
            changes = try perform { () throws(StoreError) in try store.recentChanges(engagement: record.engagement.id, limit: limit) }.reversed()
        }
        let siteTime = record.engagement.siteTime
        return changes.map { change in
            HistoryEntry(change: change, author: record.memberName(change.origin), value: record.describe(change.value, field: change.field, in: siteTime))
        }
    }

    /// Full-text search over notes, statements, conclusions and evidence descriptions: the best
    /// `limit` hits (nil: all of them).
    public func search(_ query: String, engagement reference: String?, limit: Int? = 50) throws(FieldAuditError) -> [SearchHit] {
        let scope = try reference.map { reference throws(FieldAuditError) in try engagementID(reference) }
        return try perform { () throws(StoreError) in try store.search(query, engagement: scope, limit: limit) }.map { SearchHit($0) }
    }

    /// How many hits `search` finds without a limit.
    public func searchCount(_ query: String, engagement reference: String?) throws(FieldAuditError) -> Int {
        let scope = try reference.map { reference throws(FieldAuditError) in try engagementID(reference) }
        return try perform { () throws(StoreError) in try store.searchCount(query, engagement: scope) }
    }
}
