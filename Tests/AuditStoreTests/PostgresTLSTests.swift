import AuditStore
@testable import AuditStorePostgres
import Foundation
import TestSupport
import Testing

/// The connection to a central's PostgreSQL server, encrypted and checked as the URL's libpq
/// parameters say (`sslmode`, `sslrootcert`, `sslcert`, `sslkey`); a URL's mistakes are refused
/// before any connection, saying what is wrong.
struct PostgresTLSTests {
    let directory = TemporaryDirectory("fieldaudit-postgres-tls")

    /// Whether the store's connection is encrypted, as the server sees it.
    func encrypted(_ store: PostgresStore) throws -> Bool {
        try store.withConnection { connection in
            let rows = try store.query(connection, "SELECT CASE WHEN ssl THEN 1 ELSE 0 END::bigint FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            return try #require(rows.first).int64(0) == 1
        }
    }

    @Test func aURLsTLSModeIsLibpqsAndItsDefaultIsPrefer() throws {
        #expect(try DatabaseURL("postgres://central@db.internal/fieldaudit").tlsMode == .prefer)
        #expect(try DatabaseURL("postgres://central@db.internal/fieldaudit").configuration.tls.isAllowed)
        let disabled = try DatabaseURL("postgres://central@db.internal/fieldaudit?sslmode=disable")
        #expect(!disabled.configuration.tls.isAllowed)
        #expect(disabled.redacted == "postgres://central@db.internal:5432/fieldaudit?sslmode=disable")
        let required = try DatabaseURL("postgres://central@db.internal/fieldaudit?schema=audit&sslmode=require")
        #expect(required.configuration.tls.isEnforced)
        #expect(required.redacted == "postgres://central@db.internal:5432/fieldaudit?schema=audit&sslmode=require")
    }

    @Test func aTLSParameterThatCannotBeHonouredIsRefusedNotIgnored() throws {
        let missing = directory.file("no-such-ca.pem")
        let notPEM = directory.file("not.pem")
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: notPEM))
        let cases: [(url: String, says: String)] = [
            ("postgres://u@h/d?sslmode=verify-everything", "sslmode is one of disable, prefer, require, verify-ca, verify-full"),
            ("postgres://u@h/d?ssl=true", "the URL parameter 'ssl' is not one FieldAudit reads"),
            ("postgres://u@h/d?sslmode=verify-full&sslrootcert=\(missing)", "cannot be read"),
            ("postgres://u@h/d?sslmode=verify-full&sslrootcert=\(notPEM)", "PEM expected"),
            ("postgres://u@h/d?sslmode=require&sslcert=\(notPEM)", "sslcert and sslkey go together"),
        ]
        for (url, says) in cases {
            do {
                _ = try DatabaseURL(url)
                Issue.record("\(url) was accepted")
            } catch {
                #expect(error.description.contains(says), "\(url): \(error)")
            }
        }
    }

    @Test func verifyFullAgainstTheServersAuthorityConnectsEncrypted() throws {
        guard let server = TestPostgres.url(), let authority = TestPostgres.certificateAuthority() else { return }
        let store = try PostgresStore.open(url: TestPostgres.freshURL(server) + "&sslmode=verify-full&sslrootcert=\(authority)")
        defer { store.close() }
        #expect(try encrypted(store))
        let plain = try PostgresStore.open(url: TestPostgres.freshURL(server) + "&sslmode=disable")
        defer { plain.close() }
        #expect(try !encrypted(plain))
    }

    @Test func aServerWhoseCertificateNoTrustedAuthoritySignedIsRefusedUnderVerifyFull() throws {
        guard let server = TestPostgres.url(), TestPostgres.certificateAuthority() != nil else { return }
        // Without sslrootcert, the system's authorities are used, and none signed the throwaway one.
        #expect {
            _ = try PostgresStore.open(url: TestPostgres.freshURL(server) + "&sslmode=verify-full")
        } throws: { error in
            guard case let StoreError.cannotOpen(path, reason) = error else { return false }
            return path.contains("sslmode=verify-full") && !reason.isEmpty
        }
    }
}
