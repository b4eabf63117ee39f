import AuditModel
@testable import AuditReports
import Foundation
import Replication
import TestSupport
import Testing

/// The Markdown and HTML reports from fixed records: what they say about conflicts, late changes
/// and the recommendation, and that the same record always gives the same bytes.
struct ReportTests {
    /// The day's record with Ada and Ben disagreeing on the minor's statement and grade.
    func disputed() -> (record: EngagementRecord, builder: RecordBuilder) {
        var (builder, minor, _) = RecordBuilder.stage2Day()
        builder.set(.finding, minor, "statement", [
            (.text("Inference logs are kept for 7 days, not 2 years"), builder.ada),
            (.text("Logs kept 7 days; the safety case needs 2 years"), builder.ben),
        ])
        builder.set(.finding, minor, "grade", [(.text("minor"), builder.ada), (.text("major"), builder.ben)])
        return (builder.record, builder)
    }

    @Test func aReportWithAnOpenConflictSaysSoBeforeAnySectionAndShowsEveryValue() {
        let (record, builder) = disputed()
        let markdown = MarkdownReport.render(record, context: builder.context())
        let alert = try! #require(markdown.range(of: "Open conflicts: 2 fields with unresolved concurrent values"))
        let firstSection = try! #require(markdown.range(of: "## 1. The audit"))
        #expect(alert.lowerBound < firstSection.lowerBound)
        for value in ["Inference logs are kept for 7 days, not 2 years", "Logs kept 7 days; the safety case needs 2 years", "“major” (Ben Auditor)", "“minor” (Ada Lead)"] {
            #expect(markdown.contains(value), "the report must show \(value)")
        }
        // The finding is filed under neither grade, and the proposal takes the cautious side.
        #expect(markdown.contains("#### Findings whose grade is in conflict"))
        #expect(!markdown.contains("#### Minor nonconformities"))
        #expect(markdown.contains("Certify after closure of major nonconformities, because an auditor graded Disputed 1 major and the grade is in conflict"))
        // The winner of the display order (the latest write) comes first, but every value is there.
        #expect(markdown.contains("CONFLICT, unresolved: “Logs kept 7 days; the safety case needs 2 years” (Ben Auditor) / “Inference logs are kept for 7 days, not 2 years” (Ada Lead)"))

        let html = HTMLReport.render(record, context: builder.context())
        #expect(html.contains("<aside class=\"alert\" role=\"alert\">\n<p class=\"alert-title\">⚠ Open conflicts"))
        #expect(html.contains("Logs kept 7 days; the safety case needs 2 years") && html.contains("Inference logs are kept for 7 days, not 2 years"))

        let findings = CSVExport.tables(record, context: builder.context())["findings.csv"]!
        #expect(findings.contains("\"CONFLICT, unresolved: “Logs kept 7 days; the safety case needs 2 years” (Ben Auditor) / “Inference logs are kept for 7 days, not 2 years” (Ada Lead)\""))
        #expect(findings.contains(",grade; statement,"))
    }

    @Test func theConflictReportMatchesItsGoldenFile() throws {
        let (record, builder) = disputed()
        try assertSnapshot(MarkdownReport.render(record, context: builder.context()), named: "disputed-day.md", in: "AuditReportsTests")
    }

    @Test func aReportWithoutConflictsRaisesNoAlarm() {
        let (builder, _, _) = RecordBuilder.stage2Day()
        let markdown = MarkdownReport.render(builder.record, context: builder.context())
        #expect(!markdown.contains("[!WARNING]") && !markdown.contains("CONFLICT"))
        #expect(markdown.contains("##### Minor 1: A.6.2.8 Life cycle: event logs and recording"))
        #expect(markdown.contains("log retention.yaml, SHA-256 \(String(repeating: "ab", count: 32)) (on A.6.2.8)"))
        #expect(markdown.contains("signed off by Ada Lead on 2026-11-18 12:36 UTC"))
        #expect(markdown.contains("| Amira Haddad | ML platform lead | 2026-11-18 11:16–11:46 UTC | Ada Lead |"))
        #expect(markdown.contains("Track training, including the \\| pipe"))
        #expect(markdown.contains("EU AI Act | Article 12: Record-keeping"))
    }

    @Test func lateChangesAreListedAtTheTopAndTheirFindingIsFlagged() {
        var (builder, minor, _) = RecordBuilder.stage2Day()
        builder.put(.engagement, builder.engagement, [
            "status": .text("closed"), "closedAt": .integer(builder.at(7 * 60)), "recommendation": .text("certify"),
        ])
        let change = Change(
            origin: builder.ben, seq: 40, stamp: Timestamp(milliseconds: UInt64(builder.at(6 * 60)), counter: 0), transaction: 40,
            engagement: builder.engagement, kind: "finding", entity: minor, field: "auditeePosition", value: .text("We disagree"))
        let markdown = MarkdownReport.render(builder.record, context: builder.context(lateChanges: [LateChange(change, author: "Ben Auditor")]))
        #expect(markdown.contains("**Changes after closing: 1 change awaiting the lead's decision**"))
        #expect(markdown.contains("| \(change.id) | finding Minor 1 | auditeePosition | We disagree | Ben Auditor | 2026-11-18 17:06 UTC |"))
        #expect(markdown.contains("Final: the lead closed the engagement on 2026-11-18 18:06 UTC, and 1 change arrived later that the lead has not accepted"))
        #expect(markdown.contains("- **Changed after closing:** yes"))
        #expect(markdown.contains("Certify (recorded by the lead when closing)"))
    }

    @Test func evidenceThisReplicaDoesNotHoldIsSaidToBeMissing() {
        let (builder, _, _) = RecordBuilder.stage2Day()
        let digest = try! BlobDigest(hex: String(repeating: "ab", count: 32))
        let markdown = MarkdownReport.render(builder.record, context: builder.context(missingEvidence: [digest]))
        #expect(markdown.contains("(on A.6.2.8), file not held by this replica"))
        let evidence = CSVExport.tables(builder.record, context: builder.context(missingEvidence: [digest]))["evidence.csv"]!
        #expect(evidence.hasSuffix(",no,,,,,,,,,,\r\n"))  // held: no; late: no; no command run
    }

    @Test func theSameRecordAlwaysGivesTheSameBytes() {
        let (record, builder) = disputed()
        #expect(MarkdownReport.render(record, context: builder.context()) == MarkdownReport.render(record, context: builder.context()))
        #expect(HTMLReport.render(record, context: builder.context()) == HTMLReport.render(record, context: builder.context()))
        #expect(OSCALAssessmentResults.document(record, context: builder.context()) == OSCALAssessmentResults.document(record, context: builder.context()))
        #expect(CSVExport.tables(record, context: builder.context()) == CSVExport.tables(record, context: builder.context()))
    }

    @Test func theHTMLReportIsOneSelfContainedPrintReadyFile() {
        let (builder, _, _) = RecordBuilder.stage2Day()
        let html = HTMLReport.render(builder.record, context: builder.context())
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<meta charset=\"utf-8\">"))
        #expect(html.contains("@media print") && html.contains("thead { display: table-header-group; }") && html.contains("@page {"))
        #expect(html.contains("tr, dl.facts > dt, dl.facts > dd { break-inside: avoid; page-break-inside: avoid; }"))
        for external in ["<link", "<script", "src=", "url(", "@import", "http://", "https://"] {
            #expect(!html.contains(external), "the HTML must not load \(external)")
        }
        #expect(html.contains("<td>No entry older than 7 days, &quot;as configured&quot;</td>"))
    }

    @Test func codeSpansAreSetAsCodeAndAStrayBacktickStaysText() {
        #expect(ReportDocument.spans("run `fieldaudit resolve` now") == [.text("run "), .code("fieldaudit resolve"), .text(" now")])
        #expect(ReportDocument.spans("a ` stray") == [.text("a "), .text("` stray")])
        #expect(MarkdownReport.inline("a ` stray *b*") == "a \\` stray \\*b\\*")
        #expect(HTMLReport.inline("`<x>` & y") == "<code>&lt;x&gt;</code> &amp; y")
    }

    @Test func theRecommendationProposedIsCautiousAboutOpenMajors() {
        var (builder, minor, _) = RecordBuilder.stage2Day()
        #expect(Recommendation.proposed(for: builder.record) == .certify)
        builder.put(.finding, minor, ["grade": .text("major")])
        #expect(Recommendation.proposed(for: builder.record) == .certifyAfterClosure)
        builder.put(.finding, minor, ["status": .text("closed")])
        #expect(Recommendation.proposed(for: builder.record) == .certify)
    }
}
