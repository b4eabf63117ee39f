import AuditModel
import AuditReports
import Foundation
import Replication

/// An engagement's record with the context a report needs, ready for any `AuditReports` format.
public struct ReportSource: Sendable {
    /// Everything recorded in the engagement.
    public let record: EngagementRecord
    /// Who made the report, and when, for its front page.
    public let context: ReportContext
}

extension Replica {
    /// Gathers what a report of an engagement needs: its record, and the facts only this replica
    /// knows (late changes, evidence files it does not hold), at the wall clock's time unless
    /// `generatedAt` (Unix milliseconds) says otherwise, for a reproducible report.
    ///
    /// The report writes times in the engagement's zone (`Engagement.siteTime`), whoever makes it
    /// and whatever their own zone. Any replica can report, on the team or not (a central
    /// repository, say): reading needs no role.
    public func reportSource(
        engagement reference: String?, generator: String = "fieldaudit", generatedAt: Int64? = nil
    ) throws(FieldAuditError) -> ReportSource {
        let record = try record(of: try engagementID(reference))
        return ReportSource(record: record, context: try reportContext(for: record, generator: generator, generatedAt: generatedAt))
    }

    /// The context of a report of `record` made now (or at `generatedAt`), in the engagement's zone.
    func reportContext(
        for record: EngagementRecord, generator: String = "fieldaudit", generatedAt: Int64? = nil
    ) throws(FieldAuditError) -> ReportContext {
        let missing = Set(record.evidence.compactMap(\.digest).filter { !blobs.contains($0) })
        var context = ReportContext(
            generatedAt: generatedAt ?? now, timeZone: record.engagement.siteTime.timeZone, generator: generator, lateChanges: try lateChanges(in: record),
            missingEvidence: missing)
        for item in record.evidence {
            if let transcript = transcript(of: item) { context.transcripts[item.id] = transcript }
        }
        context.rejectedLateChanges = try lateChanges(in: record, includingDecided: true).filter { $0.decision?.verdict == .rejected }
        // The forked replicas on this engagement's team: their changes from the fork on are not in it.
        context.forkedOrigins = try forkedOrigins().compactMap { fork in
            guard let member = record.members.first(where: { $0.replica?.hex == fork.replica }), let replica = member.replica else { return nil }
            return ForkedOriginEntry(replica: replica, name: member.name, seq: fork.seq, versions: fork.versions.count, setAside: fork.setAside)
        }
        return context
    }
}
