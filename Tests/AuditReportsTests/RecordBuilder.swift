import AuditModel
import AuditReports
import Foundation
import Replication
import TestSupport

/// Builds an engagement record from fixed snapshots, field by field, so report tests are byte
/// for byte repeatable and can put fields in conflict directly.
struct RecordBuilder {
    let engagement = testEntity(1, milliseconds: 1_795_000_000_000)
    let ada = testIdentity(1).id
    let ben = testIdentity(2).id
    /// Unix milliseconds of the audit's first morning, 2026-11-18 11:06:40 UTC.
    let morning: Int64 = 1_795_000_000_000
    private var snapshots: [EntityID: (kind: EntityKind, fields: [String: FieldState])] = [:]
    private var seq: UInt64 = 0

    init() {
        put(.engagement, engagement, [
            "client": .text("Helix Diagnostics Ltd"), "address": .text("4 Mill Lane, Leeds LS1 4AB"),
            "standard": .text(Catalog.iso42001ID), "auditType": .text("stage2"), "status": .text("active"),
            "lead": .text(ada.hex), "scope": .text("AI triage models"), "startDate": .text("2026-12-01"),
            "endDate": .text("2026-12-02"), "sites": FieldCoding.encodeStrings(["Leeds HQ"]),
            "criteria": .text("ISO/IEC 42001:2023 and the organisation's Statement of Applicability"),
        ])
        put(.member, TeamMember.id(engagement: engagement, replica: ada), [
            "replica": .text(ada.hex), "name": .text("Ada Lead"), "publicKey": .text("AA=="), "role": .text("lead"),
        ])
        put(.member, TeamMember.id(engagement: engagement, replica: ben), [
            "replica": .text(ben.hex), "name": .text("Ben Auditor"), "publicKey": .text("BB=="), "role": .text("auditor"),
        ])
    }

    /// A time `minutes` after the first morning.
    func at(_ minutes: Int64) -> Int64 { morning + minutes * 60_000 }

    /// An entity id made `minutes` after the first morning, so ids sort in the order they are made.
    func id(_ seed: UInt64, minutes: Int64) -> EntityID { testEntity(seed, milliseconds: UInt64(at(minutes))) }

    /// Writes fields of an entity, each with one value by `author`.
    mutating func put(_ kind: EntityKind, _ entity: EntityID, _ fields: [String: Value], by author: ReplicaID? = nil) {
        for (field, value) in fields.sorted(by: { $0.key < $1.key }) {
            set(kind, entity, field, [(value, author ?? ada)])
        }
    }

    /// Gives a field of an entity these visible values: two or more make a conflict.
    mutating func set(_ kind: EntityKind, _ entity: EntityID, _ field: String, _ values: [(Value, ReplicaID)]) {
        var visible: [VisibleValue] = []
        for (value, author) in values {
            seq += 1
            visible.append(VisibleValue(
                id: ChangeID(origin: author, seq: seq), stamp: Timestamp(milliseconds: UInt64(morning) + seq * 1000, counter: 0), value: value))
        }
        var entry = snapshots[entity] ?? (kind, [:])
        entry.fields[field] = FieldState(visible)
        snapshots[entity] = entry
    }

    /// The record of everything put so far.
    var record: EngagementRecord {
        let all = snapshots.map { id, entry in
            EntitySnapshot(id: id, kind: entry.kind.rawValue, engagement: engagement, deleted: false, fields: entry.fields)
        }
        return EngagementRecord(engagement: engagement, snapshots: all)!
    }

    /// A small Stage 2 day: an interview with a note and evidence, a test, a standalone note, a
    /// minor nonconformity on the evidence, and an OFI.
    static func stage2Day() -> (builder: RecordBuilder, minor: EntityID, evidence: EntityID) {
        var builder = RecordBuilder()
        let engagement = builder.engagement
        for (ref, applicable) in [("A.6.2.8", true), ("A.10.4", false)] {
            builder.put(.soa, ApplicabilityStatement.id(engagement: engagement, ref: ref), [
                "ref": .text(ref), "applicable": .bool(applicable),
                "justification": .text(applicable ? "Needed for clinical safety" : "No consumer customers"),
            ])
        }
        let system = builder.id(2, minutes: 1)
        builder.put(.system, system, [
            "name": .text("TriageNet"), "purpose": .text("Suggests a triage category"), "role": .text("provider"), "riskClass": .text("high"),
        ])
        let interview = builder.id(3, minutes: 10)
        builder.put(.interview, interview, [
            "interviewee": .text("Amira Haddad"), "role": .text("ML platform lead"), "startedAt": .integer(builder.at(10)),
            "endedAt": .integer(builder.at(40)), "auditors": FieldCoding.encodeStrings(["Ada Lead"]),
            "topics": FieldCoding.encodeStrings(["A.6.2.8"]),
        ])
        builder.put(.note, builder.id(4, minutes: 15), [
            "text": .text("Retention is 7 days in production"), "interview": .text(interview.description), "ref": .text("A.6.2.8"),
            "at": .integer(builder.at(15)),
        ])
        builder.put(.note, builder.id(5, minutes: 50), ["text": .text("Supplier clause 9.4 gives 72h notice"), "ref": .text("A.10.3"), "at": .integer(builder.at(50))], by: builder.ben)
        let evidence = builder.id(6, minutes: 20)
        let digest = try! BlobDigest(hex: String(repeating: "ab", count: 32))
        builder.put(.evidence, evidence, [
            "digest": .blob(digest), "name": .text("log retention.yaml"), "size": .integer(412), "mediaType": .text("application/yaml"),
            "description": .text("Production logging configuration"), "capturedBy": .text("Ada Lead"), "capturedAt": .integer(builder.at(20)),
            "ref": .text("A.6.2.8"),
        ])
        builder.put(.link, EvidenceLink.id(evidence: evidence, target: "A.6.2.8"), [
            "evidence": .text(evidence.description), "target": .text("A.6.2.8"), "targetKind": .text("requirement"),
        ])
        builder.put(.link, EvidenceLink.id(evidence: evidence, target: interview.description), [
            "evidence": .text(evidence.description), "target": .text(interview.description), "targetKind": .text("interview"),
        ])
        builder.put(.test, builder.id(7, minutes: 60), [
            "ref": .text("A.6.2.8"), "method": .text("reperformance"), "result": .text("nonconforming"), "sample": .text("Log entries older than 30 days"),
            "sampleSize": .integer(25), "population": .integer(1200), "systems": FieldCoding.encodeStrings([system.description]),
            "conclusion": .text("No entry older than 7 days, \"as configured\""), "tester": .text("Ada Lead"),
        ])
        let minor = builder.id(8, minutes: 70)
        builder.put(.finding, minor, [
            "grade": .text("minor"), "refs": FieldCoding.encodeStrings(["A.6.2.8"]), "statement": .text("Inference logs are kept for 7 days, not 2 years"),
            "objectiveEvidence": .text("retention_days: 7"), "status": .text("open"), "discussed": .bool(true),
            "auditeePosition": .text("The auditee agrees, and plans a fix"), "raisedBy": .text("Ada Lead"),
            "signedOffBy": .text(builder.ada.hex), "signedOffAt": .integer(builder.at(90)),
        ])
        builder.put(.finding, builder.id(9, minutes: 80), [
            "grade": .text("ofi"), "refs": FieldCoding.encodeStrings(["7.2"]), "statement": .text("Track training, including the | pipe"),
            "status": .text("open"), "discussed": .bool(false), "raisedBy": .text("Ben Auditor"),
        ], by: builder.ben)
        return (builder, minor, evidence)
    }

    /// A report context at the end of the first day, in UTC.
    func context(lateChanges: [LateChange] = [], missingEvidence: Set<BlobDigest> = []) -> ReportContext {
        ReportContext(
            generatedAt: at(8 * 60), timeZone: TimeZone(identifier: "UTC")!, generator: "fieldaudit test",
            lateChanges: lateChanges, missingEvidence: missingEvidence)
    }
}
