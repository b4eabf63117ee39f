import AuditModel
import Foundation
import Replication

extension Replica {
    /// Sets the engagement's time zone (the site's IANA zone, `Europe/Berlin`), in which every
    /// table and report shows the engagement's times, whoever shows them.
    ///
    /// A change to the engagement like any other: only a lead writes it (`Roster`); it replicates,
    /// a concurrent change is a conflict kept and shown, and it is never late for a closing (it
    /// changes how times are written, not what was concluded).
    ///
    /// - Throws: `.model(.unknownTimeZone)` with the nearest names for a zone that does not exist;
    ///   `.notPermitted` for a member who is not a lead.
    public func setTimeZone(_ identifier: String, engagement reference: String?) throws(FieldAuditError) -> SiteTime {
        let record = try following(in: reference, kinds: [])
        let writes = try validate { () throws(AuditModelError) in try Engagement.timeZoneWrites(identifier) }
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: record.engagement.id, kind: .engagement) }
        return try self.record(of: record.engagement.id, kinds: []).engagement.siteTime
    }

    /// How the engagement's times are written (its zone, with the zone): what tables show.
    public func siteTime(engagement reference: String?) throws(FieldAuditError) -> SiteTime {
        try record(of: try engagementID(reference), kinds: []).engagement.siteTime
    }
}
