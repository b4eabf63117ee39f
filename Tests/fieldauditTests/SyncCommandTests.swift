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
