import Foundation
import GRDB
import TestSupport
import Testing

/// `init`, `whoami` and `verify`, run as a user types them.
struct ReplicaCommandTests {
    let cli = FieldAuditCLI()
    let directory = TemporaryDirectory("fieldaudit-e2e")
    var store: String { directory.file("replica") }

    func initialise(_ name: String = "Ada Lead") throws {
        let result = try cli.run(["init", "--name", name], store: store)
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func initCreatesTheStoreAndAPrivateKeyOnlyItsOwnerCanRead() throws {
        try initialise()
        let attributes = try FileManager.default.attributesOfItem(atPath: store + "/identity.key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(FileManager.default.fileExists(atPath: store + "/replica.sqlite"))
    }

    @Test func initRefusesToOverwriteAReplica() throws {
        try initialise()
        let key = try Data(contentsOf: URL(fileURLWithPath: store + "/identity.key"))
        let again = try cli.run(["init", "--name", "Someone Else"], store: store)
        #expect(again.status == 73)
        #expect(again.stderr.contains("a replica already exists at \(store)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: store + "/identity.key")) == key)
    }

    @Test func whoamiShowsTheNameIdAndFingerprintAndWritesACard() throws {
        try initialise()
        let result = try cli.run(["whoami", "--json"], store: store)
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String]
        #expect(summary?["name"] == "Ada Lead")
        #expect(summary?["replicaID"]?.count == 32)
        #expect(summary?["fingerprint"]?.hasPrefix("SHA256:") == true)

        let card = directory.file("ada.card.json")
        #expect(try cli.run(["whoami", "--card", "-o", card], store: store).status == 0)
        let written = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: card))) as? [String: Any]
        #expect(written?["replicaID"] as? String == summary?["replicaID"])
        #expect(written?["format"] as? String == "fieldaudit-identity-card")
        #expect(!(try String(contentsOfFile: card, encoding: .utf8)).contains(try String(contentsOfFile: store + "/identity.key", encoding: .utf8)))
    }

    @Test func theStoreComesFromTheEnvironmentWhenNoOptionIsGiven() throws {
        let result = try cli.run(["init", "--name", "Env"], environment: ["FIELDAUDIT_STORE": store])
        #expect(result.status == 0)
        let xdg = try cli.run(["whoami", "--json"], environment: ["FIELDAUDIT_STORE": "", "XDG_DATA_HOME": directory.path])
        #expect(xdg.status == 66)  // nothing at $XDG_DATA_HOME/fieldaudit yet
        #expect(xdg.stderr.contains(directory.path + "/fieldaudit"))
        #expect(try cli.run(["whoami"], environment: ["FIELDAUDIT_STORE": store]).stdout.contains("Env"))
    }

    @Test func aKeyFileReadableByOthersIsRefusedWithTheFix() throws {
        try initialise()
        chmod(store + "/identity.key", 0o644)
        let result = try cli.run(["whoami"], store: store)
        #expect(result.status == 77)
        #expect(result.stderr.contains("chmod 600"))
    }

    @Test func verifyPrintsTheDigestAndPasses() throws {
        try initialise()
        let created = try cli.run(["field", "set", "new", "client", "Acme AI", "--kind", "engagement", "--engagement", "self"], store: store)
        #expect(created.status == 0)
        let result = try cli.run(["verify", "--json"], store: store)
        #expect(result.status == 0, "\(result.stdout)")
        let output = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(output?["ok"] as? Bool == true)
        #expect((output?["digest"] as? String)?.count == 64)
        #expect(output?["digest"] as? String == output?["rebuiltDigest"] as? String)
    }

    @Test func verifyFailsAndNamesAChangeTamperedWithInTheSQLiteFile() throws {
        try initialise()
        let created = try cli.run(["field", "set", "new", "statement", "Logs are not kept", "--kind", "finding", "--engagement", "self"], store: store)
        let entity = String(created.stdout.prefix(36))
        let database = try DatabaseQueue(path: store + "/replica.sqlite")
        try database.write { db in try db.execute(sql: "UPDATE change SET value = 'Logs are kept'") }

        let result = try cli.run(["verify"], store: store)
        #expect(result.status == 1)
        #expect(result.stdout.contains("change") && result.stdout.contains("entity \(entity), field statement"))
        #expect(result.stdout.contains("was altered"))
    }

    @Test func twoProcessesWritingToOneStoreAtOnceLoseNothing() async throws {
        try initialise()
        let engagement = try cli.run(["field", "set", "new", "client", "Acme", "--kind", "engagement", "--engagement", "self"], store: store)
        let id = String(engagement.stdout.prefix(36))
        let (cli, store) = (self.cli, self.store)
        let perWriter = 25
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<2 {
                group.addTask {
                    var failures = 0
                    for index in 0..<perWriter {
                        let result = try cli.run(
                            ["field", "set", "new", "text", "writer \(writer) note \(index)", "--kind", "note", "--engagement", id],
                            store: store)
                        if result.status != 0 { failures += 1 }
                    }
                    return failures
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(failures == 0)
        let verify = try cli.run(["verify", "--json"], store: store)
        let output = try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [String: Any]
        #expect(output?["changes"] as? Int == 1 + 2 * perWriter)
        #expect(output?["ok"] as? Bool == true)
    }
}
