import Dispatch
import FieldAudit

/// The central repository's replica, shared by every request: writes (imports, and exports, which
/// record what they sent) take turns on one queue, so laptops syncing at once wait their turn
/// instead of meeting "busy"; reads (the vector, the key check) do not queue behind the writes
/// waiting for their turn, only behind the one in progress (the store has one connection).
///
/// Work runs on dispatch queues, never on the concurrency pool or an event loop, so a long import
/// holds up none of the server's connections.
public final class CentralReplica: Sendable {
    /// The replica served.
    public let replica: Replica
    private let writer = DispatchQueue(label: "fieldaudit.central.writer")
    private let readers = DispatchQueue(label: "fieldaudit.central.readers", attributes: .concurrent)

    /// Serves `replica`: imports one at a time on one writer queue, reads beside them.
    public init(_ replica: Replica) {
        self.replica = replica
    }

    /// Runs `body` alone among the writes.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Replica) throws(FieldAuditError) -> T) async throws(FieldAuditError) -> T {
        try await run(on: writer, body)
    }

    /// Runs `body` beside other reads and the current write.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Replica) throws(FieldAuditError) -> T) async throws(FieldAuditError) -> T {
        try await run(on: readers, body)
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
