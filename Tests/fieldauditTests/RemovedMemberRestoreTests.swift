import Foundation
import TestSupport
import Testing

/// A restored laptop whose owner's last work is in an engagement he was since removed from: the
/// lead's `export --all` brings that work back as hashes only, and that catches him up
/// (`Sync/PROTOCOL.md` §21.2).
struct RemovedMemberRestoreTests: LaptopsInOneFolder {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-removed-restore")

    @Test func aRestoredLaptopCaughtUpWithItsOwnWithheldChangesWritesAgain() throws {
        // Given Ada's engagement with Ben on its team, and a backup of Ben's laptop
        for name in ["ada", "ben"] {
            try succeed(["init", "--name", name.capitalized], as: name)
            try succeed(["whoami", "--card", "-o", file("\(name).card.json")], as: name)
        }
        try succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd"], as: "ada")
        try succeed(["team", "add", file("ben.card.json"), "--role", "auditor"], as: "ada")
        try succeed(["trust", file("ada.card.json")], as: "ben")
        try send("ada", to: "ben", "kickoff.fabundle")
        let engagement = try #require(try succeed(["engagement", "list"], as: "ben").firstMatch(of: /([0-9a-f]{8})  Helix/)).1
        try succeed(["engagement", "use", String(engagement)], as: "ben")
        try FileManager.default.copyItem(atPath: file("ben"), toPath: file("ben-backup"))
        // ...Ben's last notes reach Ada, who then removes him from the team
        for text in ["after the backup", "his last note there"] {
            try succeed(["note", "--ref", "5.1", text], as: "ben")
        }
        try send("ben", to: "ada", "ben-last.fabundle")
        try succeed(["team", "remove", file("ben.card.json")], as: "ada")

        // When his laptop comes back from the backup and imports Ada's export --all for him
        try FileManager.default.removeItem(atPath: file("ben"))
        try FileManager.default.moveItem(atPath: file("ben-backup"), toPath: file("ben"))
        try succeed(["export", "--for", file("ben.card.json"), "--all", "-o", file("restore-ben.fabundle")], as: "ada")
        try succeed(["import", file("restore-ben.fabundle")], as: "ben")

        // Then his notes are back as hashes only (he may no longer read them), and he writes again
        #expect(try succeed(["search", "backup"], as: "ben").contains("backup") == false)
        let created = try run(["engagement", "create", "--client", "Northwind Foods Ltd"], as: "ben")
        #expect(created.status == 0, "\(created.status) \(created.stderr)")
        #expect(try run(["verify"], as: "ben").status == 0)
    }
}
