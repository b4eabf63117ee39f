import AuditModel
@testable import AuditReports
import Foundation
import Replication
import TestSupport
import Testing

/// The OSCAL document beyond what compliance-trestle checks: references, hashes, UUID versions,
/// and what it says of a conflict.
struct OSCALAssessmentResultsTests {
    func json(_ record: EngagementRecord, _ context: ReportContext) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: OSCALAssessmentResults.document(record, context: context)) as? [String: Any])
    }

    @Test func everyUUIDReferenceResolvesAndEveryHashIs64LowercaseHexDigits() throws {
        let (builder, _, _) = RecordBuilder.stage2Day()
        let references = OSCALReferences(try json(builder.record, builder.context()))
        #expect(references.referenced.count >= 10)
        #expect(references.unresolved.isEmpty, "unresolved: \(references.unresolved)")
        #expect(references.duplicates.isEmpty, "defined twice: \(references.duplicates)")
        #expect(references.hashes.count == 1 && references.malformedHashes.isEmpty)
        // OSCAL takes version 4 or 5 UUIDs only; ours are all name-based, version 5.
        for uuid in references.defined {
            #expect(uuid.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil, "\(uuid)")
        }
    }

    @Test func findingsTargetTheirRequirementWithTheGradeSampleAndPopulationAsProperties() throws {
        let (builder, _, _) = RecordBuilder.stage2Day()
        let document = try json(builder.record, builder.context())
        let results = try #require((document["assessment-results"] as? [String: Any])?["results"] as? [[String: Any]])
        #expect(results.count == 1)
        let findings = try #require(results[0]["findings"] as? [[String: Any]])
        let minor = try #require(findings.first { ($0["title"] as? String)?.hasPrefix("Minor 1") == true })
        let target = try #require(minor["target"] as? [String: Any])
        #expect(target["type"] as? String == "objective-id" && target["target-id"] as? String == "A.6.2.8")
        #expect((target["status"] as? [String: Any])?["state"] as? String == "not-satisfied")
        let props = try #require(minor["props"] as? [[String: String]])
        #expect(props.contains { $0["name"] == "grade" && $0["value"] == "minor" && $0["ns"] == OSCALAssessmentResults.namespace })
        let ofi = try #require(findings.first { ($0["title"] as? String)?.hasPrefix("OFI 1") == true })
        #expect(((ofi["target"] as? [String: Any])?["status"] as? [String: Any])?["state"] as? String == "satisfied")
        #expect((ofi["target"] as? [String: Any])?["target-id"] as? String == "clause-7.2")

        let observations = try #require(results[0]["observations"] as? [[String: Any]])
        #expect(Set(observations.flatMap { $0["methods"] as? [String] ?? [] }) == ["INTERVIEW", "EXAMINE", "TEST"])
        let test = try #require(observations.first { ($0["methods"] as? [String]) == ["TEST"] })
        let testProps = try #require(test["props"] as? [[String: String]])
        #expect(testProps.contains { $0["name"] == "sample-size" && $0["value"] == "25" })
        #expect(testProps.contains { $0["name"] == "population" && $0["value"] == "1200" })
        #expect(test["collected"] as? String == "2026-11-18T12:06:40Z")
        #expect((test["relevant-evidence"] as? [[String: String]])?.first?["href"]?.hasPrefix("#") == true)
    }

    @Test func aConflictIsShownWithEveryValueAndTheCautiousState() throws {
        var (builder, minor, _) = RecordBuilder.stage2Day()
        builder.set(.finding, minor, "grade", [(.text("ofi"), builder.ada), (.text("major"), builder.ben)])
        let document = OSCALAssessmentResults.document(builder.record, context: builder.context())
        let text = String(decoding: document, as: UTF8.self)
        #expect(text.contains("Open conflicts: finding Disputed 1, grade: “major” (Ben Auditor) / “ofi” (Ada Lead)."))
        let findings = try #require(((try json(builder.record, builder.context())["assessment-results"] as? [String: Any])?["results"] as? [[String: Any]])?[0]["findings"] as? [[String: Any]])
        let disputed = try #require(findings.first { ($0["title"] as? String)?.hasPrefix("Disputed 1") == true })
        let grades = (disputed["props"] as? [[String: String]] ?? []).filter { $0["name"] == "grade" }
        #expect(grades.map { $0["value"] } == ["major", "ofi"] && grades.allSatisfy { $0["class"] == "conflict" })
        #expect(((disputed["target"] as? [String: Any])?["status"] as? [String: Any])?["state"] as? String == "not-satisfied")
    }

    @Test func nameBasedUUIDsFollowRFC9562() {
        // RFC 9562 appendix A.4: the version 5 UUID of "www.example.com" in the DNS namespace.
        let dns = UUID(uuidString: "6ba7b810-9dad-11d1-80b4-00c04fd430c8")!
        #expect(NameBasedUUID.make(dns, name: "www.example.com").uuidString.lowercased() == "2ed6657d-e927-568b-95e1-2665a8aea6a2")
        #expect(NameBasedUUID.uuid("finding", "x") == NameBasedUUID.uuid("finding", "x"))
        #expect(NameBasedUUID.uuid("finding", "x") != NameBasedUUID.uuid("finding", "y"))
    }

    @Test func clauseReferencesBecomeIdentifiersThatStartWithALetter() {
        #expect(OSCALAssessmentResults.controlID(for: "5.2") == "clause-5.2")
        #expect(OSCALAssessmentResults.controlID(for: "A.6.2.8") == "A.6.2.8")
    }
}
