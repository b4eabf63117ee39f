import GRDB
import GRDBSQLite
import Replication

/// A prepared statement on the raw SQLite connection GRDB holds, for the hot paths
/// (bulk apply, rebuild) where GRDB's statement arguments cost more than the insert itself.
///
/// Wraps `sqlite3_prepare_v3`, `sqlite3_bind_*`, `sqlite3_step` and `sqlite3_reset`. Use it only
/// inside a GRDB access block on the same connection, and let it go before the block returns.
final class SQLiteStatement {
    private let connection: OpaquePointer
    private var handle: OpaquePointer?

    /// `SQLITE_TRANSIENT`: SQLite copies bound bytes before the bind call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ db: Database, _ sql: String) throws(StoreError) {
        guard let connection = db.sqliteConnection else { throw .closed }
        self.connection = connection
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK else { throw StoreError.sqlite(code: code, message: Self.message(connection), sql: sql) }
    }

    deinit { sqlite3_finalize(handle) }

    private static func message(_ connection: OpaquePointer) -> String {
        String(cString: sqlite3_errmsg(connection))
    }

    // MARK: - Binding (parameters count from 1)

    func bind(_ value: Int64, at index: Int32) { sqlite3_bind_int64(handle, index, value) }
    func bind(_ value: UInt64, at index: Int32) { sqlite3_bind_int64(handle, index, Int64(bitPattern: value)) }
    func bind(_ value: Double, at index: Int32) { sqlite3_bind_double(handle, index, value) }
    func bindNull(at index: Int32) { sqlite3_bind_null(handle, index) }

    func bind(_ text: String, at index: Int32) {
        var text = text
        text.withUTF8 { utf8 in
            _ = sqlite3_bind_text(handle, index, utf8.baseAddress, Int32(utf8.count), Self.transient)
        }
    }

    /// Binds an entity id's 16 bytes as a blob, without an array.
    func bind(_ id: EntityID, at index: Int32) {
        id.withUnsafeBytes { raw in _ = sqlite3_bind_blob(handle, index, raw.baseAddress, Int32(raw.count), Self.transient) }
    }

    /// Binds a replica id's 16 bytes as a blob, without an array.
    func bind(_ id: ReplicaID, at index: Int32) {
        id.withUnsafeBytes { raw in _ = sqlite3_bind_blob(handle, index, raw.baseAddress, Int32(raw.count), Self.transient) }
    }

    func bind(blob: [UInt8], at index: Int32) {
        blob.withUnsafeBytes { raw in
            // A zero-length blob must still bind as a blob, not as NULL.
            _ = sqlite3_bind_blob(handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), Self.transient)
        }
    }

    // MARK: - Stepping

    /// Runs the statement to completion (for writes), then resets it.
    func run() throws(StoreError) {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else {
            throw .sqlite(code: code, message: Self.message(connection), sql: sql)
        }
    }

    /// Steps once: `true` when a row is ready to read, `false` when done.
    func step() throws(StoreError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            sqlite3_reset(handle)
            throw .sqlite(code: code, message: Self.message(connection), sql: sql)
        }
    }

    /// Makes the statement ready to run again (bindings are kept).
    func reset() { sqlite3_reset(handle) }

    /// How many rows the last write changed (`sqlite3_changes`).
    var changedRows: Int32 { sqlite3_changes(connection) }

    var sql: String { handle.map { String(cString: sqlite3_sql($0)) } ?? "" }

    // MARK: - Reading the current row (columns count from 0)

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func uint64(_ column: Int32) -> UInt64 { UInt64(bitPattern: sqlite3_column_int64(handle, column)) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// The column's UTF-8 bytes, unvalidated: `nil` for NULL.
    func textBytes(_ column: Int32) -> [UInt8]? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let pointer = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
