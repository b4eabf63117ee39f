import Foundation
import TestSupport
import Testing
@testable import fieldaudit

/// The scripted Stage 2 day in `Fixtures/stage2/session.txt`, run command by command, and the
/// capture commands' answers to bad input.
struct Stage2SessionTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-stage2")
    var store: String { directory.file("auditor") }
    let fixtures = "\(packageRoot)/Fixtures/stage2"

    func run(_ arguments: [String], input: String? = nil) throws -> FieldAuditCLI.Result {
        try cli.run(arguments, store: store, input: input)
    }

    /// Runs every line of the session script; each must succeed.
    func runSession() throws {
        #expect(try run(["init", "--name", "Ada Lead"]).status == 0)
        let script = try String(contentsOfFile: "\(fixtures)/session.txt", encoding: .utf8)
        for line in script.split(separator: "\n") where !line.hasPrefix("#") && !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let expanded = line.replacingOccurrences(of: "$EVIDENCE", with: "\(fixtures)/evidence")
                .replacingOccurrences(of: "$FIXTURES", with: fixtures)
            let result = try run(try ShellWords.split(expanded))
            #expect(result.status == 0, "`\(line)` failed: \(result.stderr)")
        }
    }

    func json(_ arguments: [String]) throws -> Any {
        let result = try run(arguments + ["--json"])
        #expect(result.status == 0, "\(arguments) failed: \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    @Test func theScriptedDayEndsWithTheExpectedCounts() throws {
        try runSession()
        let status = try #require(try json(["status"]) as? [String: Any])
        let counts = try #require(status["counts"] as? [String: Any])
        #expect(counts["interviews"] as? Int == 2)
        #expect(counts["notes"] as? Int == 6)
        #expect(counts["tests"] as? Int == 6)
        #expect(counts["evidence"] as? Int == 6)
        #expect(counts["findings"] as? Int == 3)
        #expect(counts["conflicts"] as? Int == 0)
        #expect(counts["findingsByGrade"] as? [String: Int] == ["minor": 1, "ofi": 1, "good-practice": 1])
        #expect(counts["testsByResult"] as? [String: Int] == ["conforming": 4, "nonconforming": 2])
        let coverage = try #require(status["coverage"] as? [String: Int])
        #expect(coverage["clauses"] == 32 && coverage["controls"] == 36)  // two controls excluded by the SoA
        #expect(coverage["clausesCovered"] == 4 && coverage["controlsCovered"] == 3)
        let rows = try #require(status["requirements"] as? [[String: Any]])
        let logging = try #require(rows.first { $0["ref"] as? String == "A.6.2.8" })
        #expect(logging["result"] as? String == "nonconforming")
        #expect(logging["workedOnBy"] as? [String] == ["Ada Lead"])
        let excluded = try #require(rows.first { $0["ref"] as? String == "A.10.4" })
        #expect(excluded["applicable"] as? Bool == false)
    }

    @Test func searchFindsANoteByAWordInIt() throws {
        try runSession()
        let hits = try #require(try json(["search", "retention"]) as? [[String: String]])
        #expect(hits.contains { $0["kind"] == "note" && ($0["snippet"] ?? "").contains("[Retention]") })
        #expect(hits.contains { $0["kind"] == "finding" })
        #expect(try run(["search", "zeppelin"]).stdout.contains("No matches."))
    }

    @Test func logShowsTheAuthorOfEveryChange() throws {
        try runSession()
        let entries = try #require(try json(["log", "--limit", "1000"]) as? [[String: Any]])
        #expect(entries.count > 100)
        #expect(entries.allSatisfy { $0["author"] as? String == "Ada Lead" })
        let findings = try #require(try json(["finding", "list"]) as? [[String: Any]])
        let finding = try #require(findings.first?["id"] as? String)
        let history = try #require(try json(["log", "--entity", finding]) as? [[String: Any]])
        #expect(history.map { $0["field"] as? String }.contains("statement"))
    }

    @Test func evidenceIsStoredOnceAndExtractedWithItsHashChecked() throws {
        try runSession()
        let again = try run(["evidence", "add", "\(fixtures)/evidence/ai-policy.md"])
        #expect(again.stdout.contains("identical file already stored"))
        let blobs = try FileManager.default.subpathsOfDirectory(atPath: store + "/blobs").filter { !$0.contains(".incoming") && $0.count > 3 }
        #expect(blobs.count == 6)
        let evidence = try #require(try json(["evidence", "list"]) as? [[String: Any]])
        let policy = try #require(evidence.first { $0["name"] as? String == "ai-policy.md" })
        let out = directory.file("policy-copy.md")
        #expect(try run(["evidence", "extract", try #require(policy["id"] as? String), "-o", out]).status == 0)
        #expect(FileManager.default.contents(atPath: out) == FileManager.default.contents(atPath: "\(fixtures)/evidence/ai-policy.md"))
    }

    @Test func aCaptureSessionFromAPipeStoresEachLine() throws {
        try runSession()
        let input = """
            /interview --with "Lena Novak" --role "Data scientist"
            I have not done the responsible AI course yet
            /ref 7.2
            My manager booked it for January
            /status
            /end
            """
        let result = try run(["capture"], input: input)
        #expect(result.status == 0, "\(result.stderr)")
        let interviews = try #require(try json(["interview", "list"]) as? [[String: Any]])
        #expect(interviews.count == 3)
        let notes = try #require(try json(["search", "January"]) as? [[String: String]])
        #expect(notes.count == 1)
    }

    @Test func badInputGetsAClearMessageANonZeroExitAndWritesNothing() throws {
        try runSession()
        let before = try run(["verify", "--json"]).stdout

        let unknown = try run(["test", "record", "A.6.2.9", "--method", "inspection", "--result", "conforming"])
        #expect(unknown.status == 65)
        #expect(unknown.stderr.contains("A.6.2.9 is not in ISO/IEC 42001:2023; did you mean A.6.2.8?"))

        let method = try run(["test", "record", "A.6.2.8", "--method", "guessing", "--result", "conforming"])
        #expect(method.status == 64)
        #expect(method.stderr.contains("inquiry") && method.stderr.contains("reperformance"))

        let sample = try run(["test", "record", "A.6.2.8", "--method", "inspection", "--result", "conforming", "--sample-size", "30", "--population", "10"])
        #expect(sample.status == 64)
        #expect(sample.stderr.contains("larger than --population"))

        let missing = try run(["evidence", "add", directory.file("no-such-file.pdf")])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("no-such-file.pdf"))

        let noEvidence = try run(["finding", "raise", "--grade", "major", "--ref", "A.6.2.8", "--statement", "No logs"])
        #expect(noEvidence.status == 65)
        #expect(noEvidence.stderr.contains("objective evidence"))

        #expect(try run(["verify", "--json"]).stdout == before)
    }

    @Test func withoutACurrentEngagementCaptureCommandsSayWhatToDo() throws {
        #expect(try run(["init", "--name", "New Auditor"]).status == 0)
        let result = try run(["note", "something"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("engagement use"))
    }

    @Test func theAnnexACatalogListingMatchesItsGoldenFile() throws {
        let result = try cli.run(["catalog", "list", "--annex-a"], store: directory.file("none"))
        #expect(result.status == 0)
        try assertSnapshot(result.stdout, named: "catalog-list-annex-a.txt", in: "fieldauditTests")
    }

    @Test func theStatementOfApplicabilityListingMatchesItsGoldenFile() throws {
        try runSession()
        try assertSnapshot(try run(["soa", "list"]).stdout, named: "soa-list.txt", in: "fieldauditTests")
        try assertSnapshot(try run(["soa", "list", "--json"]).stdout.replacingOccurrences(
            of: #""id" : "[0-9a-f-]{36}""#, with: #""id" : "…""#, options: .regularExpression), named: "soa-list.json", in: "fieldauditTests")
    }
}

extension Stage2SessionTests {
    @Test func verifyRehashesEvidenceAndNamesAFileThatChanged() throws {
        try runSession()
        let sound = try json(["verify"]) as? [String: Any]
        #expect(sound?["evidenceChecked"] as? Int == 6)
        let blobs = try FileManager.default.subpathsOfDirectory(atPath: store + "/blobs").filter { $0.count > 3 && !$0.contains(".") }
        let victim = try #require(blobs.first)
        let path = store + "/blobs/" + victim
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: path))
        let result = try run(["verify"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("no longer matches its SHA-256"))
        #expect(result.stdout.contains(String(victim.replacingOccurrences(of: "/", with: "").prefix(16))))
    }
}
