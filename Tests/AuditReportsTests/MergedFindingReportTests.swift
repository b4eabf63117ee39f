import AuditModel
@testable import AuditReports
import Foundation
import Replication
import TestSupport
import Testing

/// A nonconformity made of two auditors' observations in every format: Ben's NC-03, merged into
/// Ada's NC-01, is not reported on its own; NC-01 names both auditors, both evidence files, both
/// requirements, and says "NC-03 merged into NC-01".
struct MergedFindingReportTests {
    /// The followed-up day, with Ben's minor on the pathology department (NC-03, its own evidence
    /// file) merged by Ada into NC-01.
    static func merged() -> (builder: RecordBuilder, kept: EntityID, merged: EntityID) {
        var builder = NonconformityReportTests.followedUp()
        let minor = builder.record.findings.first { $0.number == 1 }!.id
        let file = builder.id(30, minutes: 200)
        builder.put(.evidence, file, [
            "digest": .blob(try! BlobDigest(hex: String(repeating: "cd", count: 32))), "name": .text("pathology logging.conf"), "size": .integer(96),
            "mediaType": .text("text/plain"), "capturedBy": .text("Ben Auditor"), "capturedAt": .integer(builder.at(200)),
        ], by: builder.ben)
        let other = builder.id(31, minutes: 210)
        builder.put(.finding, other, [
            "grade": .text("minor"), "refs": FieldCoding.encodeStrings(["A.6.2.6"]), "statement": .text("Pathology keeps inference logs 7 days"),
            "objectiveEvidence": .text("retention: 7d in pathology"), "status": .text("open"), "discussed": .bool(true), "raisedBy": .text("Ben Auditor"),
            "gradeJustification": .text("Same lapse, second department"),
        ], by: builder.ben)
        builder.put(.link, EvidenceLink.id(evidence: file, target: other.description), [
            "evidence": .text(file.description), "target": .text(other.description), "targetKind": .text("finding"),
        ], by: builder.ben)
        builder.put(.finding, other, ["number": .integer(3), "signedOffBy": .text(builder.ada.hex), "signedOffAt": .integer(builder.at(220))])
        builder.put(.finding, other, ["mergedInto": .text(minor.description), "mergeReason": .text("one retention default for every department")])
        return (builder, minor, other)
    }

    @Test func theReportShowsOneNonconformityWithEveryAuditorAndEveryEvidenceFileBehindIt() throws {
        let (builder, _, other) = Self.merged()
        let markdown = MarkdownReport.render(builder.record, context: builder.context())
        #expect(markdown.contains("NC-03 (\(other.short)) merged into NC-01, raised by Ben Auditor: one retention default for every department"))
        #expect(!markdown.contains("NC-03: "), "the merged nonconformity is not reported on its own")
        #expect(markdown.contains("Ada Lead, Ben Auditor"))
        #expect(markdown.contains("pathology logging.conf") && markdown.contains("log retention.yaml"))
        #expect(markdown.contains("retention: 7d in pathology"))
        let html = HTMLReport.render(builder.record, context: builder.context())
        #expect(html.contains("merged into NC-01") && html.contains("pathology logging.conf"))
        try assertSnapshot(markdown, named: "merged-day.md", in: "AuditReportsTests")
    }

    @Test func theFindingsCSVNamesEveryAuditorAndTheMergedFindings() throws {
        let (builder, _, other) = Self.merged()
        let csv = try #require(CSVExport.tables(builder.record, context: builder.context())["findings.csv"])
        #expect(csv.contains("merged_from"))
        #expect(csv.contains("Ada Lead; Ben Auditor") && csv.contains("pathology logging.conf"))
        #expect(csv.contains("NC-03 (\(other.short)) merged into NC-01"))
        #expect(!csv.contains(other.description + ","), "the merged finding has no row of its own")
        try assertSnapshot(csv, named: "merged-day.findings.csv", in: "AuditReportsTests")
    }

    @Test func theOSCALFindingNamesEveryAuditorAsAnOriginAndTheMergeInItsRemarks() throws {
        let (builder, kept, _) = Self.merged()
        let data = OSCALAssessmentResults.document(builder.record, context: builder.context())
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let references = OSCALReferences(document)
        #expect(references.unresolved.isEmpty && references.duplicates.isEmpty, "\(references.unresolved) \(references.duplicates)")
        let result = try #require(((document["assessment-results"] as? [String: Any])?["results"] as? [[String: Any]])?.first)
        let findings = try #require(result["findings"] as? [[String: Any]])
        let nc01 = findings.filter { (($0["props"] as? [[String: Any]]) ?? []).contains { $0["name"] as? String == "finding-id" && $0["value"] as? String == kept.description } }
        #expect(nc01.count == 2, "one OSCAL finding per requirement: A.6.2.8 and, from the merged finding, A.6.2.6")
        let actors = ((nc01.first?["origins"] as? [[String: Any]])?.first?["actors"] as? [[String: Any]]) ?? []
        #expect(actors.count == 2, "Ada and Ben")
        #expect((nc01.first?["remarks"] as? String)?.contains("merged into NC-01") == true)
        try assertSnapshot(String(decoding: data, as: UTF8.self), named: "merged-day.oscal.json", in: "AuditReportsTests")
    }
}
