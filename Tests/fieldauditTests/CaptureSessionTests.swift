import Foundation
import TestSupport
import Testing

/// Capture sessions and interviews as users type them: each session owns the interview it
/// started, and no interview is left open by starting another.
struct CaptureSessionTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-capture")
    var store: String { directory.file("replica") }

    func run(_ arguments: [String], input: String? = nil) throws -> FieldAuditCLI.Result {
        try cli.run(arguments, store: store, input: input)
    }

    func json(_ arguments: [String]) throws -> Any {
        let result = try run(arguments + ["--json"])
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// Every interview by interviewee: its id, whether it ended, and the texts of its notes.
    func interviews() throws -> [String: (id: String, ended: Bool, notes: [String])] {
        let list = try #require(try json(["interview", "list"]) as? [[String: Any]])
        var found: [String: (id: String, ended: Bool, notes: [String])] = [:]
        for item in list {
            let id = try #require(item["id"] as? String), name = try #require(item["interviewee"] as? String)
            let shown = try #require(try json(["interview", "show", id]) as? [String: Any])
            let notes = try #require(shown["notes"] as? [[String: Any]]).compactMap { $0["text"] as? String }
            found[name] = (id, (shown["interview"] as? [String: Any])?["endedAt"] != nil, notes)
        }
        return found
    }

    func engagement() throws {
        #expect(try run(["init", "--name", "Ada Lead"]).status == 0)
        #expect(try run(["engagement", "create", "--client", "Helix Diagnostics Ltd"]).status == 0)
    }

    @Test func twoSessionsOnOneLaptopEachKeepTheirOwnInterviewAndNothingIsRefused() throws {
        try engagement()
        let first = try LiveRun(cli: cli, arguments: ["capture", "--store", store])
        let second = try LiveRun(cli: cli, arguments: ["capture", "--store", store])

        // Given two sessions that each start an interview, one after the other,
        #expect(first.send("/interview --with \"Dr Priya Rao\" --role CMIO")?.contains("Priya Rao") == true)
        #expect(second.send("/interview --with \"Amira Haddad\"")?.contains("Amira Haddad") == true)
        // when their notes interleave line by line, and the first session ends its interview first,
        for index in 0..<40 {
            #expect(first.send("rao says \(index)")?.contains("noted") == true)
            #expect(second.send("haddad says \(index)")?.contains("noted") == true)
        }
        #expect(first.send("/end")?.contains("ended") == true)
        for index in 40..<50 {
            #expect(second.send("haddad says \(index)")?.contains("noted") == true)
        }
        #expect(second.send("/end")?.contains("ended") == true)
        let firstEnd = try first.finish(), secondEnd = try second.finish()

        // then both end well, every note is on its own session's interview, and both interviews ended.
        #expect(firstEnd.status == 0 && firstEnd.stderr.isEmpty, "\(firstEnd.stderr)")
        #expect(secondEnd.status == 0 && secondEnd.stderr.isEmpty, "\(secondEnd.stderr)")
        let found = try interviews()
        let rao = try #require(found["Dr Priya Rao"]), haddad = try #require(found["Amira Haddad"])
        #expect(Set(rao.notes) == Set((0..<40).map { "rao says \($0)" }) && rao.notes.count == 40)
        #expect(Set(haddad.notes) == Set((0..<50).map { "haddad says \($0)" }) && haddad.notes.count == 50)
        #expect(rao.ended && haddad.ended)
    }

    @Test func startingAnInterviewWhileOneIsInProgressSaysWhichAndHowToEndIt() throws {
        try engagement()
        #expect(try run(["interview", "start", "--with", "Dr Priya Rao"]).status == 0)

        // On the command line: refused, naming the open interview and how to end it.
        let second = try run(["interview", "start", "--with", "Amira Haddad"])
        #expect(second.status == 64)
        #expect(second.stderr.contains("Dr Priya Rao") && second.stderr.contains("fieldaudit interview end"))
        #expect(try interviews().keys.sorted() == ["Dr Priya Rao"])

        // A session takes over the interview in progress; it too refuses a second one until /end,
        // and a session in which any line failed does not exit 0.
        let session = try run(["capture"], input: """
            /interview --with "Amira Haddad"
            Rao: the register is reviewed quarterly
            /end
            /interview --with "Amira Haddad"
            Haddad: drift is tracked per site
            /end now
            /end
            """)
        #expect(session.status == 64, "\(session.stderr)")
        #expect(session.stderr.contains("Dr Priya Rao") && session.stderr.contains("/end"))
        #expect(session.stderr.contains("2 lines were not recorded"))
        let found = try interviews()
        #expect(found["Dr Priya Rao"]?.notes == ["Rao: the register is reviewed quarterly"])
        #expect(found["Amira Haddad"]?.notes == ["Haddad: drift is tracked per site"])
        let ended = found.values.filter { $0.ended }.count
        #expect(ended == 2)

        // Nothing is left in progress on the command line either.
        let note = try run(["note", "one more thing"])
        #expect(note.status == 64 && note.stderr.contains("no interview in progress"))
        #expect(try run(["interview", "start", "--with", "Lena Novak"]).status == 0)
    }
}
