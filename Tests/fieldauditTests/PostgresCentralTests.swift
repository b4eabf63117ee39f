import Foundation
import TestSupport
import Testing

/// The central repository on PostgreSQL, run as an administrator types it: a central created
/// in SQLite, moved with `central migrate`, then served, verified and reported from PostgreSQL.
/// Needs `FIELDAUDIT_TEST_POSTGRES_URL` (`scripts/with-postgres`); see `TestPostgres`.
struct PostgresCentralTests {
    let cli = FieldAuditCLI()
    let directory = TemporaryDirectory("fieldaudit-postgres-e2e")

    func file(_ name: String) -> String { directory.file(name) }

    func verify(_ store: String, database: String? = nil) throws -> [String: Any] {
        let result = try cli.run(["verify", "--json", "--store", store] + (database.map { ["--database", $0] } ?? []))
        #expect(result.status == 0, "verify failed: \(result.stdout) \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func movingACentralToPostgreSQLKeepsItsDigestAndItServesLaptopsFromThere() throws {
        guard let server = TestPostgres.url() else { return }
        let database = TestPostgres.freshURL(server)
        let central = file("central"), ada = file("ada"), ben = file("ben")
        for (store, name) in [(central, "Central"), (ada, "Ada Lead"), (ben, "Ben Auditor")] {
            try cli.succeed(["init", "--name", name], store: store)
            try cli.succeed(["whoami", "--card", "-o", file("\(name.prefix(3).lowercased()).card.json")], store: store)
        }
        try cli.succeed(["trust", file("ada.card.json")], store: central)
        try cli.succeed(["trust", file("ada.card.json")], store: ben)
        try cli.succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd"], store: ada)
        try cli.succeed(["team", "add", file("ben.card.json"), "--role", "auditor"], store: ada)
        try cli.succeed(["team", "add", file("cen.card.json"), "--role", "observer"], store: ada)
        try cli.succeed(["note", "--ref", "6.1.2", "Risk register; reviewed quarterly"], store: ada)
        try cli.succeed(["export", "--all", "-o", file("ada.fabundle")], store: ada)
        try cli.succeed(["import", file("ada.fabundle")], store: central)
        let before = try verify(central)

        // Given a central on SQLite, when it is moved, then PostgreSQL holds the same state.
        let moved = try cli.succeed(["central", "migrate", "--to", database, "--json"], store: central)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(moved.utf8)) as? [String: Any])
        #expect(summary["digest"] as? String == before["digest"] as? String)
        #expect(summary["trustedKeys"] as? Int == 1)
        let after = try verify(central, database: database)
        #expect(after["digest"] as? String == before["digest"] as? String)
        #expect(after["ok"] as? Bool == true)
        #expect(after["changes"] as? Int == before["changes"] as? Int)
        // The same report, byte for byte, from either store.
        let engagement = try #require(try cli.succeed(["engagement", "list"], store: ada).firstMatch(of: /([0-9a-f]{8})  Helix/)).1
        let fromSQLite = try cli.succeed(["report", "--engagement", String(engagement)], store: central)
        let fromPostgres = try cli.run(["report", "--engagement", String(engagement), "--store", central, "--database", database])
        #expect(fromPostgres.status == 0, "\(fromPostgres.stderr)")
        #expect(fromPostgres.stdout == fromSQLite)
        #expect(fromSQLite.contains("Helix Diagnostics Ltd"))

        // A second move into the same database is refused, and changes nothing.
        let again = try cli.run(["central", "migrate", "--to", database, "--store", central])
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists"), "\(again.stderr)")
        #expect(try verify(central, database: database)["digest"] as? String == before["digest"] as? String)

        // Served from PostgreSQL, the central syncs a laptop as it did from SQLite.
        let serve = try ServeProcess(cli: cli, store: central, log: file("serve.log"), arguments: ["--database", database])
        defer { serve.stop() }
        try cli.succeed(["remote", "add", "central", serve.url, "--yes"], store: ben)
        let pulled = try cli.succeed(["sync"], store: ben)
        #expect(pulled.firstMatch(of: /pulled [1-9][0-9]* new changes/) != nil, "\(pulled)")
        try cli.succeed(["engagement", "use", String(engagement)], store: ben)
        try cli.succeed(["note", "--ref", "8.2", "Supplier audit evidence seen"], store: ben)
        try cli.succeed(["sync"], store: ben)
        #expect(serve.stop() == 0)
        let served = try verify(central, database: database)
        #expect(served["digest"] as? String == (try verify(ben))["digest"] as? String)
        #expect(try cli.succeed(["search", "supplier", "--all", "--database", database], store: central).contains("[Supplier]"))
    }

    @Test func aDatabaseURLThatCannotBeReachedIsAClearErrorNotACrash() throws {
        let result = try cli.run(["verify", "--store", file("none"), "--database", "postgres://nobody@127.0.0.1:1/none"])
        #expect(result.status != 0)
        let central = file("central")
        try cli.succeed(["init", "--name", "Central"], store: central)
        let unreachable = try cli.run(["verify", "--store", central, "--database", "postgres://nobody@127.0.0.1:1/none"])
        #expect(unreachable.status != 0)
        #expect(unreachable.stderr.contains("cannot open the store at postgres://nobody@127.0.0.1:1/none"), "\(unreachable.stderr)")
        let malformed = try cli.run(["verify", "--store", central, "--database", "mysql://x@y/z"])
        #expect(malformed.stderr.contains("expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"), "\(malformed.stderr)")
    }
}

/// The central's database reached over TLS, as an IT department's URL says, through the binary.
struct PostgresCentralTLSTests {
    let cli = FieldAuditCLI()
    let directory = TemporaryDirectory("fieldaudit-postgres-tls-e2e")

    @Test func aCentralMovedToAVerifiedTLSConnectionServesFromItAndAnUntrustedServerIsRefused() throws {
        guard let server = TestPostgres.url(), let authority = TestPostgres.certificateAuthority() else { return }
        let central = directory.file("central")
        try cli.succeed(["init", "--name", "Central"], store: central)
        let database = TestPostgres.freshURL(server) + "&sslmode=verify-full&sslrootcert=\(authority)"
        try cli.succeed(["central", "migrate", "--to", database], store: central)
        let verified = try cli.run(["verify", "--store", central, "--database", database])
        #expect(verified.status == 0, "\(verified.stderr)")

        // Given the same server, when the URL asks for verification without naming its authority,
        // then the store is not opened, and the message names the database, never a password.
        let untrusted = try cli.run(["verify", "--store", central, "--database", TestPostgres.freshURL(server) + "&sslmode=verify-full"])
        #expect(untrusted.status == 66)
        #expect(untrusted.stderr.contains("cannot open the store at postgres://"), "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("sslmode=verify-full"), "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("not signed by an authority this URL trusts (name the authority's PEM certificate with sslrootcert=FILE)"), "\(untrusted.stderr)")
        #expect(!untrusted.stderr.contains("--store"), "\(untrusted.stderr)")
        let misspelt = try cli.run(["verify", "--store", central, "--database", TestPostgres.freshURL(server) + "&sslmode=verify_full"])
        #expect(misspelt.status == 66)
        #expect(misspelt.stderr.contains("sslmode is one of disable, prefer, require, verify-ca, verify-full"), "\(misspelt.stderr)")
    }
}
