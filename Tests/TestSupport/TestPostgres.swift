import Foundation
import Testing

/// The PostgreSQL server tests run against: `FIELDAUDIT_TEST_POSTGRES_URL`, which
/// `scripts/with-postgres` sets for the command it runs beside a throwaway cluster.
public enum TestPostgres {
    /// The environment variable naming the server.
    public static let variable = "FIELDAUDIT_TEST_POSTGRES_URL"

    /// The server's URL. Without one, a test is skipped with a printed reason locally and fails
    /// when `CI=true`: CI never skips the PostgreSQL tests silently.
    public static func url() -> String? {
        if let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty { return url }
        let reason = "\(variable) is not set: run the tests under scripts/with-postgres (needs Debian's postgresql package: apt-get install postgresql)"
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("PostgreSQL tests cannot run in CI: \(reason)")
        } else {
            print("skipping a PostgreSQL test: \(reason)")
        }
        return nil
    }

    /// The environment variable naming the PEM certificate of the authority that signed the test
    /// server's TLS certificate (`scripts/with-postgres` sets it when openssl is installed).
    public static let authorityVariable = "FIELDAUDIT_TEST_POSTGRES_CA"

    /// The test server's certificate authority, for tests that verify the server over TLS; a
    /// missing one is skipped or, when `CI=true`, a failure, as `url()` does.
    public static func certificateAuthority() -> String? {
        if let file = ProcessInfo.processInfo.environment[authorityVariable], !file.isEmpty { return file }
        let reason = "\(authorityVariable) is not set: scripts/with-postgres sets it when openssl is installed (apt-get install openssl)"
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("PostgreSQL TLS tests cannot run in CI: \(reason)")
        } else {
            print("skipping a PostgreSQL TLS test: \(reason)")
        }
        return nil
    }

    /// The server's URL with a new, unused schema (`?schema=t_…`), so each store starts empty.
    public static func freshURL(_ base: String) -> String {
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
    }
}
