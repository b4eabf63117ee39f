import Foundation
import TestSupport
import Testing

/// `plan …` and the plan in `status`, through the built binary.
struct PlanCommandTests {
    let session = Stage2SessionTests()

    func succeed(_ arguments: [String]) throws -> String { try session.succeed(arguments) }

    /// A date `days` from today in UTC (the tests run with TZ=UTC), `YYYY-MM-DD`.
    static func day(_ days: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date().addingTimeInterval(Double(days) * 86_400))
    }

    @Test func theStage2DayCarriesItsPlanFromCommandsAndCSV() throws {
        try session.runSession()
        let plan = try #require(try session.json(["plan", "list"]) as? [String: Any])
        #expect(plan["certificationBody"] as? String == "Northbridge Certification Ltd")
        #expect(plan["distribution"] as? [String] == ["Dr Priya Rao, CMIO", "Northbridge certification committee"])
        let items = try #require(plan["items"] as? [[String: Any]])
        #expect(items.map { $0["kind"] as? String } == ["opening", "session", "session", "closing", "stage1"], "plan order: by day and time, Stage 1 points last")
        #expect(items[2]["remote"] as? Bool == true && items[2]["refs"] as? [String] == ["A.6.2.6", "A.6.2.8"])
        let text = try succeed(["plan", "list"])
        #expect(text.contains("2026-12-01 09:30–11:00") && text.contains("Clinical leadership") && text.contains("Assessment of 2026-11-10 seen"))
    }

    @Test func badPlanInputIsRefusedWithAClearMessageAndWritesNothing() throws {
        try session.runSession()
        let before = try session.run(["verify", "--json"]).stdout
        let base = ["plan", "add", "session", "--place", "Leeds HQ", "--function", "HR", "--auditor", "Ada Lead"]

        let outside = try session.run(base + ["--date", "2026-12-05", "--start", "09:00", "--end", "10:00"])
        #expect(outside.status == 65 && outside.stderr.contains("2026-12-05 is outside the engagement's audit dates (2026-12-01 to 2026-12-03)"))
        let time = try session.run(base + ["--date", "2026-12-02", "--start", "9am", "--end", "10:00"])
        #expect(time.status == 65 && time.stderr.contains("'9am' is not a valid start time; write times as HH:MM"))
        let backwards = try session.run(base + ["--date", "2026-12-02", "--start", "11:00", "--end", "10:00"])
        #expect(backwards.status == 65 && backwards.stderr.contains("must come after the start 11:00"))
        let unknown = try session.run(base + ["--date", "2026-12-02", "--start", "09:00", "--end", "10:00", "--ref", "A.6.2.9"])
        #expect(unknown.status == 65 && unknown.stderr.contains("A.6.2.9 is not in ISO/IEC 42001:2023; did you mean A.6.2.8?"))
        let stranger = try session.run(["plan", "add", "session", "--date", "2026-12-02", "--start", "09:00", "--end", "10:00", "--remote",
                                        "--function", "HR", "--auditor", "Zed Nobody"])
        #expect(stranger.status == 65 && stranger.stderr.contains("Zed Nobody") && stranger.stderr.contains("team add"))
        let nowhere = try session.run(["plan", "add", "session", "--date", "2026-12-02", "--start", "09:00", "--end", "10:00",
                                       "--function", "HR", "--auditor", "Ada Lead"])
        #expect(nowhere.status == 65 && nowhere.stderr.contains("--remote"))
        let csv = session.directory.file("bad-plan.csv")
        try "kind,date,start,end,place,function,refs,auditors\nsession,2026-12-02,09:00,10:00,remote,HR,7.2,Ada Lead\nsession,2026-12-02,09:00,25:00,remote,HR,7.2,Ada Lead\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let imported = try session.run(["plan", "import", csv])
        #expect(imported.status == 65 && imported.stderr.contains("line 3") && imported.stderr.contains("'25:00'"))
        let early = try session.run(["plan", "set", "--surveillance", "2026-12-02"])
        #expect(early.status == 65 && early.stderr.contains("after the audit's last day, 2026-12-03"))

        #expect(try session.run(["verify", "--json"]).stdout == before, "nothing refused was written, not even the good first CSV line")
    }

    @Test func hostileTextInThePlanIsEscapedOnTheTerminalAndNeutralisedInCSV() throws {
        try session.runSession()
        let hostile = "=HYPERLINK(\"http://x\")\u{1B}[2J"
        _ = try succeed(["plan", "stage1", hostile, "--follow-up", "@SUM(1)"])
        let listing = try succeed(["plan", "list"])
        #expect(!listing.contains("\u{1B}") && listing.contains("\\e[2J"), "the escape is shown, not obeyed")
        let directory = session.directory.file("tables")
        _ = try succeed(["report", "--format", "csv", "-o", directory])
        let csv = try String(contentsOfFile: "\(directory)/plan.csv", encoding: .utf8)
        #expect(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")") && csv.contains("\"'@SUM(1)\""))
        let html = try succeed(["report", "--format", "html"])
        #expect(!html.contains("HYPERLINK(\"http") && html.contains("HYPERLINK(&quot;http"))
    }

    @Test func anAuditorMayNotEditThePlan() throws {
        let team = SyncCommandTests()
        try team.kickoff()
        let refused = try team.cli.run(["plan", "stage1", "Open point"], store: team.file("ben"))
        #expect(refused.status == 77 && refused.stderr.contains("edits the audit plan, which only a lead may do"))
    }

    @Test func statusShowsEachPlannedSessionAgainstWhatItsAuditorRecordedOnItsDay() throws {
        #expect(try session.run(["init", "--name", "Ada Lead"]).status == 0)
        let (yesterday, today, tomorrow) = (Self.day(-1), Self.day(0), Self.day(1))
        _ = try succeed(["engagement", "create", "--client", "Helix", "--start", yesterday, "--end", tomorrow])
        _ = try succeed(["plan", "add", "session", "--date", today, "--start", "00:00", "--end", "23:59", "--place", "Leeds",
                         "--function", "Top management", "--ref", "5.2,6.1.2", "--auditor", "Ada Lead"])
        _ = try succeed(["plan", "add", "session", "--date", tomorrow, "--start", "09:00", "--end", "10:00", "--remote",
                         "--function", "ML platform", "--ref", "A.6.2.8", "--auditor", "Ada Lead"])
        _ = try succeed(["plan", "add", "session", "--date", yesterday, "--start", "09:00", "--end", "10:00", "--remote",
                         "--function", "HR", "--ref", "7.2", "--auditor", "Ada Lead"])
        func states() throws -> [String] {
            let status = try #require(try session.json(["status"]) as? [String: Any])
            return try #require(status["plan"] as? [[String: Any]]).map { ($0["state"] as? String ?? "?") + ":" + (($0["missing"] as? [String]) ?? []).joined(separator: ",") }
        }
        #expect(try states() == ["not-started:7.2", "not-started:5.2,6.1.2", "not-started:A.6.2.8"])
        _ = try succeed(["test", "record", "5.2", "--method", "inspection", "--result", "conforming"])
        _ = try succeed(["test", "record", "7.2", "--method", "inspection", "--result", "conforming"])
        #expect(try states() == ["not-started:7.2", "partly:6.1.2", "not-started:A.6.2.8"], "work today does not count for yesterday's session")
        _ = try succeed(["note", "--ref", "6.1.2", "Risk register reviewed"])
        #expect(try states() == ["not-started:7.2", "done:", "not-started:A.6.2.8"])
        let text = try succeed(["status", "--brief"])
        #expect(text.contains("Top management") && text.contains("done") && text.contains("not-started"))
    }
}

extension Stage2SessionTests {
    /// Runs a command that must succeed, and returns what it printed.
    func succeed(_ arguments: [String]) throws -> String {
        let result = try run(arguments)
        #expect(result.status == 0, "`fieldaudit \(arguments.joined(separator: " "))` failed: \(result.stderr)")
        return result.stdout
    }
}
