@testable import AuditStore
import AuditStorePostgres
import Foundation
import Replication
import TestSupport
import Testing

/// The stores a contract test runs against: every `ChangeStorage`, so adding a backend is one case.
enum StorageBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    /// SQLite in memory (`Store`).
    case sqlite
    /// PostgreSQL (`PostgresStore`), on the server `FIELDAUDIT_TEST_POSTGRES_URL` names
    /// (`scripts/with-postgres` starts a throwaway one); each store gets a schema of its own.
    case postgres

    var testDescription: String { rawValue }

    /// Whether this backend can run here (see `TestPostgres.url()`: PostgreSQL without a server is
    /// skipped with a printed reason locally, a failure when `CI=true`).
    func isAvailable() -> Bool {
        self == .sqlite || TestPostgres.url() != nil
    }

    /// How many random histories a property test runs on this backend: `base` on SQLite, a tenth
    /// of it on PostgreSQL (each statement is a round trip); both scale with FIELDAUDIT_PROPERTY_SCALE.
    func runs(_ base: Int) -> Int {
        propertyRuns(self == .sqlite ? base : max(1, base / 10))
    }

    /// A new, empty store.
    func makeStore(clock: any WallClock, searchableFields: Set<String> = []) throws -> any ChangeStorage {
        switch self {
        case .sqlite:
            return try Store.inMemory(clock: clock, searchableFields: searchableFields)
        case .postgres:
            let url = try #require(TestPostgres.url())
            return try PostgresStore.open(url: TestPostgres.freshURL(url), clock: clock, searchableFields: searchableFields)
        }
    }

    /// Lets a store's connections go.
    static func close(_ store: any ChangeStorage) {
        (store as? PostgresStore)?.close()
    }
}
