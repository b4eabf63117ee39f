import Foundation
import TestSupport
import Testing

/// `export`, `import`, `bundle inspect`, `vector` and `trust`, run as users type them.
struct SyncCommandTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-sync")

    @discardableResult
    func succeed(_ arguments: [String], as who: String, input: String? = nil) throws -> String {
        let result = try cli.run(arguments, store: directory.file(who), input: input)
        #expect(result.status == 0, "`fieldaudit \(arguments.joined(separator: " "))` as \(who) failed: \(result.stderr)")
        return result.stdout
    }

    func file(_ name: String) -> String { directory.file(name) }

    /// The lead and Ben, Ben on the team and holding the kickoff.
    func kickoff() throws {
        try succeed(["init", "--name", "Ada Lead"], as: "lead")
        try succeed(["init", "--name", "Ben Auditor"], as: "ben")
        try succeed(["whoami", "--card", "-o", file("ada.card.json")], as: "lead")
        try succeed(["whoami", "--card", "-o", file("ben.card.json")], as: "ben")
        try succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd"], as: "lead")
        try succeed(["team", "add", file("ben.card.json")], as: "lead")
        try succeed(["export", "--for", file("ben.card.json"), "-o", file("kickoff.fabundle")], as: "lead")
        let refused = try cli.run(["import", file("kickoff.fabundle")], store: file("ben"))
        #expect(refused.status == 77 && refused.stderr.contains("fieldaudit trust"))
        try succeed(["trust", file("ada.card.json")], as: "ben")
        #expect(try succeed(["import", file("kickoff.fabundle")], as: "ben").contains("new changes"))
        let engagement = try #require(try succeed(["engagement", "list"], as: "ben").firstMatch(of: /([0-9a-f]{8})  Helix/)).1
        try succeed(["engagement", "use", String(engagement)], as: "ben")
    }

    @Test func aDaysWorkTravelsThroughAPipeAndBothReplicasAgree() throws {
        try kickoff()
        try succeed(["note", "--ref", "6.1.2", "Risk register reviewed quarterly"], as: "ben")
        let export = Process()
        export.executableURL = URL(fileURLWithPath: cli.executable)
        export.arguments = ["export", "--for", file("ada.card.json"), "-o", "-", "--store", file("ben")]
        let pipe = Pipe()
        export.standardOutput = pipe
        export.standardError = FileHandle.nullDevice
        try export.run()
        let bundle = pipe.fileHandleForReading.readDataToEndOfFile()
        export.waitUntilExit()
        #expect(export.terminationStatus == 0)
        try bundle.write(to: URL(fileURLWithPath: file("piped.fabundle")))
        let imported = try cli.run(["import", "-", "--store", file("lead")], inputData: bundle)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("standard input"))
        let leadDigest = try succeed(["verify"], as: "lead").prefix(80)
        let benDigest = try succeed(["verify"], as: "ben").prefix(80)
        #expect(leadDigest == benDigest)
        #expect(try succeed(["search", "quarterly"], as: "lead").contains("note"))
    }

    @Test func bundlesImportedTogetherMayComeInAnyOrder() throws {
        try kickoff()
        try succeed(["note", "--ref", "5.1", "first day"], as: "ben")
        // The central is on no team here, so it reads only unsealed bundles.
        try succeed(["export", "--for", file("ada.card.json"), "--no-encrypt", "-o", file("day1.fabundle")], as: "ben")
        try succeed(["import", file("day1.fabundle")], as: "lead")
        try succeed(["vector", "-o", file("lead.vector.json")], as: "lead")
        try succeed(["note", "--ref", "5.2", "second day"], as: "ben")
        try succeed(["export", "--since", file("lead.vector.json"), "--no-encrypt", "-o", file("day2.fabundle")], as: "ben")

        try succeed(["init", "--name", "Central"], as: "central")
        try succeed(["trust", file("ada.card.json")], as: "central")
        try succeed(["export", "--for", file("ben.card.json"), "--no-encrypt", "-o", file("kickoff-plain.fabundle")], as: "lead")
        try succeed(["import", file("kickoff-plain.fabundle")], as: "central")
        let alone = try cli.run(["import", file("day2.fabundle")], store: file("central"))
        #expect(alone.status == 65 && alone.stderr.contains("earlier bundle"))
        let together = try succeed(["import", file("day2.fabundle"), file("day1.fabundle")], as: "central")
        #expect(together.contains("day1.fabundle") && together.contains("day2.fabundle"))
        #expect(try succeed(["search", "second", "--all"], as: "central").contains("[second]"))
    }

    @Test func inspectShowsTheHeaderCountsAndIntegrity() throws {
        try kickoff()
        let json = try succeed(["bundle", "inspect", file("kickoff.fabundle"), "--json"], as: "lead")
        let view = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(view["integrity"] as? String == "valid")
        #expect((view["changes"] as? Int ?? 0) > 0)
        #expect((view["origins"] as? [[String: Any]])?.count == 1)

        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file("kickoff.fabundle"))))
        bytes[bytes.count / 2] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: file("damaged.fabundle")))
        let damaged = try cli.run(["bundle", "inspect", file("damaged.fabundle")], store: file("lead"))
        #expect(damaged.status == 1)
        let imported = try cli.run(["import", file("damaged.fabundle")], store: file("ben"))
        #expect(imported.status == 65)
        #expect(imported.stderr.contains("damaged.fabundle"))
    }

    @Test func aBundleFromANewerVersionNamesBothVersions() throws {
        try kickoff()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file("kickoff.fabundle"))))
        bytes[9] = 7
        try Data(bytes).write(to: URL(fileURLWithPath: file("future.fabundle")))
        let result = try cli.run(["import", file("future.fabundle")], store: file("ben"))
        #expect(result.status == 65)
        #expect(result.stderr.contains("7") && result.stderr.contains("1"))
    }

    @Test func aSealedExportCarriesNoReadableText() throws {
        try kickoff()
        try succeed(["note", "--ref", "5.1", "a secret remark"], as: "ben")
        try succeed(["export", "--for", file("ada.card.json"), "--encrypt", "-o", file("sealed.fabundle")], as: "ben")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file("sealed.fabundle")))
        #expect(bytes.range(of: Data("secret".utf8)) == nil)
        try succeed(["import", file("sealed.fabundle")], as: "lead")
        #expect(try succeed(["search", "secret"], as: "lead").contains("secret"))
    }
}

/// A forked history through the binary: a laptop restored from a backup and used again.
struct ForkCommandTests {
    let sync = SyncCommandTests()

    @Test func aRestoredLaptopsForkIsQuarantinedAndTheTeamKeepsSyncing() throws {
        // Given Ben's store copied (a backup), then both copies writing, and the lead holding the original's work
        try sync.kickoff()
        try sync.succeed(["note", "--ref", "5.1", "Before the backup"], as: "ben")
        try sync.succeed(["export", "--for", sync.file("ada.card.json"), "-o", sync.file("ben-1.fabundle")], as: "ben")
        try sync.succeed(["import", sync.file("ben-1.fabundle")], as: "lead")
        try FileManager.default.copyItem(atPath: sync.file("ben"), toPath: sync.file("ben-restored"))
        try sync.succeed(["note", "--ref", "6.2", "On the original laptop"], as: "ben")
        try sync.succeed(["note", "--ref", "7.2", "On the restored laptop"], as: "ben-restored")
        try sync.succeed(["export", "--for", sync.file("ada.card.json"), "-o", sync.file("original.fabundle")], as: "ben")
        try sync.succeed(["export", "--for", sync.file("ada.card.json"), "-o", sync.file("restored.fabundle")], as: "ben-restored")
        try sync.succeed(["import", sync.file("original.fabundle")], as: "lead")

        // When the restored laptop's bundle arrives: accepted, saying what happened
        let imported = try sync.succeed(["import", sync.file("restored.fabundle")], as: "lead")
        #expect(imported.contains("history is forked: its changes from the fork on are refused and kept as evidence"))

        // Then verify passes and warns, status says what to do, and the lead's next bundle still imports at Ben's
        let verify = try sync.succeed(["verify"], as: "lead")
        #expect(verify.contains("ok: every hash chain holds"))
        #expect(verify.contains("warning: Ben Auditor (replica") && verify.contains("its history is forked"))
        #expect(try sync.succeed(["status", "--brief"], as: "lead").contains("What to do: the engagement's founding lead removes that member"))
        try sync.succeed(["note", "--ref", "9.1", "The lead's later note"], as: "lead")
        try sync.succeed(["export", "--for", sync.file("ben.card.json"), "-o", sync.file("later.fabundle")], as: "lead")
        #expect(try sync.succeed(["import", sync.file("later.fabundle")], as: "ben").contains("new changes"))
        #expect(try sync.succeed(["search", "later"], as: "ben").contains("note"))
    }
}

/// A bundle that proves a fork and carries work its importer cannot accept yet, given with the
/// lead's bundle that settles it: the proof is kept at once, and the bundle imports after the other.
struct ForkWithStaleRosterCommandTests {
    let sync = SyncCommandTests()

    @Test func aBundleProvingAForkWaitsForTheLeadsBundleInOneImportAndBothImport() throws {
        // Given Ada's engagement with Ben and Dan as auditors and Cara as an observer, all holding the kickoff
        for (who, name) in [("ada", "Ada Lead"), ("ben", "Ben Auditor"), ("cara", "Cara Observer"), ("dan", "Dan Auditor")] {
            try sync.succeed(["init", "--name", name], as: who)
            try sync.succeed(["whoami", "--card", "-o", sync.file("\(who).card.json")], as: who)
        }
        try sync.succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd"], as: "ada")
        try sync.succeed(["team", "add", sync.file("ben.card.json"), "--role", "auditor"], as: "ada")
        try sync.succeed(["team", "add", sync.file("cara.card.json"), "--role", "observer"], as: "ada")
        try sync.succeed(["team", "add", sync.file("dan.card.json"), "--role", "auditor"], as: "ada")
        for who in ["ben", "cara", "dan"] {
            try sync.succeed(["export", "--for", sync.file("\(who).card.json"), "-o", sync.file("kickoff-\(who).fabundle")], as: "ada")
            try sync.succeed(["trust", sync.file("ada.card.json")], as: who)
            try sync.succeed(["import", sync.file("kickoff-\(who).fabundle")], as: who)
        }
        // Ben's laptop is copied (a backup); both copies then write; Dan holds the original's work, Cara the copy's
        try sync.succeed(["note", "--ref", "5.1", "Before the backup"], as: "ben")
        try FileManager.default.copyItem(atPath: sync.file("ben"), toPath: sync.file("ben-restored"))
        try sync.succeed(["note", "--ref", "6.2", "On the original laptop"], as: "ben")
        try sync.succeed(["note", "--ref", "7.2", "On the restored laptop"], as: "ben-restored")
        try sync.succeed(["export", "--for", sync.file("dan.card.json"), "--all", "-o", sync.file("ben-original.fabundle")], as: "ben")
        try sync.succeed(["import", sync.file("ben-original.fabundle")], as: "dan")
        try sync.succeed(["export", "--for", sync.file("cara.card.json"), "--all", "-o", sync.file("ben-restored.fabundle")], as: "ben-restored")
        try sync.succeed(["import", sync.file("ben-restored.fabundle")], as: "cara")
        // Ada promotes Cara, who writes as an auditor and sends what Ada lacks: her note and Ben's copy's history
        try sync.succeed(["team", "add", sync.file("cara.card.json"), "--role", "auditor"], as: "ada")
        try sync.succeed(["export", "--for", sync.file("cara.card.json"), "-o", sync.file("promotion-cara.fabundle")], as: "ada")
        try sync.succeed(["export", "--for", sync.file("dan.card.json"), "-o", sync.file("promotion-dan.fabundle")], as: "ada")
        try sync.succeed(["import", sync.file("promotion-cara.fabundle")], as: "cara")
        try sync.succeed(["note", "--ref", "8.1", "Written by Cara as an auditor"], as: "cara")
        try sync.succeed(["vector", "-o", sync.file("ada.vector")], as: "ada")
        try sync.succeed(["export", "--since", sync.file("ada.vector"), "-o", sync.file("cara.fabundle")], as: "cara")
        // (alone, on a copy of Dan's laptop: refused for Cara's standing, the fork's proof kept)
        try FileManager.default.copyItem(atPath: sync.file("dan"), toPath: sync.file("dan-alone"))
        let alone = try sync.cli.run(["import", sync.file("cara.fabundle")], store: sync.file("dan-alone"))
        #expect(alone.status == 77, "\(alone.stderr)")
        #expect(alone.stderr.contains("One thing from it was kept") && alone.stderr.contains("signed two different histories with one key"), "\(alone.stderr)")

        // When Dan imports Cara's bundle before the promotion, in one command
        let result = try sync.cli.run(["import", sync.file("cara.fabundle"), sync.file("promotion-dan.fabundle")], store: sync.file("dan"))

        // Then both import: Ben's key is set aside from the fork on, and Cara's work is in
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("cara.fabundle") && result.stdout.contains("promotion-dan.fabundle"), "\(result.stdout)")
        #expect(result.stderr.contains("signed two different histories with one key"), "\(result.stderr)")
        #expect(try sync.succeed(["search", "auditor"], as: "dan").contains("Written by Cara"))
        #expect(try sync.succeed(["verify"], as: "dan").contains("its history is forked"))
    }
}

/// A bundle refused for its author's standing, imported with the founding lead's bundle that changes that standing.
struct StaleRosterCommandTests {
    let sync = SyncCommandTests()

    @Test func aPromotedMembersWorkImportsWithThePromotionGivenAfterIt() throws {
        // Given Ada's engagement with Ben as an observer and Cara as an auditor, both holding the kickoff
        for (who, name) in [("ada", "Ada Lead"), ("ben", "Ben Observer"), ("cara", "Cara Auditor")] {
            try sync.succeed(["init", "--name", name], as: who)
            try sync.succeed(["whoami", "--card", "-o", sync.file("\(who).card.json")], as: who)
        }
        try sync.succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd"], as: "ada")
        try sync.succeed(["team", "add", sync.file("ben.card.json"), "--role", "observer"], as: "ada")
        try sync.succeed(["team", "add", sync.file("cara.card.json"), "--role", "auditor"], as: "ada")
        for who in ["ben", "cara"] {
            try sync.succeed(["export", "--for", sync.file("\(who).card.json"), "-o", sync.file("kickoff-\(who).fabundle")], as: "ada")
            try sync.succeed(["trust", sync.file("ada.card.json")], as: who)
            try sync.succeed(["import", sync.file("kickoff-\(who).fabundle")], as: who)
        }
        // Ada promotes Ben; Ben learns of it and writes a note; his bundle carries only his own changes
        try sync.succeed(["team", "add", sync.file("ben.card.json"), "--role", "auditor"], as: "ada")
        try sync.succeed(["export", "--for", sync.file("ben.card.json"), "-o", sync.file("promotion-ben.fabundle")], as: "ada")
        try sync.succeed(["export", "--for", sync.file("cara.card.json"), "-o", sync.file("promotion-cara.fabundle")], as: "ada")
        try sync.succeed(["import", sync.file("promotion-ben.fabundle")], as: "ben")
        try sync.succeed(["note", "--ref", "5.1", "Written as an auditor"], as: "ben")
        try sync.succeed(["vector", "-o", sync.file("ada.vector")], as: "ada")
        try sync.succeed(["export", "--since", sync.file("ada.vector"), "-o", sync.file("ben-note.fabundle")], as: "ben")

        // When Cara imports Ben's bundle alone: refused, naming his role as she knows it and what to do
        let alone = try sync.cli.run(["import", sync.file("ben-note.fabundle")], store: sync.file("cara"))
        #expect(alone.status == 77)
        #expect(alone.stderr.contains("its author is an observer") && alone.stderr.contains("import the lead's latest bundle first"))

        // Then given with the promotion, after it on the command line, both import
        let together = try sync.succeed(["import", sync.file("ben-note.fabundle"), sync.file("promotion-cara.fabundle")], as: "cara")
        #expect(together.contains("ben-note.fabundle") && together.contains("promotion-cara.fabundle"))
        #expect(try sync.succeed(["search", "auditor"], as: "cara").contains("note"))
    }
}
