import AuditModel
import Foundation
import Replication

/// What a report needs besides the engagement record: facts about the moment and the replica it
/// is made on, which the record alone does not hold.
///
/// The caller (the `Replica`) gathers them; the projections stay pure, so the same record and
/// context always give the same bytes.
public struct ReportContext: Sendable {
    /// When the report is made, Unix milliseconds.
    public var generatedAt: Int64
    /// The time zone the report's times are written in.
    public var timeZone: TimeZone
    /// The program and version that made the report, for the report's colophon.
    public var generator: String
    /// Changes of the closed engagement that the lead has not accepted yet (see `Closing`).
    public var lateChanges: [LateChange]
    /// Evidence files recorded in the engagement whose bytes this replica does not hold.
    public var missingEvidence: Set<BlobDigest>
    /// Each command transcript (evidence with a `run`) as the report shows it, by evidence id.
    public var transcripts: [EntityID: Transcript] = [:]
    /// Replicas this replica quarantined because their history is forked (`ForkedOriginEntry`).
    public var forkedOrigins: [ForkedOriginEntry] = []

    /// The day the report is written at the engagement's site, `YYYY-MM-DD` (in `timeZone`): what
    /// overdue corrective actions and deadlines are judged against.
    public var today: String { SiteTime(timeZone).day(generatedAt) }

    /// Changes of the closed engagement that the lead rejected: kept in the record, but not taken
    /// into the conclusion; the report marks what they changed.
    public var rejectedLateChanges: [LateChange] = []

    /// The context of a report made at `generatedAt` (Unix milliseconds); times are written in UTC
    /// unless `timeZone` says otherwise, and no late change or missing evidence is assumed.
    public init(
        generatedAt: Int64, timeZone: TimeZone = TimeZone(identifier: "UTC")!, generator: String = "fieldaudit",
        lateChanges: [LateChange] = [], missingEvidence: Set<BlobDigest> = []
    ) {
        self.generatedAt = generatedAt
        self.timeZone = timeZone
        self.generator = generator
        self.lateChanges = lateChanges
        self.missingEvidence = missingEvidence
    }
}
