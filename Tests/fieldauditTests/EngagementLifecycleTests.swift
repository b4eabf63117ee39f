import Foundation
import TestSupport
import Testing

/// Closing that states only what is true, late changes decided one by one, reopening, and the
/// lead resolving after closing, through the built binary.
struct EngagementLifecycleTests {
    let session = Stage2SessionTests()

    func succeed(_ arguments: [String]) throws -> String { try session.succeed(arguments) }

    @Test func closingSaysWhatIsNotCoveredAndRefusesCertifyWithoutAJustification() throws {
        try session.runSession()
        let before = try session.run(["verify", "--json"]).stdout
        let refused = try session.run(["engagement", "close"])
        #expect(refused.status == 65)
        #expect(refused.stdout.contains("mandatory clauses not examined") && refused.stdout.contains("4.1, 4.2"))
        #expect(refused.stdout.contains("open minor nonconformities") && refused.stdout.contains("1: A.6.2.8"))
        #expect(refused.stderr.contains("the record does not support recommending 'certify'") && refused.stderr.contains("mandatory clauses were not examined"))
        #expect(refused.stderr.contains("--justification TEXT"))
        #expect(try session.run(["verify", "--json"]).stdout == before, "a refused closing writes nothing")

        let early = try session.run(["engagement", "close", "--justification", "x", "--surveillance", "2026-12-03"])
        #expect(early.status == 65 && early.stderr.contains("after the audit's last day"))

        let closed = try succeed([
            "engagement", "close", "--justification", "Clauses 4 and 8 were examined in full at Stage 1 (report S1-2026-114)",
            "--surveillance", "2027-11-30",
        ])
        #expect(closed.contains("recommendation: Certify (justified); signed by you"))
        let report = try succeed(["report"])
        #expect(report.contains("Clauses 4 and 8 were examined in full at Stage 1 (report S1-2026-114)"))
        #expect(report.contains("surveillance audit proposed for 2027-11-30"))
        #expect(report.contains("signed by Ada Lead, lead auditor, on"))
        #expect(report.contains("## 4. Audit plan") && report.contains("Northbridge Certification Ltd"))
    }

    @Test func aClosedEngagementTellsTheLeadHowToReopenAndReopeningIsReported() throws {
        try session.runSession()
        _ = try succeed(["engagement", "close", "--recommendation", "certify-after-closure"])
        let note = try session.run(["note", "one more thing"])
        #expect(note.status == 77)
        #expect(note.stderr.contains("fieldaudit engagement reopen --reason") && !note.stderr.contains("Ask the lead"))
        let missing = try session.run(["engagement", "reopen"])
        #expect(missing.status == 64)
        _ = try succeed(["engagement", "reopen", "--reason", "The auditee sent the missing training records"])
        _ = try succeed(["note", "--ref", "7.2", "Training records received after the visit"])
        let reopened = try succeed(["report"])
        #expect(reopened.contains("Draft: the engagement is open") && reopened.contains("The auditee sent the missing training records"))
        #expect(reopened.contains("not signed: the lead reopened the engagement"))
        _ = try succeed(["engagement", "close", "--recommendation", "certify-after-closure"])
        let final = try succeed(["report"])
        #expect(final.contains("signed by Ada Lead, lead auditor") && final.contains("### Reopenings"))
        #expect(try session.run(["engagement", "reopen", "--reason", "again"]).status == 0)
        #expect(try session.run(["engagement", "reopen", "--reason", "twice"]).status == 65, "an open engagement is not reopened")
    }

    @Test func theLeadAcceptsAndRejectsLateChangesOneByOneAndTheCentralAgrees() throws {
        let team = SyncCommandTests()
        try team.kickoff()
        try team.succeed(["finding", "raise", "--grade", "ofi", "--ref", "7.2", "--statement", "Track training"], as: "ben")
        try team.succeed(["export", "--for", team.file("ada.card.json"), "--no-encrypt", "-o", team.file("ben-1.fabundle")], as: "ben")
        try team.succeed(["import", team.file("ben-1.fabundle")], as: "lead")
        let finding = try #require(try team.succeed(["finding", "list"], as: "lead").firstMatch(of: /([0-9a-f]{8})/)).1
        // Concurrently: the lead rewords the finding and closes; Ben, not knowing, rewords it too and raises another.
        try team.succeed(["finding", "edit", String(finding), "--statement", "Track completion of training"], as: "lead")
        try team.succeed(["engagement", "close", "--recommendation", "certify", "--justification", "Small scope, examined at Stage 1"], as: "lead")
        try team.succeed(["finding", "edit", String(finding), "--statement", "Track training for all ML staff"], as: "ben")
        try team.succeed(["note", "--ref", "7.2", "Written after closing, unaware"], as: "ben")
        try team.succeed(["export", "--for", team.file("ada.card.json"), "--no-encrypt", "-o", team.file("ben-2.fabundle")], as: "ben")
        try team.succeed(["import", team.file("ben-2.fabundle")], as: "lead")

        // The lead resolves the conflict the late edit made, although the engagement is closed.
        let resolved = try team.succeed(["resolve", String(finding), "statement", "--value", "Track completion of training for all ML staff"], as: "lead")
        #expect(resolved.contains("Resolved statement"))

        let late = try #require(try JSONSerialization.jsonObject(with: Data(team.succeed(["engagement", "late", "--json"], as: "lead").utf8)) as? [[String: Any]])
        let awaiting = late.filter { $0["decision"] == nil }.compactMap { $0["change"] as? String }
        #expect(awaiting.count == 1 + 3, "Ben's edit and his note's three fields; the lead's resolution was accepted as it was written")
        let edit = try #require(late.first { $0["field"] as? String == "statement" && $0["decision"] == nil }?["change"] as? String)
        let noteChanges = awaiting.filter { $0 != edit }
        let noReason = try team.cli.run(["engagement", "reject-late", edit], store: team.file("lead"))
        #expect(noReason.status == 64)
        #expect(try team.succeed(["engagement", "reject-late", edit, "--reason", "Superseded by the lead's resolution"], as: "lead").contains("Rejected 1 late change"))
        #expect(try team.succeed(["engagement", "accept-late"] + noteChanges, as: "lead").contains("Accepted \(noteChanges.count) late changes"))
        let unknown = try team.cli.run(["engagement", "accept-late", "deadbeef:99"], store: team.file("lead"))
        #expect(unknown.status == 65 && unknown.stderr.contains("deadbeef:99"))

        let listing = try team.succeed(["engagement", "late"], as: "lead")
        #expect(listing.contains("rejected") && listing.contains("Superseded by the lead's resolution") && !listing.contains("awaiting"))
        #expect(try team.succeed(["status", "--brief"], as: "lead").contains(/late\s+none/))
        let report = try team.succeed(["report"], as: "lead")
        #expect(report.contains("Changes after closing: the lead's decisions") && report.contains("rejected") && report.contains("Superseded by the lead"))
        #expect(report.contains("the lead's resolution of a conflict after closing"))
        #expect(report.contains("- **Rejected changes after closing:** statement set to “Track training for all ML staff” by Ben Auditor"))
        #expect(!report.contains("**Changes after closing:") && report.contains("Changes after closing awaiting the lead's decision:** none"))

        // The central receives the decisions as change records and shows the same.
        try team.succeed(["export", "--for", team.file("ben.card.json"), "--no-encrypt", "-o", team.file("lead-1.fabundle")], as: "lead")
        try team.succeed(["init", "--name", "Central"], as: "central")
        try team.succeed(["trust", team.file("ada.card.json")], as: "central")
        try team.succeed(["import", team.file("lead-1.fabundle"), team.file("ben-1.fabundle"), team.file("ben-2.fabundle")], as: "central")
        let engagement = try #require(try team.succeed(["engagement", "list"], as: "central").firstMatch(of: /([0-9a-f]{8})  Helix/)).1
        try team.succeed(["engagement", "use", String(engagement)], as: "central")
        #expect(try team.succeed(["engagement", "late", "--json"], as: "central") == team.succeed(["engagement", "late", "--json"], as: "lead"))
        #expect(try team.succeed(["verify"], as: "central").prefix(80) == team.succeed(["verify"], as: "lead").prefix(80))
    }
}

extension EngagementLifecycleTests {
    @Test func afterTheSiteVisitTheLeadDecidesLateChangesThroughTheCentralAndItShowsTheSame() throws {
        let service = ServiceTests()
        let (central, ada, ben) = try service.team()
        let cli = service.cli
        let server = try ServeProcess(cli: cli, store: central, log: service.file("serve.log"))
        defer { server.stop() }
        for store in [ada, ben] { try cli.succeed(["remote", "add", "central", server.url, "--yes"], store: store) }
        try cli.succeed(["sync"], store: ada)
        try cli.succeed(["sync"], store: ben)
        let engagement = String(try #require(try cli.succeed(["engagement", "list"], store: ben).firstMatch(of: /([0-9a-f]{8})  Helix/)).1)
        for store in [ben, central] { try cli.succeed(["engagement", "use", engagement], store: store) }

        try cli.succeed(["engagement", "close", "--recommendation", "certify-after-closure"], store: ada)
        try cli.succeed(["sync"], store: ada)
        try cli.succeed(["note", "--ref", "7.2", "Written on the train home, before syncing"], store: ben)
        try cli.succeed(["sync"], store: ben)
        try cli.succeed(["sync"], store: ada)
        let late = try #require(try JSONSerialization.jsonObject(with: Data(cli.succeed(["engagement", "late", "--json"], store: ada).utf8)) as? [[String: Any]])
        let changes = late.compactMap { $0["change"] as? String }
        #expect(changes.count == 3, "the note's three fields")
        try cli.succeed(["engagement", "reject-late"] + changes + ["--reason", "Not part of the audit evidence"], store: ada)
        try cli.succeed(["sync"], store: ada)

        #expect(try cli.succeed(["engagement", "late", "--json"], store: central) == cli.succeed(["engagement", "late", "--json"], store: ada))
        let report = try cli.succeed(["report"], store: central)
        #expect(report.contains("Changes after closing: the lead's decisions") && report.contains("Not part of the audit evidence"))
        #expect(try service.digest(central) == service.digest(ada))
        #expect(server.stop() == 0)
    }
}
