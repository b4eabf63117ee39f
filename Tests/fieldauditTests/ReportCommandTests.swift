import Foundation
import TestSupport
import Testing

/// `report` and `engagement close` on the scripted Stage 2 day of `Fixtures/stage2`, through the
/// built binary. Golden files hold the reports with what changes from run to run (ids, times)
/// replaced by placeholders (`ReportNormaliser`).
struct ReportCommandTests {
    let session = Stage2SessionTests()

    func succeed(_ arguments: [String]) throws -> String {
        let result = try session.run(arguments)
        #expect(result.status == 0, "`fieldaudit \(arguments.joined(separator: " "))` failed: \(result.stderr)")
        return result.stdout
    }

    @Test func theMarkdownReportOfTheStage2DayMatchesItsGoldenFile() throws {
        try session.runSession()
        let report = try succeed(["report", "--format", "markdown"])
        var normaliser = ReportNormaliser()
        try assertSnapshot(normaliser.normalise(report), named: "report-stage2.md", in: "fieldauditTests")
    }

    @Test func theCSVTablesOfTheStage2DayMatchTheirGoldenFiles() throws {
        try session.runSession()
        let directory = session.directory.file("tables")
        _ = try succeed(["report", "--format", "csv", "-o", directory])
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names == ["coverage.csv", "evidence.csv", "findings.csv", "interviews.csv", "nonconformities.csv", "plan.csv", "tests.csv"])
        var normaliser = ReportNormaliser()
        for name in ["findings.csv", "tests.csv", "interviews.csv", "evidence.csv", "coverage.csv", "nonconformities.csv", "plan.csv"] {
            let data = try #require(FileManager.default.contents(atPath: "\(directory)/\(name)"))
            let text = try #require(String(data: data, encoding: .utf8), "\(name) is not UTF-8")
            #expect(text.hasSuffix("\r\n") && !text.replacingOccurrences(of: "\r\n", with: "").contains("\r"), "\(name) must end its records with CRLF")
            try assertSnapshot(normaliser.normalise(text), named: "report-stage2.\(name)", in: "fieldauditTests")
        }
    }

    @Test func theOSCALDocumentOfTheStage2DayMatchesItsGoldenFile() throws {
        try session.runSession()
        let document = try succeed(["report", "--format", "oscal"])
        var normaliser = ReportNormaliser()
        try assertSnapshot(normaliser.normalise(document), named: "report-stage2.oscal.json", in: "fieldauditTests")
        let references = OSCALReferences(try JSONSerialization.jsonObject(with: Data(document.utf8)))
        #expect(references.referenced.count > 20 && references.unresolved.isEmpty, "unresolved: \(references.unresolved)")
        #expect(references.duplicates.isEmpty)
        #expect(references.hashes.count == 6 && references.malformedHashes.isEmpty)
    }

    @Test func csvNeedsADirectory() throws {
        try session.runSession()
        let result = try session.run(["report", "--format", "csv"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("-o DIR"))
    }

    @Test func closingFreezesTheRecommendationAndTheReportBecomesFinal() throws {
        try session.runSession()
        #expect(try succeed(["report"]).contains("Draft: the engagement is open"))
        let refused = try session.run(["engagement", "close", "--conclusion", "The AIMS is implemented, with one logging gap."])
        #expect(refused.status == 65 && refused.stderr.contains("--justification"), "certify with mandatory clauses not examined needs a justification")
        let closed = try succeed(["engagement", "close", "--conclusion", "The AIMS is implemented, with one logging gap.", "--justification", "Clauses 4 and 8 examined at Stage 1"])
        #expect(closed.contains("recommendation: Certify"))
        let status = try succeed(["status", "--brief"])
        #expect(status.contains("recommendation: Certify") && status.contains("late") && status.contains("none"))
        let report = try succeed(["report"])
        #expect(report.contains("Final: the lead closed the engagement"))
        #expect(report.contains("Certify (recorded by the lead when closing)"))
        #expect(report.contains("The AIMS is implemented, with one logging gap."))

        let again = try session.run(["engagement", "close", "--recommendation", "do-not-certify"])
        #expect(again.status == 65)
        #expect(again.stderr.contains("accept-late"))
        #expect(try succeed(["engagement", "accept-late", "--all"]).contains("No late change to accept."))
        let revised = try succeed(["engagement", "accept-late", "--all", "--recommendation", "certify-after-closure"])
        #expect(revised.contains("Certify after closure of major nonconformities"))
    }

    @Test func aChangeMadeBeforeTheAuditorLearnedOfTheClosingIsImportedAndFlaggedLateUntilAccepted() throws {
        let team = SyncCommandTests()
        try team.kickoff()
        try team.succeed(["finding", "raise", "--grade", "minor", "--ref", "7.2", "--statement", "Training not tracked",
                          "--objective-evidence", "1 of 4 records missing"], as: "ben")
        let closed = try team.succeed(["engagement", "close", "--recommendation", "certify", "--justification", "Small scope"], as: "lead")
        #expect(closed.contains("Certify"))
        try team.succeed(["export", "--for", team.file("ada.card.json"), "-o", team.file("ben-day1.fabundle")], as: "ben")
        try team.succeed(["import", team.file("ben-day1.fabundle")], as: "lead")

        let status = try team.succeed(["status", "--brief"], as: "lead")
        #expect(status.contains("changes arrived after closing"))
        let report = try team.succeed(["report"], as: "lead")
        #expect(report.contains("**Changes after closing:") && report.contains("Training not tracked"))
        #expect(report.contains("- **Changed after closing:** yes"))
        #expect(try team.succeed(["engagement", "accept-late", "--all"], as: "lead").contains("Accepted"))
        #expect(!(try team.succeed(["report"], as: "lead")).contains("**Changes after closing:"))
        #expect(try team.succeed(["status", "--brief"], as: "lead").contains(/late\s+none/))
    }
}

/// Replaces what differs between two runs of the same session with placeholders: UUIDs by
/// numbered version 5 UUIDs in order of first appearance (so the golden OSCAL file stays valid
/// and its references stay visible), replica ids and short ids by fixed text, times by a fixed
/// time.
struct ReportNormaliser {
    private var numbers: [String: Int] = [:]

    mutating func normalise(_ text: String) -> String {
        var out = text
        out = replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, in: out) { uuid in
            let number = numbers[uuid] ?? numbers.count + 1
            numbers[uuid] = number
            return String(format: "00000000-0000-5000-8000-%012d", number)
        }
        out = out.replacing(/\b[0-9a-f]{32}\b/, with: "<replica>")
        out = out.replacing(/(^|[^0-9a-f-])[0-9a-f]{8}(?![0-9a-f-])/.anchorsMatchLineEndings()) { match in match.output.1 + "<short-id>" }
        out = out.replacing(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/, with: "2000-01-01T00:00:00Z")
        out = out.replacing(/\d{4}-\d\d-\d\d \d\d:\d\d(–\d\d:\d\d)?/, with: "<time>")
        return out
    }

    private func replace(_ pattern: Regex<Substring>, in text: String, with make: (String) -> String) -> String {
        var out = "", rest = text[...]
        while let match = rest.firstMatch(of: pattern) {
            out += rest[..<match.range.lowerBound] + make(String(match.output))
            rest = rest[match.range.upperBound...]
        }
        return out + rest
    }
}
