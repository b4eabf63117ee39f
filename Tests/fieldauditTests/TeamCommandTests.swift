import Foundation
import TestSupport
import Testing

/// `team add` and `team remove` as users type them: the team always keeps a lead, a card already
/// on the team changes nothing unless a role is asked for, and a change peers would refuse is
/// refused on the author's own laptop.
struct TeamCommandTests: LaptopsInOneFolder {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-team")

    /// Replicas for the names given, each with its card in `NAME.card.json`, and Ada's engagement.
    func team(_ names: [String]) throws {
        for name in ["ada"] + names {
            try succeed(["init", "--name", name.capitalized], as: name)
            try succeed(["whoami", "--card", "-o", file("\(name).card.json")], as: name)
        }
        try succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd"], as: "ada")
    }

    /// The role `team list` shows for a name on Ada's replica.
    func role(of name: String, as who: String = "ada") throws -> String? {
        let list = try #require(try JSONSerialization.jsonObject(with: Data(try succeed(["team", "list", "--json"], as: who).utf8)) as? [[String: Any]])
        return list.first { $0["name"] as? String == name }?["role"] as? String
    }

    @Test func theLeadFollowingTheInitHintCannotLockTheTeamOut() throws {
        let created = try cli.run(["init", "--name", "Ada"], store: file("ada"))
        #expect(created.stdout.contains("you are on its team as lead") && created.stdout.contains("never your own"))
        try succeed(["whoami", "--card", "-o", file("ada.card.json")], as: "ada")
        try succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd"], as: "ada")

        // Adding one's own card says so and changes nothing;
        #expect(try succeed(["team", "add", file("ada.card.json")], as: "ada").contains("already on the team as lead; nothing changed"))
        // demoting or removing the last lead is refused, saying how to go on;
        let demoted = try run(["team", "add", file("ada.card.json"), "--role", "auditor"], as: "ada")
        #expect(demoted.status == 77 && demoted.stderr.contains("without a lead") && demoted.stderr.contains("--role lead"))
        #expect(try run(["team", "remove", file("ada.card.json")], as: "ada").status == 77)
        #expect(try role(of: "Ada") == "lead")
        // and the lead can still do a lead's work.
        let raised = try succeed(["finding", "raise", "--grade", "ofi", "--ref", "7.2", "--statement", "Track training"], as: "ada")
        let finding = try #require(raised.firstMatch(of: /([0-9a-f]{8}) against/)).1
        try succeed(["finding", "sign-off", String(finding)], as: "ada")
        try succeed(["engagement", "close", "--justification", "Examined at Stage 1"], as: "ada")
    }

    @Test func aCardAlreadyOnTheTeamChangesNothingUnlessARoleIsAskedFor() throws {
        try team(["ben"])
        let ben = file("ben.card.json")
        #expect(try succeed(["team", "add", ben], as: "ada").contains("as auditor"))
        #expect(try succeed(["team", "add", ben], as: "ada").contains("already on the team as auditor; nothing changed"))
        #expect(try succeed(["team", "add", ben, "--role", "auditor"], as: "ada").contains("nothing changed"))
        #expect(try succeed(["team", "add", ben, "--role", "lead"], as: "ada").contains("was auditor, now lead"))
        #expect(try role(of: "Ben") == "lead")
        // With a second lead, the first may step down, but not both.
        try succeed(["team", "add", file("ada.card.json"), "--role", "auditor"], as: "ada")
        #expect(try run(["team", "add", ben, "--role", "expert"], as: "ada").status == 77)
        try succeed(["team", "add", file("ada.card.json"), "--role", "lead"], as: "ada")
        // A removed member added again is back on the team.
        try succeed(["team", "remove", ben], as: "ada")
        #expect(try role(of: "Ben") == nil)
        #expect(try succeed(["team", "add", ben], as: "ada").contains("Added"))
        #expect(try role(of: "Ben") == "auditor")
    }

    @Test func aPromotedLeadsTeamChangeIsRefusedOnTheirOwnLaptopAndTheirBundlesStillImport() throws {
        try team(["ben", "cara"])
        try succeed(["team", "add", file("ben.card.json"), "--role", "lead"], as: "ada")
        try succeed(["export", "--for", file("ben.card.json"), "-o", file("kickoff.fabundle")], as: "ada")
        try succeed(["trust", file("ada.card.json")], as: "ben")
        try succeed(["import", file("kickoff.fabundle")], as: "ben")
        let engagement = try #require(try succeed(["engagement", "list"], as: "ben").firstMatch(of: /([0-9a-f]{8})  Helix/)).1
        try succeed(["engagement", "use", String(engagement)], as: "ben")
        let before = try succeed(["verify", "--json"], as: "ben")

        // Ben, a lead but not the founder, tries to change the team: refused at once, in the words
        // every peer would use, and nothing is written.
        let refused = try run(["team", "add", file("cara.card.json")], as: "ben")
        #expect(refused.status == 77)
        #expect(refused.stderr.contains("changes the team, which only the engagement's founding lead may do; its author is a lead"))
        #expect(refused.stderr.contains("nothing was written"))
        #expect(try succeed(["verify", "--json"], as: "ben") == before)

        // What a lead may do, Ben does, and Ada accepts all of it.
        let raised = try succeed(["finding", "raise", "--grade", "ofi", "--ref", "7.2", "--statement", "Track training"], as: "ben")
        let finding = try #require(raised.firstMatch(of: /([0-9a-f]{8}) against/)).1
        try succeed(["finding", "sign-off", String(finding)], as: "ben")
        try succeed(["export", "--for", file("ada.card.json"), "-o", file("ben-day1.fabundle")], as: "ben")
        #expect(try succeed(["import", file("ben-day1.fabundle")], as: "ada").contains("new changes"))
    }
}
