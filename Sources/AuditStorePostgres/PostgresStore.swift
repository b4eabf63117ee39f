import AuditStore
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Replication

/// A central repository's store on a PostgreSQL server: the same change log, the same
/// materialised state and the same laws as SQLite's `Store` (decided by AuditStore's
/// `ChangeApplier` and `ChangeTransaction`; `PostgresRows` only persists and reads).
///
/// Blocking, like `Store`: every call waits for postgres-nio's futures on the calling thread, so
/// it must never be called on a NIO event loop (the central calls its replica on dispatch
/// queues). Connections are pooled: reads run beside each other and beside writes; writers lock
/// the origins, engagements and peers they touch (`PostgresRows`), so imports for different
/// engagements run in parallel and two imports of overlapping changes converge with no lost
/// update. Each write is one transaction, all or nothing.
public final class PostgresStore: ChangeStorage, @unchecked Sendable {
    /// The database's URL without its password, for messages.
    public let path: String
    let configuration: PostgresConnection.Configuration
    /// The schema the store's tables live in, if the URL names one (`?schema=NAME`).
    let schema: String?
    let clock: any WallClock
    /// The fields whose text values `search` finds.
    let searchableFields: Set<String>
    let logger: Logger
    private let group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    private let lock = NSLock()
    private var idle: [PostgresConnection] = []
    private var nextConnectionID = 0

    /// The key of an advisory lock (`pg_advisory_xact_lock`) on `bytes` in this store: FNV-1a of
    /// the schema's name and the bytes, so stores in different schemas never wait for each other.
    /// Two keys that collide only make two writers take turns.
    func lockKey(_ bytes: [UInt8]) -> Int64 {
        let named = Array((schema ?? "").utf8) + [0] + bytes
        return Int64(bitPattern: named.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 })
    }

    private init(
        path: String, configuration: PostgresConnection.Configuration, schema: String?, clock: any WallClock, searchableFields: Set<String>
    ) {
        self.path = path
        self.configuration = configuration
        self.schema = schema
        self.clock = clock
        self.searchableFields = searchableFields
        var logger = Logger(label: "fieldaudit.postgres")
        logger.logLevel = .critical
        self.logger = logger
    }

    /// Closes the pooled connections, waiting for each (the store is never released on an event loop).
    deinit {
        for connection in idle { try? connection.close().wait() }
    }

    /// Opens the store in the database at `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`,
    /// optionally `?schema=NAME` to keep the tables in a schema of their own; without a password
    /// in the URL, `PGPASSWORD` is used if set), creating its
    /// tables, or migrating them to the current schema, if needed.
    ///
    /// - Throws: `StoreError.cannotOpen` if the URL is malformed or the server cannot be reached or
    ///   refuses the login; `StoreError.newerSchema` if a newer FieldAudit wrote the schema.
    public static func open(
        url: String, clock: any WallClock = SystemClock(), searchableFields: Set<String> = []
    ) throws(StoreError) -> PostgresStore {
        let location = try DatabaseURL(url)
        let store = PostgresStore(
            path: location.redacted, configuration: location.configuration, schema: location.schema, clock: clock,
            searchableFields: searchableFields)
        try store.migrate()
        return store
    }

    /// Closes every pooled connection; the store must not be used afterwards.
    public func close() {
        let connections = lock.withLock { () -> [PostgresConnection] in
            defer { idle = [] }
            return idle
        }
        for connection in connections { try? connection.close().wait() }
    }

    // MARK: - Connections

    /// Runs `body` on a pooled connection (a new one if none is idle).
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try take()
        defer { if !connection.isClosed { give(connection) } }
        return try body(connection)
    }

    private func take() throws(StoreError) -> PostgresConnection {
        let (pooled, id) = lock.withLock { () -> (PostgresConnection?, Int) in
            if let connection = idle.popLast() { return (connection, 0) }
            nextConnectionID += 1
            return (nil, nextConnectionID)
        }
        if let pooled { return pooled }
        do {
            return try PostgresConnection.connect(on: group.next(), configuration: configuration, id: id, logger: logger).wait()
        } catch {
            throw .cannotOpen(path: path, reason: Self.describe(error))
        }
    }

    private func give(_ connection: PostgresConnection) {
        lock.withLock { idle.append(connection) }
    }

    // MARK: - Queries

    /// Runs one statement and returns its rows.
    func query(_ connection: PostgresConnection, _ sql: String, _ binds: Binds = Binds()) throws(StoreError) -> [Cells] {
        do {
            return try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds.bindings), logger: logger).wait().rows.map {
                Cells(row: $0.makeRandomAccess())
            }
        } catch {
            throw translate(error, sql: sql)
        }
    }

    /// Runs one statement and returns how many rows it changed.
    @discardableResult
    func execute(_ connection: PostgresConnection, _ sql: String, _ binds: Binds = Binds()) throws(StoreError) -> Int {
        do {
            return try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds.bindings), logger: logger).wait().metadata.rows ?? 0
        } catch {
            throw translate(error, sql: sql)
        }
    }

    // MARK: - Transactions

    /// Runs `body` between `begin` and COMMIT on one pooled connection; rolls back if it throws.
    private func transaction<T>(_ begin: String, _ body: (PostgresConnection) throws -> T) throws -> T {
        try withConnection { connection in
            try execute(connection, begin)
            do {
                let result = try body(connection)
                try execute(connection, "COMMIT")
                return result
            } catch {
                _ = try? execute(connection, "ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `body` in one write transaction, committed only if it returns; `exclusive` holds the
    /// store's own lock too, so no other exclusive transaction runs beside it (schema changes).
    ///
    /// - Throws: whatever `body` throws, unchanged (a PostgreSQL error as `StoreError`).
    func writeTransaction<T>(exclusive: Bool = false, _ body: (PostgresConnection) throws -> T) throws -> T {
        try PinnedRead.refuseWrite(to: self, path: path)
        return try transaction("BEGIN ISOLATION LEVEL READ COMMITTED") { connection in
            if exclusive { try execute(connection, "SELECT pg_advisory_xact_lock(\(lockKey([])))") }
            return try body(connection)
        }
    }

    /// Runs `body` in one read-only transaction that sees one snapshot of the database: the pinned
    /// one when this thread runs a block of `withPinnedRead`, else one of its own.
    func readTransaction<T>(_ body: (PostgresConnection) throws(StoreError) -> T) throws(StoreError) -> T {
        if let pinned = PinnedRead.handle(of: self, as: PostgresConnection.self) { return try body(pinned) }
        do {
            return try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { connection in try body(connection) }
        } catch {
            throw error as? StoreError ?? .unexpected(String(describing: error))
        }
    }

    /// Runs `body` with every read of this store it makes on this thread on one pooled connection,
    /// in one `REPEATABLE READ READ ONLY` transaction, so they all see one snapshot (see
    /// `ChangeStorage.withPinnedRead`); the connection goes back to the pool afterwards.
    ///
    /// - Throws: whatever `body` throws, unchanged; `StoreError` if the transaction cannot begin.
    public func withPinnedRead<T>(_ body: () throws -> T) throws -> T {
        if PinnedRead.isPinned(self) { return try body() }
        return try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { connection in
            try PinnedRead.pinning(connection, for: self, body)
        }
    }

    /// Runs a write transaction whose errors are all `StoreError`.
    func storeWrite<T>(exclusive: Bool = false, _ body: (PostgresConnection) throws(StoreError) -> T) throws(StoreError) -> T {
        do { return try writeTransaction(exclusive: exclusive) { connection in try body(connection) } } catch {
            throw error as? StoreError ?? .unexpected(String(describing: error))
        }
    }

    // MARK: - Errors

    /// What a PostgreSQL error means for the store: a busy database, a full disk, a read-only
    /// server, a lost connection, or else the server's message.
    func translate(_ error: any Error, sql: String = "") -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? PSQLError else { return .unexpected(String(describing: error)) }
        switch error.serverInfo?[.sqlState] {
        case "40001", "40P01", "55P03", "57014": return .busy(path: path)
        case "53100": return .diskFull(path: path)
        case "25006": return .readOnly(path: path)
        case nil: return .cannotOpen(path: path, reason: Self.describe(error))
        case let state?:
            return .unexpected("PostgreSQL error \(state) at \(path): \(error.serverInfo?[.message] ?? "")\(sql.isEmpty ? "" : " (in: \(sql.prefix(80)))")")
        }
    }

    /// A connection failure in words: the server's own message, or what went wrong with TLS and
    /// which URL parameter decides it, or else postgres-nio's description.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let message = error.serverInfo?[.message] { return message }
        if error.code == .sslUnsupported {
            return "the server does not offer TLS, which the URL's sslmode requires (ask its administrator, or use sslmode=prefer on a trusted network)"
        }
        if let underlying = error.underlying {
            let description = String(describing: underlying)
            if description.contains("CERTIFICATE_VERIFY_FAILED") {
                return "the server's TLS certificate is not signed by an authority this URL trusts (name the authority's PEM certificate with sslrootcert=FILE)"
            }
            if underlying is NIOSSLExtraError {
                return "the server's TLS certificate does not name the host connected to (use the name on the certificate, or sslmode=verify-ca): \(description)"
            }
            return description
        }
        return "\(error.code)"
    }
}
