import Dispatch
import FieldAudit

/// The central repository's replica, shared by every request.
///
/// Reads (exports for pulls, the vector, the key check) run at once, beside the writes: the
/// store gives each a snapshot of its own (SQLite opened with `concurrentReads`, a pool of read
/// connections in WAL; PostgreSQL, pooled connections), so a pull never waits for an import. A
/// pull's whole export is one snapshot (`ChangeStorage.withPinnedRead`): an import committing
/// meanwhile is in the bundle whole or not at all.
/// Writes (imports) take turns on one queue when the store writes on one connection (SQLite), so
/// laptops syncing at once wait their turn instead of meeting "busy"; on PostgreSQL they run at
/// once, each its own transaction, the store locking only the origins, engagements and peers it
/// touches (imports for different engagements proceed in parallel; a deadlock the database breaks
/// is retried by the import).
///
/// Work runs on dispatch queues, never on the concurrency pool or an event loop, so a long import
/// holds up none of the server's connections.
public final class CentralReplica: Sendable {
    /// The replica served.
    public let replica: Replica
    private let writer = DispatchQueue(label: "fieldaudit.central.writer")
    private let concurrent = DispatchQueue(label: "fieldaudit.central.concurrent", attributes: .concurrent)

    /// Serves `replica`: writes one at a time on one writer queue unless its store takes
    /// concurrent writers (`Replica.writesConcurrently`), reads beside them.
    public init(_ replica: Replica) {
        self.replica = replica
    }

    /// Whether writes run at once (PostgreSQL) rather than one at a time (SQLite).
    public var writesConcurrently: Bool { replica.writesConcurrently }

    /// Runs `body` as a write: alone among the writes on SQLite, beside them on PostgreSQL.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Replica) throws(FieldAuditError) -> T) async throws(FieldAuditError) -> T {
        try await run(on: writesConcurrently ? concurrent : writer, body)
    }

    /// Runs `body` beside other reads and the writes in progress.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Replica) throws(FieldAuditError) -> T) async throws(FieldAuditError) -> T {
        try await run(on: concurrent, body)
    }

    private func run<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable (Replica) throws(FieldAuditError) -> T) async throws(FieldAuditError) -> T {
        let replica = replica
        let result: Result<T, FieldAuditError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(FieldAuditError) { continuation.resume(returning: .success(try body(replica))) } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
