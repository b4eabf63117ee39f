import Foundation
import TestSupport
import Testing

/// `delete` and `restore` through the built binary: recorded as changes, shown in `log`, left out
/// of lists and reports, listed by `--deleted`; and the small habits of issue 19 (dates, `--store`
/// before the subcommand, the only engagement made current).
struct DeletionCommandTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-deletion")
    var store: String { directory.file("lead") }

    func run(_ arguments: [String]) throws -> FieldAuditCLI.Result { try cli.run(arguments, store: store) }

    @discardableResult
    func succeed(_ arguments: [String]) throws -> String { try cli.succeed(arguments, store: store) }

    func json(_ arguments: [String]) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(try succeed(arguments + ["--json"]).utf8)) as? [[String: Any]])
    }

    func engagement() throws {
        try succeed(["init", "--name", "Ada Lead"])
        try succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd", "--type", "stage2"])
    }

    @Test func aDeletedSystemLeavesTheListIsListedWithItsReasonAndComesBack() throws {
        try engagement()
        try succeed(["system", "add", "--name", "TriageNet", "--role", "provider", "--risk", "high"])
        try succeed(["system", "add", "--name", "ChestScan", "--role", "developer", "--risk", "high"])
        let deleted = try succeed(["system", "delete", "chest scan", "--reason", "Not in the audit scope"])
        #expect(deleted.contains("Deleted system") && deleted.contains("(ChestScan)") && deleted.contains("restore system"), "\(deleted)")
        #expect(try json(["system", "list"]).map { $0["name"] as? String } == ["TriageNet"])
        let listed = try json(["system", "list", "--deleted"])
        #expect(listed.count == 1 && listed.first?["label"] as? String == "ChestScan" && listed.first?["reason"] as? String == "Not in the audit scope")
        #expect(listed.first?["deletedBy"] as? String == "Ada Lead")
        let log = try succeed(["log"])
        #expect(log.contains("deleted") && log.contains("deletedReason") && log.contains("Not in the audit scope"), "\(log)")
        // The deletion reads in words, as every yes/no field does in `log`.
        #expect(log.split(separator: "\n").contains { $0.contains(" deleted ") && $0.hasSuffix("yes") }, "\(log)")
        #expect(try succeed(["system", "delete", "ChestScan", "--reason", "again"]).contains("is deleted already; nothing changed"))
        let again = try run(["system", "add", "--name", "triage net", "--role", "provider", "--risk", "high"])
        #expect(again.status == 65 && again.stderr.contains("has a system named TriageNet already"), "a system's name is its identity: \(again.stderr)")
        #expect(try succeed(["restore", "system", "ChestScan"]).contains("Restored system"))
        #expect(try json(["system", "list"]).count == 2)
        #expect(try json(["system", "list", "--deleted"]).isEmpty)
    }

    @Test func aDeletedFindingTestAndNoteAreLeftOutOfTheReportAndItsCounts() throws {
        try engagement()
        try succeed(["interview", "start", "--with", "Dr Priya Rao", "--role", "CMIO"])
        let note = try succeed(["note", "Risk register reviewed quarterly"])
        try succeed(["interview", "end"])
        try succeed(["test", "record", "A.6.2.8", "--method", "inspection", "--result", "conforming", "--conclusion", "Retention checked"])
        try succeed(["finding", "raise", "--grade", "ofi", "--ref", "A.6.2.8", "--statement", "Consider shorter review cycles"])
        let finding = try #require(try json(["finding", "list"]).first?["id"] as? String)
        let test = try #require(try json(["test", "list"]).first?["id"] as? String)
        let noteID = try #require(note.firstMatch(of: /[0-9a-f]{8}/).map { String($0.0) }, "\(note)")
        let before = try succeed(["report"])
        #expect(before.contains("Consider shorter review cycles"))

        try succeed(["finding", "delete", String(finding.suffix(8)), "--reason", "Raised on the wrong engagement"])
        try succeed(["test", "delete", String(test.suffix(8)), "--reason", "Recorded twice"])
        try succeed(["delete", "note", noteID, "--reason", "Off the record"])
        #expect(try json(["finding", "list"]).isEmpty)
        #expect(try json(["test", "list"]).isEmpty)
        let report = try succeed(["report"])
        #expect(!report.contains("Consider shorter review cycles") && !report.contains("Retention checked"), "\(report)")
        #expect(!report.contains("Risk register reviewed quarterly"))
        #expect(try json(["finding", "list", "--deleted"]).count == 1)
        #expect(try succeed(["restore", "note"]).contains("Off the record"), "restore without an id lists the deleted notes")
    }

    @Test func aDeletedInterviewTakesItsNotesOutOfTheReportAndBringsThemBack() throws {
        try engagement()
        try succeed(["interview", "start", "--with", "Wrong Person", "--role", "Visitor", "--topics", "A.6.2.8"])
        try succeed(["note", "Said something about retention"])
        try succeed(["interview", "end"])
        let interview = try #require(try json(["interview", "list"]).first?["id"] as? String)
        try succeed(["interview", "delete", String(interview.prefix(8)), "--reason", "Started by mistake"])
        let report = try succeed(["report"])
        #expect(!report.contains("Wrong Person") && !report.contains("Said something about retention"), "\(report)")
        #expect(try json(["interview", "list"]).isEmpty)
        try succeed(["interview", "restore", String(interview.prefix(8))])
        let restored = try succeed(["report"])
        #expect(restored.contains("Wrong Person"))
    }

    @Test func deletingNeedsAReasonAndANameThatExists() throws {
        try engagement()
        try succeed(["system", "add", "--name", "TriageNet", "--role", "provider", "--risk", "high"])
        let missing = try run(["system", "delete", "TriageNet"])
        #expect(missing.status == 64 && missing.stderr.contains("--reason"), "\(missing.stderr)")
        let unknown = try run(["system", "delete", "NoSuchSystem", "--reason", "x"])
        #expect(unknown.status == 65 && unknown.stderr.contains("no system matches 'NoSuchSystem'"), "\(unknown.stderr)")
    }

    @Test func anEndBeforeTheStartAndImpossibleDatesAreRefusedSayingWhatIsWrong() throws {
        try succeed(["init", "--name", "Ada Lead"])
        let reversed = try run(["engagement", "create", "--client", "Helix", "--start", "2026-12-03", "--end", "2026-12-01"])
        #expect(reversed.status == 65 && reversed.stderr.contains("the end date 2026-12-01 is before the start date 2026-12-03"), "\(reversed.stderr)")
        let february = try run(["engagement", "create", "--client", "Helix", "--start", "2026-02-29"])
        #expect(february.status == 65 && february.stderr.contains("February 2026 has 28 days"), "\(february.stderr)")
        let month = try run(["engagement", "create", "--client", "Helix", "--end", "2026-13-01"])
        #expect(month.status == 65 && month.stderr.contains("there is no month 13"), "\(month.stderr)")
        let format = try run(["engagement", "create", "--client", "Helix", "--start", "3/12/2026"])
        #expect(format.status == 65 && format.stderr.contains("write dates as YYYY-MM-DD"), "\(format.stderr)")
        #expect(try succeed(["engagement", "list"]).contains("Helix") == false)
        try succeed(["engagement", "create", "--client", "Helix", "--start", "2028-02-29", "--end", "2028-02-29"])
    }

    @Test func theStoreOptionWorksBeforeTheSubcommand() throws {
        let before = try cli.run(["--store", store, "init", "--name", "Ada Lead"])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(FileManager.default.fileExists(atPath: store + "/replica.sqlite"))
        #expect(try cli.run(["--store=\(store)", "whoami"]).stdout.contains("Ada Lead"))
    }

    @Test func logOfAnUnknownEntityPointsAtCommandsThatExist() throws {
        try engagement()
        let result = try run(["log", "--entity", "deadbeef"])
        #expect(result.status == 65)
        #expect(!result.stderr.contains("entity list") && result.stderr.contains("`fieldaudit log`"), "\(result.stderr)")
    }

    @Test func importingTheKickoffOfTheOnlyEngagementMakesItCurrentAndSaysSo() throws {
        try engagement()
        let ben = directory.file("ben")
        try cli.succeed(["init", "--name", "Ben Auditor"], store: ben)
        try cli.succeed(["whoami", "--card", "-o", directory.file("ben.card.json")], store: ben)
        try cli.succeed(["whoami", "--card", "-o", directory.file("ada.card.json")], store: store)
        try succeed(["team", "add", directory.file("ben.card.json"), "--role", "auditor"])
        try succeed(["export", "--for", directory.file("ben.card.json"), "-o", directory.file("kickoff.fabundle")])
        try cli.succeed(["trust", directory.file("ada.card.json")], store: ben)
        let imported = try cli.run(["import", directory.file("kickoff.fabundle")], store: ben)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains("is now current: it is the only one here"), "\(imported.stderr)")
        #expect(try cli.run(["note", "--ref", "A.6.2.8", "Checked"], store: ben).status == 0, "no `engagement use` needed")
    }
}
