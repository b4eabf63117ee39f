import TestSupport
import Testing

/// Where the replicas a test creates keep their store: the sync and hostile-import tests run
/// against every backend, so a central on PostgreSQL refuses and accepts exactly what SQLite does.
enum ReplicaBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    /// The directory's SQLite file.
    case sqlite
    /// A fresh schema on the server of `TestPostgres` (`scripts/with-postgres`).
    case postgres

    /// The backend of the replicas created in the running test.
    @TaskLocal static var current: ReplicaBackend = .sqlite

    var testDescription: String { rawValue }

    /// The database a new replica's store goes in: `nil` for SQLite.
    func database() -> String? {
        self == .postgres ? TestPostgres.url().map(TestPostgres.freshURL) : nil
    }

    /// Runs `body` with every replica it creates on this backend. Without a PostgreSQL server the
    /// PostgreSQL case is skipped with a printed reason, or fails when `CI=true` (`TestPostgres`).
    func run(_ body: () throws -> Void) throws {
        if self == .postgres, TestPostgres.url() == nil { return }
        try Self.$current.withValue(self) { try body() }
    }
}
