@testable import AuditModel
import Replication
import TestSupport
import Testing

/// The audit plan's input rules: dates inside the engagement, times on the 24-hour clock, what
/// each kind of plan line needs; and the next step's surveillance date.
struct PlanItemTests {
    /// An engagement running 2026-12-01 to 2026-12-03.
    var engagement: Engagement {
        let fields: [String: Value] = [
            "client": .text("Helix"), "startDate": .text("2026-12-01"), "endDate": .text("2026-12-03"), "status": .text("active"),
        ]
        var states: [String: FieldState] = [:]
        for (index, (field, value)) in fields.sorted(by: { $0.key < $1.key }).enumerated() {
            states[field] = FieldState([VisibleValue(
                id: ChangeID(origin: testIdentity(1).id, seq: UInt64(index + 1)), stamp: Timestamp(rawValue: UInt64(index + 1)), value: value)])
        }
        return Engagement(EntitySnapshot(id: testEntity(1), kind: "engagement", engagement: testEntity(1), deleted: false, fields: states))!
    }

    func session(date: String = "2026-12-02", start: String = "09:00", end: String = "10:30") -> PlanItem.Draft {
        PlanItem.Draft(kind: .session, date: date, start: start, end: end, place: "Leeds HQ", function: "ML platform", refs: ["A.6.2.8"], auditors: ["Ada Lead"])
    }

    @Test func aCompleteSessionWritesEveryFieldGiven() throws {
        let writes = try session().writes(within: engagement)
        #expect(writes.map(\.field) == ["type", "date", "start", "end", "place", "function", "refs", "auditors"])
    }

    @Test(arguments: ["2026-11-30", "2026-12-04"])
    func aSessionOutsideTheEngagementsDatesIsRefused(date: String) {
        #expect(throws: AuditModelError.outsideEngagement(date, start: "2026-12-01", end: "2026-12-03")) { try session(date: date).writes(within: engagement) }
    }

    @Test(arguments: ["9:00", "24:00", "09:60", "0900", "nine"])
    func aTimeNotWrittenHHMMIsRefused(time: String) {
        #expect(throws: AuditModelError.invalidTime(time, field: "start time")) { try session(start: time).writes(within: engagement) }
    }

    @Test func anEndNotAfterTheStartIsRefused() {
        #expect(throws: AuditModelError.invalidTime("09:00", field: "end time, which must come after the start 09:00")) {
            try session(start: "09:00", end: "09:00").writes(within: engagement)
        }
    }

    @Test func aSessionNeedsAPlaceOrRemoteAFunctionAndAnAuditor() throws {
        var draft = session()
        draft.place = nil
        #expect(throws: AuditModelError.missing(field: "the place (--place TEXT) or --remote")) { try draft.writes(within: engagement) }
        draft.remote = true
        #expect(try draft.writes(within: engagement).contains { $0.field == "remote" })
        draft.auditors = []
        #expect(throws: AuditModelError.missing(field: "the auditor (--auditor NAME)")) { try draft.writes(within: engagement) }
        let meeting = PlanItem.Draft(kind: .opening, date: "2026-12-01", start: "09:00", end: "09:30", attendees: ["Ada Lead", "Dr Rao"])
        #expect(try meeting.writes(within: engagement).map(\.field) == ["type", "date", "start", "end", "attendees"], "a meeting needs no function or auditor")
    }

    @Test func aStage1PointNeedsItsTextAndNoDate() throws {
        #expect(throws: AuditModelError.missing(field: "the Stage 1 point (--point)")) { try PlanItem.Draft(kind: .stage1, point: "  ").writes(within: engagement) }
        #expect(try PlanItem.Draft(kind: .stage1, point: "No impact assessment", followUp: "Seen").writes(within: engagement).map(\.field) == ["type", "point", "followUp"])
    }

    @Test func theSurveillanceDateMustComeAfterTheAudit() throws {
        #expect(throws: AuditModelError.surveillanceNotAfterAudit("2026-12-03", lastDay: "2026-12-03")) {
            try PlanSettings(surveillanceDate: "2026-12-03").writes(for: engagement)
        }
        #expect(throws: AuditModelError.impossibleDate("2027-02-30", field: "surveillance date", reason: "February 2027 has 28 days")) { try PlanSettings(surveillanceDate: "2027-02-30").writes(for: engagement) }
        #expect(try PlanSettings(surveillanceDate: "2027-11-30").writes(for: engagement).map(\.field) == ["surveillanceDate"])
        #expect(throws: AuditModelError.self) { try PlanSettings().writes(for: engagement) }
    }
}
