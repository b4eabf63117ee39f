import Foundation
import TestSupport
import Testing

/// `fieldaudit serve grant`, `serve grants` and `serve revoke`, as the central's operator types them.
struct ServeGrantTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-serve-grant")
    var central: String { directory.file("central") }

    func engagement() throws -> String {
        try cli.succeed(["init", "--name", "Central"], store: central)
        let created = try cli.succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd"], store: central)
        return String(try #require(created.firstMatch(of: /engagement ([0-9a-f-]{36})/)).1)
    }

    @Test func grantPrintsAOneTimeLinkThatIsNeverStoredAndGrantsAndRevokeManageIt() throws {
        let id = try engagement()
        let granted = try cli.run(
            ["serve", "grant", "--reviewer", "Rita Reviewer", "--engagement", String(id.suffix(8)), "--expires", "12h", "--url", "https://central.example:8443/"],
            store: central)
        #expect(granted.status == 0, "\(granted.stderr)")
        let link = granted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let token = String(try #require(link.firstMatch(of: /^https:\/\/central\.example:8443\/review\/sign-in\?token=([A-Za-z0-9_-]{43})$/)).1)
        #expect(granted.stderr.contains("Granted Rita Reviewer") && granted.stderr.contains("Helix Diagnostics Ltd"))
        let file = "\(central)/review-grants.json"
        let stored = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!stored.contains(token) && stored.contains(id))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber).intValue
        #expect(mode & 0o777 == 0o600)

        let listed = try #require(try JSONSerialization.jsonObject(with: Data(try cli.succeed(["serve", "grants", "--json"], store: central).utf8)) as? [[String: Any]])
        #expect(listed.count == 1 && listed.first?["state"] as? String == "unused" && listed.first?["reviewer"] as? String == "Rita Reviewer")
        let grant = try #require(listed.first?["id"] as? String)
        #expect(try cli.succeed(["serve", "grants"], store: central).contains("\(grant)  Rita Reviewer"))

        #expect(try cli.succeed(["serve", "revoke", grant], store: central).contains("Revoked grant \(grant) of Rita Reviewer"))
        let table = try cli.succeed(["serve", "grants"], store: central)
        #expect(table.contains("revoked"))
        let unknown = try cli.run(["serve", "revoke", "ffffffff"], store: central)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("no grant has the id ffffffff; `fieldaudit serve grants` lists them"))
    }

    @Test func aGrantOfAnUnknownEngagementOrTooLongIsRefusedAndNothingIsWritten() throws {
        _ = try engagement()
        let unknown = try cli.run(["serve", "grant", "--reviewer", "Rita", "--engagement", "deadbeef"], store: central)
        #expect(unknown.status == 65, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("deadbeef"))
        let long = try cli.run(["serve", "grant", "--reviewer", "Rita", "--engagement", "x", "--expires", "91d"], store: central)
        #expect(long.status == 64, "\(long.stderr)")
        let none = try cli.run(["serve", "grant", "--reviewer", "Rita"], store: central)
        #expect(none.status == 64 && none.stderr.contains("--engagement"))
        #expect(!FileManager.default.fileExists(atPath: "\(central)/review-grants.json"))
        #expect(try cli.succeed(["serve", "grants"], store: central).contains("No grants"))
    }
}
