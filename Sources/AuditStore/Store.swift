import CSQLiteSettings
import Foundation
import GRDB
import GRDBSQLite
import Replication

/// A replica's SQLite store: the append-only change log and the state materialised from it.
///
/// The only type in FieldAudit that touches SQLite. Every write is one IMMEDIATE transaction that
/// is durable when the call returns (WAL, `synchronous=FULL`); several processes may write to one
/// store at once, each waiting its turn (busy timeout). Opened with `concurrentReads`, reads run
/// on a pool of connections beside the one writer, each in a snapshot of its own (WAL).
public final class Store: Sendable {
    /// Where the database lives, for messages.
    public let path: String
    /// One connection (a `DatabaseQueue`), or one writer and a pool of readers (a `DatabasePool`).
    let queue: any DatabaseWriter
    let clock: any WallClock
    /// The fields whose text values `search` finds.
    let searchableFields: Set<String>

    /// How long a writer waits for another process's transaction before giving up.
    static let busyTimeout: TimeInterval = 60

    /// Each connection's SQLite page cache, in KiB (`PRAGMA cache_size`): 4 MiB, twice SQLite's
    /// default. It was 8 MiB while a large import's state batch was small and touched most state
    /// pages again each batch; with batches of `ChangeApplier.stateBatch` changes sorted by key,
    /// each state page is written about once, and at 1,000,000 changes 4 MiB measured as fast as
    /// 8 MiB (faster, under load) and 4 MiB less at the peak, which keeps the import within 1.5
    /// times the 10,000-change import's peak (issue 21). Capture (`note`, `Benchmarks/run-field`)
    /// touches a handful of pages and measured the same.
    static let pageCacheKiB = 4096

    /// Whether this process runs SQLite without its memory statistics, as `CSQLiteSettings` asks
    /// when the process starts (SQLite takes the setting only before its first use).
    ///
    /// With the statistics on (SQLite's default), every allocation and free inside SQLite takes one
    /// process-wide mutex. An overlapped import's two connections, pass one's reader and pass
    /// two's writer, took it millions of times each from two cores: at 1,000,000 changes the
    /// import ran in 13.7 s without the statistics against 15.9 s with them (BENCHMARKS.md, issue
    /// 21). FieldAudit never reads them (`sqlite3_memory_used`). In a process whose own start-up
    /// code used SQLite first, SQLite refuses the setting, and every store works as before, a
    /// little slower.
    static let sqliteMemoryStatisticsOff: Bool = fieldaudit_sqlite_memory_statistics_result() == SQLITE_OK

    init(path: String, queue: any DatabaseWriter, clock: any WallClock, searchableFields: Set<String>) {
        self.path = path
        self.queue = queue
        self.clock = clock
        self.searchableFields = searchableFields
    }

    /// Opens the store at `path`, creating it (and migrating it to the current schema) if needed.
    ///
    /// `searchableFields` names the fields whose text values `search` finds. A store whose file or
    /// folder this process cannot write (`chmod a-w`, a read-only mount) is opened read-only, so
    /// every read works and the first write throws `StoreError.readOnly`; it is opened immutable
    /// (no locks, no `-shm` file) unless a write-ahead log is left to read.
    ///
    /// With `concurrentReads` (a central serving many laptops), a writable store's reads run on a
    /// pool of read connections, so an export never waits for an import in progress: each read
    /// sees the store as the last commit before it began. Writes still take turns on one
    /// connection. Without it (every laptop command), the store has one connection.
    ///
    /// - Throws: `StoreError.damaged` if the file is not a readable SQLite store,
    ///   `StoreError.cannotOpen` if it cannot be opened, `StoreError.newerSchema` if a newer
    ///   FieldAudit wrote it, `StoreError.readOnly` if a read-only store needs a schema upgrade.
    public static func open(
        at path: String, clock: any WallClock = SystemClock(), searchableFields: Set<String> = [], concurrentReads: Bool = false
    ) throws(StoreError) -> Store {
        let readOnly = FileManager.default.fileExists(atPath: path) && !isWritable(path)
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(busyTimeout)
        configuration.prepareDatabase { db in
            // 4 MiB of page cache (`pageCacheKiB`; SQLite's default is 2 MiB): a large import then
            // rarely reads its own B-tree pages back through the WAL. Measured at 1,000,000 changes (BENCHMARKS.md):
            // 64 MiB made the C reference about 1.5 times as fast but FieldAudit at most 25 % faster,
            // and doubled an import's peak memory (the page cache is what grows with its size).
            try db.execute(sql: "PRAGMA cache_size = -\(Self.pageCacheKiB)")
        }
        let queue: any DatabaseWriter
        do {
            if readOnly {
                queue = try openReadOnly(path, configuration: configuration)
            } else {
                queue = concurrentReads
                    ? try DatabasePool(path: path, configuration: configuration)
                    : try DatabaseQueue(path: path, configuration: configuration)
                // GRDB's WAL set-up runs after `prepareDatabase` and lowers `synchronous` to NORMAL;
                // a capture must be durable when the command returns, so set FULL afterwards (on
                // the one connection that writes).
                try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            }
        } catch {
            switch Self.classify(error, at: path) {
            case let condition? where condition.isStoreCondition: throw condition
            default: throw .cannotOpen(path: path, reason: Self.describe(error))
            }
        }
        let store = Store(path: path, queue: queue, clock: clock, searchableFields: searchableFields)
        try store.migrate(readOnly: readOnly)
        return store
    }

    /// Whether this process may write the store file and create files beside it (the WAL).
    static func isWritable(_ path: String) -> Bool {
        access(path, W_OK) == 0 && access((path as NSString).deletingLastPathComponent, W_OK) == 0
    }

    /// Opens an unwritable store for reading: immutable when no write-ahead log is left (SQLite
    /// could not create its `-shm` file otherwise), else read-only so the log's changes are read.
    private static func openReadOnly(_ path: String, configuration: Configuration) throws -> DatabaseQueue {
        let log = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        if log == 0 {
            let escaped = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["?", "#", "%"])) ?? path
            if let queue = try? DatabaseQueue(path: "file:\(escaped)?immutable=1", configuration: configuration),
               (try? queue.read({ db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") })) != nil {
                return queue
            }
        }
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// A store in memory, for tests and scratch work.
    static func inMemory(clock: any WallClock = SystemClock(), searchableFields: Set<String> = []) throws(StoreError) -> Store {
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue() } catch { throw .cannotOpen(path: ":memory:", reason: Self.describe(error)) }
        let store = Store(path: ":memory:", queue: queue, clock: clock, searchableFields: searchableFields)
        try store.migrate()
        return store
    }

    private func migrate(readOnly: Bool = false) throws(StoreError) {
        let migrator = Self.migrator
        try perform {
            let (unknown, complete) = try queue.read { db in
                (try migrator.hasBeenSuperseded(db)
                    ? Set(try migrator.appliedIdentifiers(db)).subtracting(migrator.migrations) : [],
                 try migrator.hasCompletedMigrations(db))
            }
            guard unknown.isEmpty else { throw StoreError.newerSchema(path: path, unknownMigrations: unknown.sorted()) }
            guard !complete else { return }
            guard !readOnly else { throw StoreError.readOnly(path: path) }
            try migrator.migrate(queue)
        }
    }

    // MARK: - Transactions

    /// Runs `body` in one IMMEDIATE write transaction, mapping every error to `StoreError`.
    func writeTransaction<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        try perform { try writing(body) }
    }

    /// Runs `body` in one IMMEDIATE write transaction; refused inside a read this thread pinned
    /// (`withPinnedRead`). Errors are left as they are.
    func writing<T>(_ body: (Database) throws -> T) throws -> T {
        try PinnedRead.refuseWrite(to: self, path: path)
        return try queue.write(body)
    }

    /// Runs `body` in a read transaction, mapping every error to `StoreError`: the pinned one when
    /// this thread runs a block of `withPinnedRead`, else one of its own.
    func readTransaction<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        if let pinned = PinnedRead.handle(of: self, as: Database.self) { return try perform { try body(pinned) } }
        return try perform { try queue.read(body) }
    }

    /// Runs `body` with every read of this store it makes on this thread in one read transaction,
    /// so they all see one snapshot (see `ChangeStorage.withPinnedRead`): a reader of the pool
    /// when reads run concurrently, else the one connection, held by this thread meanwhile.
    ///
    /// - Throws: whatever `body` throws, unchanged; `StoreError` if the read cannot begin.
    public func withPinnedRead<T>(_ body: () throws -> T) throws -> T {
        if PinnedRead.isPinned(self) { return try body() }
        var outcome: Result<T, any Error>?
        try perform {
            try queue.read { db in
                outcome = Result { try PinnedRead.pinning(db, for: self, body) }
            }
        }
        guard let outcome else { throw StoreError.unexpected("the pinned read of \(path) ended without running its block") }
        return try outcome.get()
    }

    /// Maps any error thrown by GRDB, SQLite or the core to a `StoreError`.
    func perform<T>(_ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch {
            throw translate(error) as? StoreError ?? .unexpected(String(describing: error))
        }
    }

    /// Turns SQLite's and the core's errors into `StoreError`; leaves any other error as it is.
    func translate(_ error: any Error) -> any Error {
        if let error = error as? ReplicationError { return StoreError.rejected(error) }
        return Self.classify(error, at: path) ?? error
    }

    /// What an error from SQLite (through GRDB or a raw statement) means for the store at `path`:
    /// a full disk, a lock held too long, a read-only or a damaged store, or else a plain SQLite
    /// error; nil for an error that is not SQLite's. The one place result codes are read.
    static func classify(_ error: any Error, at path: String) -> StoreError? {
        let code: Int32, message: String, sql: String
        switch error {
        case let error as DatabaseError:
            if isDiskFull(error, at: path) { return .diskFull(path: path) }
            (code, message, sql) = (error.extendedResultCode.rawValue, error.message ?? "", error.sql ?? "")
        case let StoreError.sqlite(rawCode, rawMessage, rawSQL):
            (code, message, sql) = (rawCode, rawMessage, rawSQL)
        case let error as StoreError:
            return error
        default:
            return nil
        }
        switch code & 0xff {
        case SQLITE_FULL: return .diskFull(path: path)
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy(path: path)
        case SQLITE_READONLY: return .readOnly(path: path)
        case SQLITE_CORRUPT, SQLITE_NOTADB: return .damaged(path: path, reason: "SQLite: \(message)")
        default: return .sqlite(code: code, message: message, sql: sql)
        }
    }

    /// Whether `error` means the disk is full: `SQLITE_FULL`, or a disk I/O error (`SQLITE_IOERR`,
    /// which SQLite reports when it cannot create or grow the WAL index) on a file system with no
    /// space left for this user.
    static func isDiskFull(_ error: any Error, at path: String) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        if error.resultCode == .SQLITE_FULL { return true }
        guard error.resultCode == .SQLITE_IOERR else { return false }
        var info = statvfs()
        return statvfs((path as NSString).deletingLastPathComponent, &info) == 0 && info.f_bavail == 0
    }

    private static func describe(_ error: any Error) -> String {
        (error as? DatabaseError)?.message ?? String(describing: error)
    }

    /// The writing connection's `PRAGMA synchronous` level (2 is FULL), for checking durability settings.
    func synchronousLevel() throws(StoreError) -> Int {
        try perform { try queue.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 } }
    }

    /// Whether reads run on a pool of connections beside the writer (`open(concurrentReads:)`).
    public var readsConcurrently: Bool { queue is DatabasePool }

    // MARK: - Metadata

    /// Reads a metadata value (the replica's id, its name, …).
    public func metadata(_ key: String) throws(StoreError) -> String? {
        try readTransaction { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
    }

    /// Writes a metadata value.
    public func setMetadata(_ key: String, to value: String) throws(StoreError) {
        try writeTransaction { db in
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
        }
    }

    /// Writes `value` to `key` unless it holds a higher or equal number already
    /// (`RisingMetadata`), in one write transaction: writes take turns, so the last one to run
    /// compares against every one before it.
    public func raiseMetadata(_ key: String, to value: UInt64) throws(StoreError) {
        try writeTransaction { db in
            let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
            guard RisingMetadata.rises(from: stored, to: value) else { return }
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", arguments: [key, String(value)])
        }
    }
}
