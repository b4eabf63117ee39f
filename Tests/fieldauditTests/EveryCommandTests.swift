import Foundation
import TestSupport
import Testing

/// Every capture and query command once, as a user types it, checking what each one answers.
struct EveryCommandTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-commands")

    func run(_ arguments: [String], as who: String = "lead") throws -> FieldAuditCLI.Result {
        let result = try cli.run(arguments, store: directory.file(who))
        return result
    }

    @discardableResult
    func succeed(_ arguments: [String], as who: String = "lead") throws -> String {
        let result = try run(arguments, as: who)
        #expect(result.status == 0, "`fieldaudit \(arguments.joined(separator: " "))` failed: \(result.stderr)")
        return result.stdout
    }

    func json<T>(_ arguments: [String], as type: T.Type = [String: Any].self) throws -> T {
        let data = Data(try succeed(arguments + ["--json"]).utf8)
        return try #require(try JSONSerialization.jsonObject(with: data) as? T)
    }

    /// The id a command printed last in a "… (id)" or "… id …" answer, found by its 8-hex short form.
    func shortID(in output: String) throws -> String {
        let match = try #require(output.firstMatch(of: /\b([0-9a-f]{8})\b/))
        return String(match.1)
    }

    @Test func theWholeCaptureSurfaceWorksAndAnswersAsDocumented() throws {
        try succeed(["init", "--name", "Ada Lead"])
        try succeed(["init", "--name", "Ben Expert"], as: "expert")
        let card = directory.file("ben.card.json")
        try succeed(["whoami", "--card", "-o", card], as: "expert")

        let created = try succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd", "--start", "2026-12-01", "--end", "2026-12-03"])
        let engagement = try #require(created.firstMatch(of: /engagement ([0-9a-f-]{36})/)).1
        let list = try json(["engagement", "list"], as: [[String: Any]].self)
        #expect(list.count == 1 && list.first?["client"] as? String == "Helix Diagnostics Ltd")
        #expect(try succeed(["engagement", "list"]).contains("*"))
        #expect(try succeed(["engagement", "use", String(engagement.suffix(8))]).contains(String(engagement)))
        let shown = try json(["engagement", "show"])
        #expect((shown["engagement"] as? [String: Any])?["auditType"] as? String == "stage2")

        #expect(try succeed(["team", "add", card, "--role", "expert"]).contains("Ben Expert"))
        let team = try json(["team", "list"], as: [[String: Any]].self)
        #expect(Set(team.compactMap { $0["role"] as? String }) == ["lead", "expert"])

        try succeed(["system", "add", "--name", "TriageNet", "--role", "provider", "--risk", "high"])
        #expect(try json(["system", "list"], as: [[String: Any]].self).first?["riskClass"] as? String == "high")
        #expect(try succeed(["soa", "set", "A.6.2.8", "--applicable", "yes", "--status", "partial", "--justification", "Logging in place"]).contains("A.6.2.8"))

        let interview = try shortID(in: try succeed(["interview", "start", "--with", "Amira Haddad", "--role", "ML lead", "--topics", "A.6.2.8"]))
        try succeed(["note", "Retention is set by operations"])
        let interviews = try json(["interview", "list"], as: [[String: Any]].self)
        #expect(interviews.first?["interviewee"] as? String == "Amira Haddad")
        let shownInterview = try json(["interview", "show", interview])
        #expect((shownInterview["notes"] as? [[String: Any]])?.count == 1)
        try succeed(["interview", "end"])

        let test = try shortID(in: try succeed(["test", "record", "A.6.2.8", "--method", "reperformance", "--result", "nonconforming", "--system", "TriageNet", "--sample-size", "5", "--population", "50"]))
        #expect(try json(["test", "list", "--ref", "A.6.2.8"], as: [[String: Any]].self).first?["sampleSize"] as? Int == 5)

        let file = directory.file("retention.yaml")
        try "retention_days: 7\n".write(toFile: file, atomically: true, encoding: .utf8)
        let evidence = try shortID(in: try succeed(["evidence", "add", file, "--for", test, "--describe", "logging config"]))
        let shownEvidence = try json(["evidence", "show", evidence])
        #expect(shownEvidence["intact"] as? Bool == true)
        #expect((shownEvidence["links"] as? [[String: Any]])?.first?["targetKind"] as? String == "test")

        let finding = try shortID(in: try succeed(["finding", "raise", "--grade", "minor", "--ref", "A.6.2.8", "--statement", "Logs kept 7 days", "--evidence", evidence,
            "--grade-justification", "One control lapsed"]))
        let shownFinding = try json(["finding", "show", finding])
        #expect((shownFinding["evidence"] as? [[String: Any]])?.first?["name"] as? String == "retention.yaml")
        try succeed(["evidence", "link", evidence, "--to", "7.5.3"])
        try succeed(["finding", "edit", finding, "--statement", "Inference logs are kept 7 days, not 2 years"])
        try succeed(["finding", "discuss", finding, "--position", "Accepted; retention change planned for January"])
        try succeed(["finding", "sign-off", finding])
        let findings = try json(["finding", "list"], as: [[String: Any]].self)
        #expect(findings.first?["statement"] as? String == "Inference logs are kept 7 days, not 2 years")
        #expect(findings.first?["discussed"] as? Bool == true)
        #expect(findings.first?["signedOffBy"] != nil)

        #expect(try succeed(["conflicts"]).contains("No conflicts."))
        let noConflict = try run(["resolve", finding, "statement", "--take", "1"])
        #expect(noConflict.status == 65 && noConflict.stderr.contains("single value"))
        #expect(try succeed(["status"]).contains("1 minor"))
        #expect(try succeed(["verify"]).contains("ok:"))
    }

    @Test func anotherStandardCanBeImportedAndAudited() throws {
        try succeed(["init", "--name", "Ada Lead"])
        let file = directory.file("acme.json")
        try #"{"format":"fieldaudit-catalog","version":1,"id":"acme-ai-2026","name":"ACME AI 2026","title":"ACME AI governance 2026","groups":[{"ref":"1","title":"Governance"}],"requirements":[{"ref":"1.1","kind":"clause","group":"1","title":"Board oversight"},{"ref":"1.2","kind":"control","group":"1","title":"Model inventory"}]}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try succeed(["catalog", "import", file]).contains("2 requirements"))
        try succeed(["engagement", "create", "--client", "Acme", "--standard", "acme-ai-2026"])
        #expect(try succeed(["catalog", "list"]).contains("1.2      Model inventory"))
        try succeed(["test", "record", "1.2", "--method", "inspection", "--result", "conforming"])
        let unknown = try run(["test", "record", "1.3", "--method", "inspection", "--result", "conforming"])
        #expect(unknown.stderr.contains("1.3 is not in ACME AI 2026; did you mean"))
        let status = try json(["status"])
        #expect((status["coverage"] as? [String: Int])?["controlsCovered"] == 1)
    }

    @Test func aSecondReplicaOffTheTeamIsToldHowToJoin() throws {
        try succeed(["init", "--name", "Ada Lead"])
        try succeed(["engagement", "create", "--client", "Helix"])
        let team = try run(["team", "add", directory.file("missing.card.json")])
        // A missing input file is 66 (EX_NOINPUT) for every command (issue 12, item 10); it was 74 here.
        #expect(team.status == 66 && team.stderr.contains("missing.card.json") && team.stderr.contains("no such file"))
    }
}
