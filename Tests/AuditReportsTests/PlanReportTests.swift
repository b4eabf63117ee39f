import AuditModel
@testable import AuditReports
import Foundation
import Replication
import TestSupport
import Testing

/// The plan against what was done, the closing's review, and the plan and closing history in every
/// report format.
struct PlanReportTests {
    /// The Stage 2 day (on 2026-11-18 UTC) with a plan: Ada's session on the logging control and
    /// training, Ben's on the supplier control, Ada's next-day session, meetings and a Stage 1 point.
    func planned() -> (builder: RecordBuilder, sessions: [EntityID]) {
        var (builder, _, _) = RecordBuilder.stage2Day()
        let sessions = [builder.id(20, minutes: 1), builder.id(21, minutes: 2), builder.id(22, minutes: 3)]
        let plan: [(EntityID, String, [String], String)] = [
            (sessions[0], "2026-11-18", ["A.6.2.8", "7.2"], "Ada Lead"), (sessions[1], "2026-11-18", ["A.10.3"], "Ben Auditor"),
            (sessions[2], "2026-11-19", ["A.6.2.8"], "Ada Lead"),
        ]
        for (id, date, refs, auditor) in plan {
            builder.put(.planItem, id, [
                "type": .text("session"), "date": .text(date), "start": .text("09:00"), "end": .text("11:00"), "place": .text("Leeds HQ"),
                "function": .text("ML platform"), "refs": FieldCoding.encodeStrings(refs), "auditors": FieldCoding.encodeStrings([auditor]),
            ])
        }
        builder.put(.planItem, builder.id(23, minutes: 4), [
            "type": .text("opening"), "date": .text("2026-11-18"), "start": .text("08:30"), "end": .text("09:00"),
            "place": .text("Board room"), "attendees": FieldCoding.encodeStrings(["Ada Lead", "Dr Priya Rao"]),
        ])
        builder.put(.planItem, builder.id(24, minutes: 5), [
            "type": .text("stage1"), "point": .text("No impact assessment for LetterDraft"), "followUp": .text("Assessment seen, =SUM(A1)"),
        ])
        builder.put(.engagement, builder.engagement, [
            "certificationBody": .text("Northbridge Certification Ltd"), "accreditation": .text("UKAS no. 9876"),
            "certificateScope": .text("AI triage models, Leeds HQ"),
        ])
        return (builder, sessions)
    }

    @Test func eachSessionIsDonePartlyOrNotStartedByWhatItsAuditorRecordedOnItsDay() {
        let (builder, sessions) = planned()
        let progress = PlanProgress(builder.record, timeZone: TimeZone(identifier: "UTC")!)
        let byID = Dictionary(uniqueKeysWithValues: progress.lines.map { ($0.item.id, $0) })
        #expect(progress.lines.count == 3, "meetings and Stage 1 points are not sessions")
        #expect(byID[sessions[0]]?.state == .partly && byID[sessions[0]]?.missing == ["7.2"], "Ben's OFI on 7.2 is not Ada's work")
        #expect(byID[sessions[1]]?.state == .done, "Ben's note on A.10.3 that day")
        #expect(byID[sessions[2]]?.state == .notStarted, "nothing recorded on the 19th")
        let auckland = PlanProgress(builder.record, timeZone: TimeZone(identifier: "Pacific/Auckland")!)
        #expect(auckland.lines.first { $0.item.id == sessions[0] }?.state == .notStarted, "in Auckland the work fell on the 19th: days are read in the site's zone")
        #expect(auckland.lines.first { $0.item.id == sessions[2] }?.state == .done)
    }

    @Test func closingReviewNamesWhatIsNotExaminedAndWhyCertifyIsUnsupported() {
        var (builder, _, _) = RecordBuilder.stage2Day()
        var review = ClosingReview(builder.record)
        #expect(review.clausesNotExamined.first?.ref == "4.1" && !review.clausesNotExamined.contains { $0.ref == "7.2" })
        #expect(!review.controlsNotExamined.contains { $0.ref == "A.10.4" }, "an excluded control is not missing")
        #expect(review.openMinors.count == 1 && review.openMajors.isEmpty && review.proposed == .certify)
        #expect(review.reasons(against: .certify).count == 1 && review.reasons(against: .certifyAfterClosure).isEmpty)
        let major = builder.id(30, minutes: 100)
        builder.put(.finding, major, ["grade": .text("major"), "refs": FieldCoding.encodeStrings(["4.1"]), "statement": .text("No context"), "status": .text("open")])
        review = ClosingReview(builder.record)
        #expect(review.openMajors.map(\.id) == [major] && review.proposed == .certifyAfterClosure)
        #expect(review.reasons(against: .certify).first == "1 major nonconformity is open")
    }

    @Test func thePlanAppearsInMarkdownHTMLCSVAndOSCAL() throws {
        let (builder, _) = planned()
        let record = builder.record, context = builder.context()
        let markdown = MarkdownReport.render(record, context: context)
        #expect(markdown.contains("## 4. Audit plan") && markdown.contains("Northbridge Certification Ltd") && markdown.contains("UKAS no. 9876"))
        #expect(markdown.contains("2026-11-18 08:30–09:00") && markdown.contains("Opening meeting") && markdown.contains("No impact assessment for LetterDraft"))
        let html = HTMLReport.render(record, context: context)
        #expect(html.contains("Audit plan") && html.contains("Stage 1 open points and their follow-up"))
        let csv = try #require(CSVExport.tables(record, context: context)["plan.csv"])
        #expect(csv.hasPrefix("id,kind,date,start,end,place,remote,function,refs,auditors,attendees,point,follow_up,conflicts,late\r\n"))
        #expect(csv.contains(",stage1,") && csv.contains("Assessment seen, =SUM(A1)"))
        #expect(csv.contains(",engagement,") && csv.contains("certification body"))
        let oscal = try #require(try JSONSerialization.jsonObject(with: OSCALAssessmentResults.document(record, context: context)) as? [String: Any])
        let results = try #require(oscal["assessment-results"] as? [String: Any])
        let local = try #require(results["local-definitions"] as? [String: Any])
        let activities = try #require(local["activities"] as? [[String: Any]])
        #expect(activities.count == 4)
        #expect((local["remarks"] as? String)?.contains("Stage 1 open point: No impact assessment for LetterDraft") == true)
        let references = OSCALReferences(oscal)
        #expect(references.unresolved.isEmpty && references.duplicates.isEmpty)
    }

    @Test func theReportStatesTheJustificationTheSignatureTheDecisionsAndTheReopenings() {
        var (builder, _, _) = RecordBuilder.stage2Day()
        let change = ChangeID(origin: builder.ben, seq: 41)
        builder.put(.lateDecision, LateDecision.id(engagement: builder.engagement, change: change), [
            "change": .text(LateDecision.key(of: change)), "verdict": .text("rejected"), "reason": .text("Written after the closing meeting"),
            "decidedBy": .text("Ada Lead"), "decidedAt": .integer(builder.at(600)),
        ])
        builder.put(.reopening, builder.id(40, minutes: 500), [
            "reason": .text("Training records arrived"), "reopenedBy": .text("Ada Lead"), "reopenedAt": .integer(builder.at(500)),
            "closedAt": .integer(builder.at(400)), "recommendation": .text("certify"),
        ])
        var open = MarkdownReport.render(builder.record, context: builder.context())
        #expect(open.contains("not signed: the lead reopened the engagement on 2026-11-18 19:26 UTC"))
        builder.put(.engagement, builder.engagement, [
            "status": .text("closed"), "closedAt": .integer(builder.at(700)), "recommendation": .text("certify"),
            "closedThrough": .json("{}"), "signedBy": .text(builder.ada.hex), "signedAt": .integer(builder.at(700)),
            "justification": .text("Clause 4 examined at Stage 1"), "surveillanceDate": .text("2027-11-30"),
        ])
        open = MarkdownReport.render(builder.record, context: builder.context())
        #expect(open.contains("Clause 4 examined at Stage 1") && open.contains("surveillance audit proposed for 2027-11-30"))
        #expect(open.contains("signed by Ada Lead, lead auditor, on 2026-11-18 22:46 UTC, closing the engagement"))
        #expect(open.contains("Written after the closing meeting") && open.contains("\(builder.ben.short):41"))
        #expect(open.contains("Training records arrived"))
    }
}
