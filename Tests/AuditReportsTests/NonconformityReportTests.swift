import AuditModel
@testable import AuditReports
import Foundation
import Replication
import TestSupport
import Testing

/// The nonconformity register, the corrective actions and the sign-off's binding in every format,
/// from a fixed record: NC-01 closed on verified evidence, NC-02 edited by Ben after its sign-off,
/// with an overdue action.
struct NonconformityReportTests {
    /// The Stage 2 day, followed up: NC-01 (the day's minor) with a done action and an accepted
    /// verification; NC-02, a major signed off and then reworded by Ben, with an action overdue.
    static func followedUp() -> RecordBuilder {
        var (builder, minor, evidence) = RecordBuilder.stage2Day()
        builder.put(.finding, minor, ["gradeJustification": .text("One control lapsed; logging itself works"), "number": .integer(1)])
        builder.put(.finding, minor, ["signedOffDigest": .text(builder.record.findings.first { $0.id == minor }!.contentDigest)])
        let fix = builder.id(20, minutes: 600)
        builder.put(.action, fix, [
            "finding": .text(minor.description), "action": .text("Raise retention to 2 years"), "owner": .text("Head of ML platform"),
            "dueDate": .text("2026-12-15"), "doneOn": .text("2026-11-25"), "implementation": .text("retention_days: 730"),
        ])
        builder.put(.link, EvidenceLink.id(evidence: evidence, target: fix.description), [
            "evidence": .text(evidence.description), "target": .text(fix.description), "targetKind": .text("action"),
        ])
        builder.put(.finding, minor, [
            "correction": .text("Retention raised the next day"), "rootCause": .text("Vendor default never reviewed"),
            "verification": ClosureVerification(
                outcome: .accepted, by: builder.ada.hex, at: builder.at(12 * 60), reason: "Configuration keeps 730 days",
                evidence: [evidence.description]).encoded,
            "status": .text("closed"),
        ])

        let major = builder.id(21, minutes: 100)
        builder.put(.finding, major, [
            "grade": .text("major"), "refs": FieldCoding.encodeStrings(["9.2.1"]), "statement": .text("No internal audit of the AIMS took place"),
            "objectiveEvidence": .text("Audit programme empty for 2026"), "gradeJustification": .text("A whole process is missing"),
            "status": .text("open"), "discussed": .bool(true), "raisedBy": .text("Ada Lead"),
            "signedOffBy": .text(builder.ada.hex), "signedOffAt": .integer(builder.at(110)), "number": .integer(2),
        ])
        builder.put(.finding, major, ["signedOffDigest": .text(builder.record.findings.first { $0.id == major }!.contentDigest)])
        builder.put(.finding, major, ["statement": .text("No internal audit of the AIMS took place in 2026")], by: builder.ben)
        builder.put(.action, builder.id(22, minutes: 620), [
            "finding": .text(major.description), "action": .text("Run an internal audit of every clause"), "owner": .text("Quality manager"),
            "dueDate": .text("2026-11-17"),
        ])
        return builder
    }

    @Test func theRegisterShowsNumbersGradesJustificationsStatesAndTheActionsOfEachNonconformity() throws {
        let builder = Self.followedUp()
        let markdown = MarkdownReport.render(builder.record, context: builder.context())
        // Deadlines from the last day on site (2026-12-02): 30 days for the major, 90 for the minor.
        #expect(markdown.contains("| NC-02 | major | 9.2.1 | A whole process is missing | 2027-01-01 | actions open | 1 (0 done, 1 overdue) |"))
        #expect(markdown.contains("| NC-01 | minor | A.6.2.8 | One control lapsed; logging itself works | 2027-03-02 | closed | 1 (1 done, 0 overdue) |"))
        #expect(markdown.contains("##### NC-01: A.6.2.8") && markdown.contains("##### NC-02: 9.2.1"), "nonconformities go by their number")
        #expect(markdown.contains("accepted by Ada Lead on 2026-11-18 23:06 UTC: Configuration keeps 730 days (evidence examined: log retention.yaml)"))
        #expect(markdown.contains("| Run an internal audit of every clause | Quality manager | 2026-11-17 (overdue) | not yet | none |"))
        // NC-02's sign-off no longer stands: Ben reworded it.
        #expect(markdown.contains("signed off by Ada Lead on 2026-11-18 12:56 UTC, then changed by Ben Auditor at "))
        #expect(markdown.contains("— needs a new sign-off"))
        #expect(markdown.contains("**Findings signed off:** 1 of 3"), "a sign-off that no longer stands does not count")
        let html = HTMLReport.render(builder.record, context: builder.context())
        #expect(html.contains("NC-02: follow-up") && html.contains("needs a new sign-off"))
        try assertSnapshot(markdown, named: "followed-up-day.md", in: "AuditReportsTests")
    }

    @Test func theNonconformityCSVHasOneRowPerActionAndMatchesItsGoldenFile() throws {
        let builder = Self.followedUp()
        let csv = try #require(CSVExport.tables(builder.record, context: builder.context())["nonconformities.csv"])
        let rows = csv.split(separator: "\r\n")
        #expect(rows.count == 3)
        #expect(rows[1].hasPrefix("NC-02,") && rows[1].contains(",actions open,no,") && rows[1].contains(",2026-11-17,,,yes,"))
        #expect(rows[2].hasPrefix("NC-01,") && rows[2].contains(",closed,no,") && rows[2].contains(",accepted,Ada Lead,"))
        try assertSnapshot(csv, named: "followed-up-day.nonconformities.csv", in: "AuditReportsTests")
    }

    @Test func eachNonconformityIsAnOSCALRiskWithItsRemediationTasksAndLog() throws {
        let builder = Self.followedUp()
        let data = OSCALAssessmentResults.document(builder.record, context: builder.context())
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let references = OSCALReferences(document)
        #expect(references.unresolved.isEmpty && references.duplicates.isEmpty, "\(references.unresolved) \(references.duplicates)")
        let result = try #require(((document["assessment-results"] as? [String: Any])?["results"] as? [[String: Any]])?.first)
        let risks = try #require(result["risks"] as? [[String: Any]])
        #expect(risks.map { $0["status"] as? String } == ["remediating", "closed"], "NC-02, then NC-01, as the report orders them")
        #expect(risks.map { $0["deadline"] as? String } == ["2027-01-01T23:59:59Z", "2027-03-02T23:59:59Z"])
        let tasks = try #require(((risks[0]["remediations"] as? [[String: Any]])?.first)?["tasks"] as? [[String: Any]])
        #expect(((tasks.first?["timing"] as? [String: Any])?["on-date"] as? [String: Any])?["date"] as? String == "2026-11-17T23:59:59Z")
        let log = try #require((risks[1]["risk-log"] as? [String: Any])?["entries"] as? [[String: Any]])
        #expect(log.map { $0["title"] as? String } == ["Raised", "Signed off as NC-01", "Corrective action done: Raise retention to 2 years", "Corrective actions accepted"])
        let findings = try #require(result["findings"] as? [[String: Any]])
        let related = findings.compactMap { ($0["related-risks"] as? [[String: Any]])?.first?["risk-uuid"] as? String }
        #expect(Set(related) == Set(risks.compactMap { $0["uuid"] as? String }))
        try assertSnapshot(String(decoding: data, as: UTF8.self), named: "followed-up-day.oscal.json", in: "AuditReportsTests")
    }
}
