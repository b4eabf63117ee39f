import Foundation
import GRDB

extension Store {
    /// A second connection to this store's file, read-only, for reads on another thread while
    /// this store's one connection (a `DatabaseQueue`) is held by a write transaction: an import
    /// verifies its bundle on it beside the transaction that applies the bundle. Reads through the
    /// store must not wait for a write that waits for them; these do not (WAL: a reader sees the
    /// last commit before its read transaction began, never the writer's uncommitted pages).
    ///
    /// The returned store shares nothing with this one (its own connection, its own pins:
    /// `PinnedRead` keys pins by store and thread), so use it on one thread, typically inside one
    /// `withPinnedRead` block so all its reads see one snapshot. Its writes throw
    /// `StoreError.readOnly`. Its page cache is SQLite's default (2 MiB), not the writer's, so a
    /// second reader adds little to an import's peak memory. Close it by letting it go.
    ///
    /// - Returns: `nil` for a store in memory (a second connection would open another, empty,
    ///   database).
    /// - Throws: `StoreError.cannotOpen` if the file cannot be opened again.
    public func readOnlyConnection() throws(StoreError) -> Store? {
        guard path != ":memory:" else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(Self.busyTimeout)
        let reader: DatabaseQueue
        do {
            reader = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw Self.classify(error, at: path) ?? .cannotOpen(path: path, reason: String(describing: error))
        }
        return Store(path: path, queue: reader, clock: clock, searchableFields: searchableFields)
    }
}

extension ImportView {
    /// Keeps an import's bookkeeping (checkpoints to relay, what the exporter holds) inside the
    /// import's transaction, as `ChangeStorage.importLinks` does with the bookkeeping it is given:
    /// for an import that learns it only once its links are applied (its verification pass ran
    /// beside them), and that passed empty bookkeeping to `importLinks`. Its `forks` are not
    /// quarantined here: an import that finds forks applies its bundle again, passing them to
    /// `importLinks` (`ChangeTransaction.quarantine`).
    ///
    /// - Throws: `StoreError` from the backend.
    public func keep(_ bookkeeping: ImportBookkeeping) throws {
        try ChangeTransaction.keep(bookkeeping, rows: rows)
    }
}
