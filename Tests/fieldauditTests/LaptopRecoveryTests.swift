import Foundation
import TestSupport
import Testing

/// The laptop an auditor loses: bundles that leave it are sealed by default, a replica is rebuilt
/// from a teammate's or the central's bundle (with its backed-up key, without forking its own
/// history), and a stolen copy's later bundles are refused everywhere while the work done before
/// the theft still verifies.
struct LaptopRecoveryTests: LaptopsInOneFolder {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-laptop")

    /// Ada's engagement with the named auditors on its team, each holding the kickoff.
    func kickoff(_ auditors: [String]) throws {
        for name in ["ada"] + auditors {
            try succeed(["init", "--name", name.capitalized], as: name)
            try succeed(["whoami", "--card", "-o", file("\(name).card.json")], as: name)
        }
        try succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd"], as: "ada")
        for name in auditors {
            try succeed(["team", "add", file("\(name).card.json"), "--role", "auditor"], as: "ada")
        }
        for name in auditors {
            try succeed(["export", "--for", file("\(name).card.json"), "-o", file("kickoff-\(name).fabundle")], as: "ada")
            try succeed(["trust", file("ada.card.json")], as: name)
            try succeed(["import", file("kickoff-\(name).fabundle")], as: name)
        }
    }

    /// Whether `bundle inspect --json` says the bundle is sealed.
    func isSealed(_ bundle: String) throws -> Bool {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try succeed(["bundle", "inspect", bundle, "--json"], as: "ada").utf8)) as? [String: Any])
        return try #require(json["sealed"] as? Bool)
    }

    @Test func anExportIsSealedForTheTeamAndThePeerUnlessNoEncryptIsAsked() throws {
        try kickoff(["ben"])
        try succeed(["note", "--ref", "5.1", "a confidential remark"], as: "ben")
        let summary = try succeed(["export", "--for", file("ada.card.json"), "-o", file("sealed.fabundle")], as: "ben")
        #expect(summary.contains("sealed for 2 recipients"))
        #expect(try isSealed(file("sealed.fabundle")))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file("sealed.fabundle")))
        #expect(bytes.range(of: Data("confidential".utf8)) == nil && bytes.range(of: Data("Helix".utf8)) == nil)

        // Someone who trusts Ben but is on no team cannot open it, and nothing changes there.
        try succeed(["init", "--name", "Eve"], as: "eve")
        try succeed(["whoami", "--card", "-o", file("eve.card.json")], as: "eve")
        try succeed(["trust", file("ben.card.json")], as: "eve")
        let refused = try run(["import", file("sealed.fabundle")], as: "eve")
        #expect(refused.status == 65 && refused.stderr.contains("not among the bundle's"), "\(refused.stderr)")
        #expect(try run(["log"], as: "eve").stdout.contains("confidential") == false)

        // The peer named by --for is a recipient even before any team lists it.
        try succeed(["export", "--for", file("eve.card.json"), "-o", file("for-eve.fabundle")], as: "ben")
        #expect(try isSealed(file("for-eve.fabundle")))
        try succeed(["import", file("for-eve.fabundle")], as: "eve")

        // --no-encrypt writes a bundle anyone holding it can read; the lead imports either.
        let plain = try succeed(["export", "--for", file("ada.card.json"), "--no-encrypt", "-o", file("plain.fabundle")], as: "ben")
        #expect(plain.contains("not sealed"))
        #expect(try isSealed(file("plain.fabundle")) == false)
        #expect(try succeed(["import", file("sealed.fabundle"), file("plain.fabundle")], as: "ada").contains("new changes"))
        #expect(try succeed(["search", "confidential"], as: "ada").contains("a [confidential] remark"))
    }

    @Test func aReplicaRestoredWithItsBackedUpKeyContinuesItsHistoryWithoutForkingIt() throws {
        try kickoff(["ben"])
        try succeed(["note", "--ref", "5.1", "first day remark"], as: "ben")
        try succeed(["export", "--for", file("ada.card.json"), "-o", file("ben-day1.fabundle")], as: "ben")
        try succeed(["import", file("ben-day1.fabundle")], as: "ada")
        let benID = try #require(try succeed(["whoami"], as: "ben").firstMatch(of: /[0-9a-f]{32}/)).0
        // Ben kept a copy of his key; then the laptop broke.
        let backup = file("backup.key")
        try FileManager.default.copyItem(atPath: file("ben") + "/identity.key", toPath: backup)
        try FileManager.default.removeItem(atPath: file("ben"))

        // A backed-up key alone in an empty store would fork Ben's history: refused, nothing created.
        let alone = try run(["init", "--name", "Ben", "--key", backup], as: "ben")
        #expect(alone.status == 64 && alone.stderr.contains("--restore-from"), "\(alone.stderr)")
        #expect(!FileManager.default.fileExists(atPath: file("ben")))
        // So is a bundle that does not carry Ben's own changes (an ordinary export for Ben).
        try succeed(["export", "--for", file("ben.card.json"), "-o", file("no-own.fabundle")], as: "ada")
        let withoutOwn = try run(["init", "--name", "Ben", "--key", backup, "--trust", file("ada.card.json"), "--restore-from", file("no-own.fabundle")], as: "ben")
        #expect(withoutOwn.status == 65 && withoutOwn.stderr.contains("--all"), "\(withoutOwn.stderr)")
        #expect(!FileManager.default.fileExists(atPath: file("ben")))

        // The lead's `export --all` for Ben carries Ben's own chain back: restored, same id.
        try succeed(["export", "--for", file("ben.card.json"), "--all", "-o", file("restore-ben.fabundle")], as: "ada")
        // A restore that fails (here: the lead's card not trusted) leaves no replica behind.
        let untrusted = try run(["init", "--name", "Ben", "--key", backup, "--restore-from", file("restore-ben.fabundle")], as: "ben")
        #expect(untrusted.status == 77 && untrusted.stderr.contains("fieldaudit trust"), "\(untrusted.stderr)")
        #expect(!FileManager.default.fileExists(atPath: file("ben")))
        let restored = try succeed(["init", "--name", "Ben", "--key", backup, "--trust", file("ada.card.json"), "--restore-from", file("restore-ben.fabundle")], as: "ben")
        #expect(restored.contains("Restored replica \(benID)"), "\(restored)")
        #expect(try succeed(["search", "remark"], as: "ben").contains("first day [remark]"))

        // Ben's next change continues his chain: the lead accepts it, and both agree.
        try succeed(["note", "--ref", "5.2", "second day remark"], as: "ben")
        try succeed(["export", "--for", file("ada.card.json"), "-o", file("ben-day2.fabundle")], as: "ben")
        try succeed(["import", file("ben-day2.fabundle")], as: "ada")
        #expect(try succeed(["search", "second"], as: "ada").contains("[second] day remark"))
        #expect(try succeed(["verify"], as: "ada").prefix(80) == (try succeed(["verify"], as: "ben").prefix(80)))
    }

    @Test func aStoreFolderRestoredFromAnOlderBackupCatchesUpWithTheLeadsExportAll() throws {
        try kickoff(["ben"])
        try FileManager.default.copyItem(atPath: file("ben"), toPath: file("ben-backup"))
        try succeed(["note", "--ref", "5.1", "after the backup"], as: "ben")
        try succeed(["export", "--for", file("ada.card.json"), "-o", file("ben-day1.fabundle")], as: "ben")
        try succeed(["import", file("ben-day1.fabundle")], as: "ada")
        // The laptop breaks; its folder comes back from the older backup.
        try FileManager.default.removeItem(atPath: file("ben"))
        try FileManager.default.moveItem(atPath: file("ben-backup"), toPath: file("ben"))
        #expect(try succeed(["search", "backup"], as: "ben").contains("[backup]") == false)

        // Had Ben written first, his history would fork: the lead's bundle says so, and is refused.
        try FileManager.default.copyItem(atPath: file("ben"), toPath: file("ben-forked"))
        try cli.succeed(["note", "--ref", "5.1", "written too early"], store: file("ben-forked"))
        try succeed(["export", "--for", file("ben.card.json"), "--all", "-o", file("catch-up.fabundle")], as: "ada")
        let forked = try cli.run(["import", file("catch-up.fabundle")], store: file("ben-forked"))
        #expect(forked.status == 65 && forked.stderr.contains("your history has forked") && forked.stderr.contains("--restore-from"), "\(forked.stderr)")

        // Before writing, Ben imports the lead's `export --all`: his later changes come back.
        try succeed(["import", file("catch-up.fabundle")], as: "ben")
        #expect(try succeed(["search", "backup"], as: "ben").contains("after the [backup]"))
        try succeed(["note", "--ref", "5.2", "caught up"], as: "ben")
        try succeed(["export", "--for", file("ada.card.json"), "-o", file("ben-day2.fabundle")], as: "ben")
        try succeed(["import", file("ben-day2.fabundle")], as: "ada")
        #expect(try succeed(["search", "caught"], as: "ada").contains("[caught] up"))
    }

    /// Ada's engagement filed with a central served on 127.0.0.1, Ben on its team, both synced
    /// once and Ben working in it; the caller stops the server.
    func adaAndBenSyncingWithACentral() throws -> ServeProcess {
        for (who, name) in [("central", "Central"), ("ada", "Ada"), ("ben", "Ben")] {
            try succeed(["init", "--name", name], as: who)
            try succeed(["whoami", "--card", "-o", file("\(who).card.json")], as: who)
        }
        try succeed(["trust", file("ada.card.json")], as: "central")
        try succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd"], as: "ada")
        try succeed(["team", "add", file("ben.card.json"), "--role", "auditor"], as: "ada")
        try succeed(["engagement", "file", "--central", file("central.card.json")], as: "ada")
        try succeed(["trust", file("ada.card.json")], as: "ben")
        let server = try ServeProcess(cli: cli, store: file("central"), log: file("serve.log"))
        do {
            for who in ["ada", "ben"] {
                try succeed(["remote", "add", "central", server.url, "--yes"], as: who)
                try succeed(["sync"], as: who)
            }
            let engagement = try #require(try succeed(["engagement", "list"], as: "ben").firstMatch(of: /([0-9a-f]{8})  Helix/)).1
            try succeed(["engagement", "use", String(engagement)], as: "ben")
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    /// Ben's restored store syncs its own later changes back from the central, writes, and Ada
    /// receives what he wrote.
    func syncBackAndContinue() throws {
        try succeed(["sync"], as: "ben")
        #expect(try succeed(["search", "backup"], as: "ben").contains("after the [backup]"))
        try succeed(["note", "--ref", "5.2", "caught up"], as: "ben")
        let pushed = try succeed(["sync"], as: "ben")
        #expect(pushed.firstMatch(of: /pushed [1-9][0-9]* changes/) != nil, "\(pushed)")
        try succeed(["sync"], as: "ada")
        #expect(try succeed(["search", "caught"], as: "ada").contains("[caught] up"))
    }

    @Test func aStoreFolderRestoredFromAnOlderBackupCatchesUpOnSyncWithTheCentral() throws {
        let server = try adaAndBenSyncingWithACentral()
        defer { server.stop() }
        try FileManager.default.copyItem(atPath: file("ben"), toPath: file("ben-backup"))
        try succeed(["note", "--ref", "5.1", "after the backup"], as: "ben")
        try succeed(["sync"], as: "ben")
        try FileManager.default.removeItem(atPath: file("ben"))
        try FileManager.default.moveItem(atPath: file("ben-backup"), toPath: file("ben"))
        #expect(try succeed(["search", "backup"], as: "ben").contains("[backup]") == false)

        // The next sync brings Ben's own later changes back; his next change continues the chain.
        try syncBackAndContinue()
        #expect(server.stop() == 0)
    }

    @Test func aStoreRestoredFromAnOlderBackupThatABundleShowsBehindWritesNothingUntilItCatchesUp() throws {
        try kickoff(["ben", "cara"])
        try FileManager.default.copyItem(atPath: file("ben"), toPath: file("ben-backup"))
        // After the backup, Ben's first note reaches the lead with his vector, his second only
        // Cara, who passes it on.
        try succeed(["note", "--ref", "5.1", "sent to the lead"], as: "ben")
        try send("ben", to: "ada", "ben-day1.fabundle")
        try succeed(["vector", "-o", file("ben-day1.vector.json")], as: "ben")
        try succeed(["note", "--ref", "5.1", "sent to Cara"], as: "ben")
        try send("ben", to: "cara", "ben-to-cara.fabundle")
        try send("cara", to: "ada", "cara-day1.fabundle")
        // The laptop breaks; its folder comes back from the backup, behind Ben's own history.
        try FileManager.default.removeItem(atPath: file("ben"))
        try FileManager.default.moveItem(atPath: file("ben-backup"), toPath: file("ben"))
        let before = try succeed(["verify"], as: "ben")

        // The lead sends Ben his own changes beyond the vector he sent on day 1: the bundle holds
        // Ben's second note past the restored store's gap, under Ben's own checkpoint. Refused,
        // saying the store is behind, and nothing imported.
        try succeed(["export", "--for", file("ben.card.json"), "--all", "--since", file("ben-day1.vector.json"), "-o", file("ada-day2.fabundle")], as: "ada")
        let refused = try run(["import", file("ada-day2.fabundle")], as: "ben")
        #expect(refused.status == 65, "\(refused.status) \(refused.stderr)")
        #expect(refused.stderr.contains("holds your own changes up to seq") && refused.stderr.contains("Ada")
                && refused.stderr.contains("--all") && refused.stderr.contains("Nothing was imported"), "\(refused.stderr)")
        // Ben's next write would fork his history: refused, naming who holds it and what to do.
        for command in [["note", "--ref", "5.2", "written too early"], ["system", "add", "--name", "TriageNet", "--role", "provider", "--risk", "high"]] {
            let early = try run(command, as: "ben")
            #expect(early.status == 77, "\(command): \(early.status) \(early.stderr)")
            #expect(early.stderr.contains("behind its own history held by Ada") && early.stderr.contains("fieldaudit sync"), "\(early.stderr)")
        }
        #expect(try succeed(["verify"], as: "ben") == before)
        #expect(try succeed(["status"], as: "ben").isEmpty == false)

        // The lead's `export --all` brings Ben to his head: the refused bundle then imports, and
        // Ben writes again, continuing his chain; the lead sees no fork.
        try succeed(["export", "--for", file("ben.card.json"), "--all", "-o", file("catch-up.fabundle")], as: "ada")
        try succeed(["import", file("catch-up.fabundle"), file("ada-day2.fabundle")], as: "ben")
        let found = try succeed(["search", "sent"], as: "ben")
        #expect(found.contains("[sent] to the lead") && found.contains("[sent] to Cara"), "\(found)")
        try succeed(["note", "--ref", "5.2", "caught up"], as: "ben")
        try send("ben", to: "ada", "ben-day2.fabundle")
        #expect(try succeed(["search", "caught"], as: "ada").contains("[caught] up"))
        #expect(try succeed(["status"], as: "ada").contains("forked") == false)
        #expect(try succeed(["verify"], as: "ada").prefix(80) == (try succeed(["verify"], as: "ben").prefix(80)))
    }

    @Test func aStoreRestoredFromAnOlderBackupLearnsItIsBehindFromAnOrdinaryBundleForItAndWritesNothingUntilItCatchesUp() throws {
        try kickoff(["ben", "cara"])
        try succeed(["note", "--ref", "5.3", "Cara's first remark"], as: "cara")
        try send("cara", to: "ada", "cara-day1.fabundle")
        try FileManager.default.copyItem(atPath: file("ben"), toPath: file("ben-backup"))
        try succeed(["note", "--ref", "5.1", "after the backup"], as: "ben")
        try send("ben", to: "ada", "ben-day1.fabundle")
        // The laptop breaks; its folder comes back from the older backup.
        try FileManager.default.removeItem(atPath: file("ben"))
        try FileManager.default.moveItem(atPath: file("ben-backup"), toPath: file("ben"))

        // The lead's ordinary bundle for Ben carries none of Ben's changes, but Ben's own newest
        // checkpoint: it imports, and says the store is behind.
        try succeed(["note", "--ref", "5.1", "the lead remark"], as: "ada")
        try succeed(["export", "--for", file("ben.card.json"), "-o", file("ada-day2.fabundle")], as: "ada")
        let inspected = try succeed(["bundle", "inspect", file("ada-day2.fabundle")], as: "ada")
        #expect(inspected.contains("whose own history the exporter holds up to seq"), "\(inspected)")
        let imported = try run(["import", file("ada-day2.fabundle")], as: "ben")
        #expect(imported.status == 0, "\(imported.status) \(imported.stderr)")
        #expect(imported.stderr.contains("holds your own changes up to seq") && imported.stderr.contains("Ada")
                && imported.stderr.contains("--all") && imported.stderr.contains("fieldaudit sync"), "\(imported.stderr)")
        #expect(try succeed(["search", "lead"], as: "ben").contains("the [lead] remark"))
        let before = try succeed(["verify"], as: "ben")
        let early = try run(["note", "--ref", "5.2", "written too early"], as: "ben")
        #expect(early.status == 77, "\(early.status) \(early.stderr)")
        #expect(early.stderr.contains("behind its own history held by Ada") && early.stderr.contains("--all"), "\(early.stderr)")
        #expect(try succeed(["verify"], as: "ben") == before)

        // Cara imports the same kind of bundle, carrying her own checkpoint at her head: unaffected.
        try succeed(["note", "--ref", "5.1", "the lead second remark"], as: "ada")
        try succeed(["export", "--for", file("cara.card.json"), "-o", file("ada-to-cara.fabundle")], as: "ada")
        let forCara = try run(["import", file("ada-to-cara.fabundle")], as: "cara")
        #expect(forCara.status == 0 && forCara.stderr.contains("behind") == false, "\(forCara.stderr)")
        try succeed(["note", "--ref", "5.3", "Cara writes on"], as: "cara")

        // The lead's `export --all` brings Ben to his head; he writes again, with no fork.
        try succeed(["export", "--for", file("ben.card.json"), "--all", "-o", file("catch-up.fabundle")], as: "ada")
        let caughtUp = try run(["import", file("catch-up.fabundle")], as: "ben")
        #expect(caughtUp.status == 0 && caughtUp.stderr.contains("behind") == false, "\(caughtUp.stderr)")
        #expect(try succeed(["search", "backup"], as: "ben").contains("after the [backup]"))
        try succeed(["note", "--ref", "5.2", "caught up"], as: "ben")
        try succeed(["verify"], as: "ben")
        let toLead = try run(["export", "--for", file("ada.card.json"), "-o", file("ben-day2.fabundle")], as: "ben")
        #expect(toLead.status == 0, "\(toLead.stderr)")
        let back = try run(["import", file("ben-day2.fabundle")], as: "ada")
        #expect(back.status == 0 && back.stdout.contains("forked") == false, "\(back.stdout) \(back.stderr)")
        #expect(try succeed(["search", "caught"], as: "ada").contains("[caught] up"))
        #expect(try succeed(["status"], as: "ada").contains("forked") == false)
        #expect(try succeed(["verify"], as: "ada").prefix(80) == (try succeed(["verify"], as: "ben").prefix(80)))
    }

    @Test func aStoreRestoredFromAnOlderBackupThatTheCentralShowsBehindWritesNothingUntilSyncCatchesItUp() throws {
        let server = try adaAndBenSyncingWithACentral()
        defer { server.stop() }
        try FileManager.default.copyItem(atPath: file("ben"), toPath: file("ben-backup"))
        for text in ["after the backup", "and more of it"] {
            try succeed(["note", "--ref", "5.1", text], as: "ben")
        }
        try succeed(["sync"], as: "ben")
        try FileManager.default.removeItem(atPath: file("ben"))
        try FileManager.default.moveItem(atPath: file("ben-backup"), toPath: file("ben"))

        // A sync whose pull fails (here: a limit too small for it) still learns from the central's
        // answer that it holds more of Ben's own history: Ben's writes are refused until he syncs.
        let cut = try run(["sync", "--max-pull", "64"], as: "ben")
        #expect(cut.status != 0, "\(cut.stdout)")
        let early = try run(["note", "--ref", "5.2", "written too early"], as: "ben")
        #expect(early.status == 77 && early.stderr.contains("behind its own history held by"), "\(early.status) \(early.stderr)")
        #expect(try succeed(["search", "early"], as: "ben").contains("early") == false)

        // The next sync brings Ben to his head; his next change continues the chain.
        try syncBackAndContinue()
        #expect(try succeed(["status"], as: "ada").contains("forked") == false)
        #expect(server.stop() == 0)
    }

    @Test func aStolenLaptopsLaterBundleIsRefusedEverywhereAndTheEarlierWorkStillVerifies() throws {
        try kickoff(["ben", "cara"])
        try succeed(["note", "--ref", "5.1", "before the theft"], as: "ben")
        try succeed(["export", "--for", file("ada.card.json"), "-o", file("ben-day1.fabundle")], as: "ben")
        try succeed(["import", file("ben-day1.fabundle")], as: "ada")
        // Ben's last bundle before the theft reached Cara only.
        try succeed(["note", "--ref", "5.1", "only Cara has this"], as: "ben")
        try succeed(["export", "--for", file("cara.card.json"), "-o", file("ben-to-cara.fabundle")], as: "ben")
        try succeed(["import", file("ben-to-cara.fabundle")], as: "cara")
        let benID = try #require(try succeed(["whoami"], as: "ben").firstMatch(of: /[0-9a-f]{32}/)).0
        let caraVector = try #require(try JSONSerialization.jsonObject(with: Data(try succeed(["vector", "-o", "-"], as: "cara").utf8)) as? [String: Any])
        let benHead = try #require((caraVector["vector"] as? [String: Any])?[String(benID)] as? Int)
        // The laptop is stolen with its store and key.
        try FileManager.default.moveItem(atPath: file("ben"), toPath: file("thief"))

        // Ben: a new replica (a new key); the lead swaps the cards and sends Ben the engagement.
        try succeed(["init", "--name", "Ben"], as: "ben2")
        try succeed(["whoami", "--card", "-o", file("ben2.card.json")], as: "ben2")
        // Keeping fewer of Ben's changes than the lead holds would break every bundle carrying them.
        let fewer = try run(["team", "remove", file("ben.card.json"), "--after", "0"], as: "ada")
        #expect(fewer.status == 65 && fewer.stderr.contains("keep at least those"), "\(fewer.stderr)")
        // The lead keeps what Cara holds of Ben's valid: through the seq Cara's vector names.
        try succeed(["team", "remove", file("ben.card.json"), "--after", String(benHead)], as: "ada")
        try succeed(["team", "add", file("ben2.card.json"), "--role", "auditor"], as: "ada")
        try succeed(["export", "--for", file("ben2.card.json"), "-o", file("restore-ben2.fabundle")], as: "ada")
        try succeed(["trust", file("ada.card.json")], as: "ben2")
        try succeed(["import", file("restore-ben2.fabundle")], as: "ben2")
        #expect(try succeed(["search", "theft"], as: "ben2").contains("before the [theft]"))
        try succeed(["export", "--for", file("cara.card.json"), "-o", file("team-cara.fabundle")], as: "ada")
        try succeed(["import", file("team-cara.fabundle")], as: "cara")

        // The thief writes with the old key and sends a bundle anyone may read: refused everywhere.
        try succeed(["note", "--ref", "5.1", "forged after the theft"], as: "thief")
        try succeed(["export", "--for", file("ada.card.json"), "--no-encrypt", "-o", file("stolen.fabundle")], as: "thief")
        for who in ["ada", "cara", "ben2"] {
            let refused = try run(["import", file("stolen.fabundle")], as: who)
            #expect(refused.status == 77, "\(who): \(refused.status) \(refused.stderr)")
            #expect(try succeed(["search", "forged"], as: who).contains("forged") == false)
        }

        // Ben's work from before the theft, under the old key, still verifies; so does the new key's.
        try succeed(["note", "--ref", "5.2", "after the theft"], as: "ben2")
        try succeed(["export", "--for", file("ada.card.json"), "-o", file("ben2-day2.fabundle")], as: "ben2")
        try succeed(["import", file("ben2-day2.fabundle")], as: "ada")
        let found = try succeed(["search", "theft"], as: "ada")
        #expect(found.contains("before the [theft]") && found.contains("after the [theft]"))
        #expect(try run(["verify"], as: "ada").status == 0)
        #expect(try run(["verify"], as: "cara").status == 0)
        // Cara's copy of Ben's last pre-theft bundle stays valid: her bundle to the lead imports.
        try succeed(["export", "--for", file("ada.card.json"), "-o", file("cara-day1.fabundle")], as: "cara")
        try succeed(["import", file("cara-day1.fabundle")], as: "ada")
        #expect(try succeed(["search", "Cara"], as: "ada").contains("only [Cara] has this"))
    }
}
