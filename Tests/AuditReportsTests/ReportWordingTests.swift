import AuditModel
@testable import AuditReports
import Foundation
import Replication
import TestSupport
import Testing

/// Every sentence the report generates follows from the record: records built so that the sentence
/// must differ, and the words asserted.
struct ReportWordingTests {
    func markdown(_ builder: RecordBuilder) -> String {
        MarkdownReport.render(builder.record, context: builder.context())
    }

    /// The Stage 2 day with every finding signed off; the OFI was never discussed with the auditee.
    func allSignedOff() -> (builder: RecordBuilder, ofi: EntityID) {
        var (builder, _, _) = RecordBuilder.stage2Day()
        let ofi = builder.id(9, minutes: 80)
        builder.put(.finding, ofi, ["signedOffBy": .text(builder.ada.hex), "signedOffAt": .integer(builder.at(95))])
        return (builder, ofi)
    }

    @Test func aFindingSignedOffWithoutDiscussionIsNotSaidToHaveBeenDiscussed() {
        let (builder, _) = allSignedOff()
        let report = markdown(builder)
        #expect(!report.contains("after its discussion"))
        #expect(report.contains("The lead has signed off every finding, so no auditee position remains open. Not recorded as discussed with the auditee: OFI 1."))
        #expect(report.contains("- **Discussed with the auditee:** no"))
    }

    @Test func whenEveryFindingWasDiscussedTheReportSaysSo() {
        var (builder, ofi) = allSignedOff()
        builder.put(.finding, ofi, ["discussed": .bool(true)])
        #expect(markdown(builder).contains("The lead has signed off every finding, so no auditee position remains open. Each was discussed with the auditee."))
    }

    @Test func anUndiscussedFindingSignedOffBesideOpenOnesIsNamed() {
        var (builder, minor, _) = RecordBuilder.stage2Day()
        builder.put(.finding, minor, ["discussed": .bool(false)])
        let report = markdown(builder)
        #expect(report.contains("| OFI 1 | not yet | not recorded |"))
        #expect(report.contains("Signed off without being recorded as discussed with the auditee: Minor 1."))
    }

    @Test func afterClosingAnUndiscussedFindingIsNotDiscussedRatherThanNotYet() {
        var (builder, _, _) = RecordBuilder.stage2Day()
        #expect(markdown(builder).contains("| OFI 1 | not yet | not recorded |"))
        builder.put(.engagement, builder.engagement, ["status": .text("closed"), "closedAt": .integer(builder.at(7 * 60))])
        #expect(markdown(builder).contains("| OFI 1 | no | not recorded |"))
    }

    @Test func aDayWithoutFindingsSaysNoneWasRaisedEverywhere() {
        var builder = RecordBuilder()
        builder.put(.interview, builder.id(3, minutes: 10), [
            "interviewee": .text("Amira Haddad"), "startedAt": .integer(builder.at(10)), "topics": FieldCoding.encodeStrings(["A.6.2.8"]),
        ])
        let report = markdown(builder)
        #expect(report.contains("No finding was raised."))
        #expect(report.contains("No nonconformity was raised."))
        #expect(report.contains("No finding was raised, so the auditee had no position to take on one."))
        #expect(report.contains("No finding was raised, so no requirement is cross-referenced to the EU AI Act here."))
        #expect(report.contains("Certify, because no major nonconformity was raised"))
        #expect(report.contains("The findings rest on the evidence the auditors saw: no test was recorded, 1 interview and 0 evidence files."))
        #expect(report.contains("The audit team recorded a conclusion on 0 of 32 clause requirements and 0 of 38 applicable controls (1 more examined without a recorded conclusion, 69 not examined)"))
        #expect(!report.contains("signed off every finding"))
    }

    @Test func onlyOFIsRaiseNoNonconformity() {
        var builder = RecordBuilder()
        builder.put(.finding, builder.id(9, minutes: 80), [
            "grade": .text("ofi"), "refs": FieldCoding.encodeStrings(["7.2"]), "statement": .text("Track training"), "status": .text("open"),
            "raisedBy": .text("Ben Auditor"),
        ])
        let report = markdown(builder)
        #expect(report.contains("1 finding: 0 major nonconformities, 0 minor nonconformities, 1 opportunity for improvement"))
        #expect(report.contains("No nonconformity was raised."))
        #expect(report.contains("and raised 0 major nonconformities and 0 minor nonconformities."))
        #expect(report.contains("Certify, because no major nonconformity was raised"))
        #expect(report.contains("| OFI 1 | not yet | not recorded |"))
    }

    @Test func theProposalNamesTheMajorsThatMakeIt() {
        var (builder, minor, _) = RecordBuilder.stage2Day()
        builder.put(.finding, minor, ["grade": .text("major")])
        #expect(markdown(builder).contains("Certify after closure of major nonconformities, because 1 major nonconformity is open (Major 1)"))
        builder.put(.finding, minor, ["status": .text("closed")])
        #expect(markdown(builder).contains("Certify, because every major nonconformity raised is closed"))
        builder.put(.finding, minor, ["status": .text("open")])
        builder.set(.finding, minor, "grade", [(.text("minor"), builder.ada), (.text("major"), builder.ben)])
        let disputed = markdown(builder)
        #expect(disputed.contains("because an auditor graded Disputed 1 major and the grade is in conflict, so the proposal takes the cautious side"))
        #expect(disputed.contains("and raised 0 major nonconformities and 0 minor nonconformities, besides 1 finding whose grade is in conflict."))
    }

    @Test func oneLateChangeIsOneChangeInTheOSCALRemarks() {
        var (builder, minor, _) = RecordBuilder.stage2Day()
        builder.put(.engagement, builder.engagement, ["status": .text("closed"), "closedAt": .integer(builder.at(7 * 60))])
        let change = Change(
            origin: builder.ben, seq: 40, stamp: Timestamp(milliseconds: UInt64(builder.at(6 * 60)), counter: 0), transaction: 40,
            engagement: builder.engagement, kind: "finding", entity: minor, field: "auditeePosition", value: .text("We disagree"))
        let oscal = String(decoding: OSCALAssessmentResults.document(builder.record, context: builder.context(lateChanges: [LateChange(change, author: "Ben Auditor")])), as: UTF8.self)
        #expect(oscal.contains("1 change arrived after the engagement was closed and awaits the lead's acceptance."))
    }

    @Test func aFindingWithNoEvidenceAtAllIsNotSentToTheEvidenceFiles() {
        var builder = RecordBuilder()
        builder.put(.finding, builder.id(9, minutes: 80), [
            "grade": .text("ofi"), "refs": FieldCoding.encodeStrings(["7.2"]), "statement": .text("Track training"), "status": .text("open"),
        ])
        let oscal = String(decoding: OSCALAssessmentResults.document(builder.record, context: builder.context()), as: UTF8.self)
        #expect(oscal.contains("No objective evidence was recorded, in words or as a file."))
        #expect(!oscal.contains("see the evidence files"))
    }

    @Test func everyPrintedPageCarriesTheEngagementItsStatusAndItsNumber() {
        var (builder, _, _) = RecordBuilder.stage2Day()
        let draft = HTMLReport.render(builder.record, context: builder.context())
        #expect(draft.contains("@top-left { content: \"Helix Diagnostics Ltd \\B7  Stage 2 audit 2026-12-01 to 2026-12-02 \\B7  engagement "))
        #expect(draft.contains("@top-right { content: \"DRAFT: engagement open, not final\""))
        #expect(draft.contains("@bottom-right { content: \"Page \" counter(page) \" of \" counter(pages)"))
        #expect(draft.contains("<div class=\"draft-mark\" aria-hidden=\"true\">DRAFT</div>"))
        #expect(!draft.contains("break-before: page"), "sections flow: none starts a page of its own")

        builder.put(.engagement, builder.engagement, ["status": .text("closed"), "closedAt": .integer(builder.at(7 * 60))])
        let final = HTMLReport.render(builder.record, context: builder.context())
        #expect(final.contains("@top-right { content: \"FINAL: closed 2026-11-18\""))
        #expect(!final.contains("DRAFT"))
    }

    @Test func textInTheRunningHeaderCannotLeaveItsCSSString() {
        #expect(HTMLReport.cssString("a\"b</style><script>") == "\"a\\22 b\\3C /style\\3E \\3C script\\3E \"")
        #expect(HTMLReport.cssString("x\\\ny") == "\"x\\5C \\A y\"")
    }
}
