import Foundation
import TestSupport
import Testing

/// Key rotation through the built binary, as the README's "A lost or broken laptop" has it: an
/// auditor's own rotation, and the lead's after a stolen laptop; the old key's later bundles are
/// refused with a clear message and everything before verifies.
struct KeyRotationCommandTests: LaptopsInOneFolder {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-keys")

    /// The replica id `whoami --json` shows.
    func replicaID(of who: String) throws -> String {
        try #require(try json(try succeed(["whoami", "--json"], as: who))["replicaID"] as? String)
    }

    @Test func anAuditorRotatesItsKeyAndWorksOnUnderItWithItsWorkAndItsAuthorship() throws {
        try adaAndBen()
        try succeed(["note", "--ref", "5.1", "before the rotation"], as: "ben")
        let recorded = try succeed(["test", "record", "A.6.2.8", "--method", "inspection", "--result", "conforming"], as: "ben")
        let test = try #require(recorded.firstMatch(of: /([0-9a-f]{8})/)).1
        let oldID = try replicaID(of: "ben")

        // Ben: one command; the bundle is signed with the old key, which retires itself.
        let rotated = try succeed(["key", "rotate", "--for", file("ada.card.json"), "-o", file("rotation.fabundle")], as: "ben")
        let newID = try replicaID(of: "ben")
        #expect(newID != oldID && rotated.contains(String(newID.prefix(8))) && rotated.contains("team rotate \(oldID)"), "\(rotated)")
        #expect(FileManager.default.fileExists(atPath: file("ben/identity-\(oldID).retired.key")))
        // Until the lead says so, the new key writes nothing (the roster's rule, locally too).
        let early = try run(["note", "--ref", "5.1", "too early"], as: "ben")
        #expect(early.status == 77, "\(early.stderr)")

        // Ada: import, then continue Ben under the key his record names; a later point than the
        // record's is not recorded, and she is told so.
        try succeed(["import", file("rotation.fabundle")], as: "ada")
        let continued = try succeed(["team", "rotate", file("ben.card.json"), "--after", "9999"], as: "ada")
        #expect(continued.contains("Ben continues as auditor") && continued.contains("its own rotation record") && !continued.contains("stay valid through seq 9999") && !continued.contains("up to seq 9999"), "\(continued)")
        #expect(continued.contains("Not through seq 9999 as asked: the key's own rotation record retired it after seq"), "\(continued)")
        try succeed(["export", "--for", newID, "-o", file("back.fabundle")], as: "ada")
        try succeed(["import", file("back.fabundle")], as: "ben")

        // Ben works on, and may still delete what he recorded under the old key.
        try succeed(["note", "--ref", "5.2", "after the rotation"], as: "ben")
        try succeed(["test", "delete", String(test), "--reason", "recorded twice"], as: "ben")
        let counts = try #require(try json(try succeed(["status", "--json"], as: "ben"))["counts"] as? [String: Any])
        #expect((counts["unexportedChanges"] as? Int ?? 0) > 0, "the new key's note and deletion are not exported yet: \(counts)")
        try succeed(["export", "--for", file("ada.card.json"), "-o", file("work.fabundle")], as: "ben")
        try succeed(["import", file("work.fabundle")], as: "ada")
        let team = try succeed(["team", "list"], as: "ada")
        #expect(team.contains(String(newID.prefix(8))), "\(team)")
        for who in ["ada", "ben"] {
            let verified = try run(["verify"], as: who)
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
            let found = try succeed(["search", "rotation"], as: who)
            #expect(found.contains("before the") && found.contains("after the"), "\(found)")
        }
    }

    @Test func afterAStolenLaptopTheLeadRotatesTheAuditorAndTheThiefsBundleIsRefused() throws {
        try adaAndBen()
        try succeed(["note", "--ref", "5.1", "before the theft"], as: "ben")
        try send("ben", to: "ada", "day1.fabundle")
        // The laptop is stolen with its store and key.
        try FileManager.default.moveItem(atPath: file("ben"), toPath: file("thief"))

        // Ben, on a new laptop: a new key; Ada continues him under it, retiring the old one.
        try succeed(["init", "--name", "Ben"], as: "ben2")
        try succeed(["whoami", "--card", "-o", file("ben2.card.json")], as: "ben2")
        let continued = try succeed(["team", "rotate", file("ben.card.json"), "--to", file("ben2.card.json")], as: "ada")
        #expect(continued.contains("continues as auditor") && !continued.contains("its own rotation record"), "\(continued)")
        try succeed(["export", "--for", file("ben2.card.json"), "-o", file("restore.fabundle")], as: "ada")
        try succeed(["trust", file("ada.card.json")], as: "ben2")
        try succeed(["import", file("restore.fabundle")], as: "ben2")
        try succeed(["note", "--ref", "5.2", "on the new laptop"], as: "ben2")

        // The thief writes with the old key; its bundle is refused, saying why, and changes nothing.
        try succeed(["note", "--ref", "5.3", "written by the thief"], as: "thief")
        try succeed(["export", "--for", file("ada.card.json"), "-o", file("thief.fabundle")], as: "thief")
        let before = try succeed(["verify"], as: "ada")
        let refused = try run(["import", file("thief.fabundle")], as: "ada")
        #expect(refused.status == 77, "\(refused.stderr)")
        #expect(refused.stderr.contains("retired key") && refused.stderr.contains("stolen"), "\(refused.stderr)")
        #expect(try succeed(["verify"], as: "ada") == before, "state unchanged, earlier work verifies")
        // Ben's earlier work, signed with the old key, and his new work travel on together.
        try succeed(["export", "--for", file("ada.card.json"), "-o", file("ben2-work.fabundle")], as: "ben2")
        try succeed(["import", file("ben2-work.fabundle")], as: "ada")
        let found = try succeed(["search", "the"], as: "ada")
        #expect(found.contains("theft") && found.contains("new laptop") && !found.contains("thief"), "\(found)")
        // The old key's work is still shown as Ben's.
        let log = try succeed(["log", "--json"], as: "ada")
        let authors = Set((try #require(try JSONSerialization.jsonObject(with: Data(log.utf8)) as? [[String: Any]])).compactMap { $0["author"] as? String })
        #expect(authors == ["Ada", "Ben"], "\(authors)")
        #expect(try run(["verify"], as: "ada").status == 0)
    }
    @Test func theLeadContinuesAMemberOfTwoEngagementsInEachAndIsToldOfTheOther() throws {
        let first = try adaAndBen()
        // A second engagement with Ben on its team: his key's two rotation records get two seqs.
        try succeed(["engagement", "create", "--client", "Orion Imaging GmbH", "--start", "2026-12-07", "--end", "2026-12-08"], as: "ada")
        let second = String(try #require(try succeed(["engagement", "list"], as: "ada").firstMatch(of: /([0-9a-f]{8})  Orion/)).1)
        try succeed(["team", "add", file("ben.card.json"), "--engagement", second], as: "ada")
        try send("ada", to: "ben", "second-kickoff.fabundle")
        for engagement in [first, second] {
            try succeed(["note", "--ref", "5.1", "before the rotation in \(engagement)", "--engagement", engagement], as: "ben")
        }
        let oldID = try replicaID(of: "ben")
        let rotated = try succeed(["key", "rotate", "--for", file("ada.card.json"), "-o", file("rotation.fabundle")], as: "ben")
        #expect(rotated.contains("engagement \(first)") || rotated.contains(first), "\(rotated)")
        let newID = try replicaID(of: "ben")
        try succeed(["import", file("rotation.fabundle")], as: "ada")

        // Ada continues Ben in one engagement at a time, each at its own record's point, and is
        // told of the other.
        let once = try succeed(["team", "rotate", file("ben.card.json"), "--engagement", first], as: "ada")
        #expect(once.contains("its own rotation record"), "\(once)")
        #expect(once.contains("still on the team of engagement \(second)") && once.contains("--engagement \(second)"), "\(once)")
        let again = try succeed(["team", "rotate", file("ben.card.json"), "--engagement", first], as: "ada")
        #expect(again.contains("still on the team of engagement \(second)"), "run again, it still names the other: \(again)")
        let twice = try succeed(["team", "rotate", file("ben.card.json"), "--engagement", second], as: "ada")
        #expect(twice.contains("its own rotation record") && !twice.contains("still on the team"), "\(twice)")
        // An --after below what Ada holds of the old key in that engagement is refused, naming it.
        let below = try run(["team", "rotate", file("ben.card.json"), "--engagement", second, "--after", "1"], as: "ada")
        #expect(below.status != 0 && below.stderr.contains("in this engagement up to seq"), "\(below.stderr)")

        // Ben works on under the new key in both.
        try succeed(["export", "--for", newID, "-o", file("back.fabundle")], as: "ada")
        try succeed(["import", file("back.fabundle")], as: "ben")
        for engagement in [first, second] {
            try succeed(["note", "--ref", "5.2", "after the rotation in \(engagement)", "--engagement", engagement], as: "ben")
        }
        try send("ben", to: "ada", "work.fabundle")
        for engagement in [first, second] {
            let team = try succeed(["team", "list", "--engagement", engagement], as: "ada")
            #expect(team.contains(String(newID.prefix(8))) && !team.contains(String(oldID.prefix(8))), "\(team)")
        }
        let found = try succeed(["search", "--all", "rotation"], as: "ada").split(separator: "\n")
        for engagement in [first, second] {
            for note in ["before the", "after the"] {
                #expect(found.contains { $0.contains(note) && $0.hasSuffix("in \(engagement)") }, "\(note) in \(engagement): \(found)")
            }
        }
        #expect(try run(["verify"], as: "ada").status == 0)
    }

    @Test func theFoundingLeadRotatesItsKeyAndTheTeamFollowsTheNewKeyWithoutTrustingIt() throws {
        let engagement = try adaAndBen()
        try succeed(["note", "--ref", "5.1", "before the lead's rotation"], as: "ben")
        try send("ben", to: "ada", "ben-day1.fabundle")
        let oldID = try replicaID(of: "ada")

        // Ada, the founding lead: one command, no `team rotate`.
        let rotated = try succeed(["key", "rotate", "--no-encrypt", "-o", file("ada-rotation.fabundle")], as: "ada")
        let newID = try replicaID(of: "ada")
        #expect(newID != oldID && rotated.contains("You founded this engagement") && !rotated.contains("team rotate"), "\(rotated)")
        try FileManager.default.removeItem(atPath: file("ada.card.json"))
        try succeed(["whoami", "--card", "-o", file("ada.card.json")], as: "ada")
        let team = try succeed(["team", "list"], as: "ada")
        #expect(team.contains(String(newID.prefix(8))) && !team.contains(String(oldID.prefix(8))), "\(team)")

        // Ben, who trusted only the old key, imports the new key's bundle.
        try send("ada", to: "ben", "ada-new.fabundle")
        // The new key adds Cara, who trusts the lead's new card only.
        try succeed(["init", "--name", "Cara"], as: "cara")
        try succeed(["whoami", "--card", "-o", file("cara.card.json")], as: "cara")
        try succeed(["team", "add", file("cara.card.json")], as: "ada")
        try succeed(["trust", file("ada.card.json")], as: "cara")
        try send("ada", to: "cara", "cara-kickoff.fabundle")
        try succeed(["engagement", "use", engagement], as: "cara")
        try succeed(["note", "--ref", "8.1", "noted by Cara"], as: "cara")
        try send("cara", to: "ada", "cara-to-ada.fabundle")
        try send("cara", to: "ben", "cara-to-ben.fabundle")
        for who in ["ada", "ben", "cara"] {
            let found = try succeed(["search", "noted"], as: who)
            #expect(found.contains("noted") && found.contains("Cara"), "\(who): \(found)")
            let verified = try run(["verify"], as: who)
            #expect(verified.status == 0, "\(who): \(verified.stdout)\(verified.stderr)")
        }

        // The old key, restored from its backup, writes nothing after its record (exit 77).
        try succeed(["init", "--name", "Ada", "--key", file("ada/identity-\(oldID).retired.key"), "--restore-from", file("ada-rotation.fabundle")], as: "old-ada")
        try succeed(["engagement", "use", engagement], as: "old-ada")
        let refused = try run(["note", "--ref", "5.3", "signed with the old key"], as: "old-ada")
        #expect(refused.status == 77 && refused.stderr.contains("retired key"), "\(refused.stderr)")
    }
}
