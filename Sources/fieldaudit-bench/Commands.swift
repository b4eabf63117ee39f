import AuditStore
import Foundation
import Replication

/// The bench's subcommands. Each opens its store inside the function, so the store is released,
/// its connection closed and its WAL checkpointed before the process exits.
enum Commands {
    /// `create-empty PATH`: a store with the current schema and no changes, made by `Store.open`
    /// so another program (the C reference) works on exactly our schema and file settings.
    static func createEmpty(at path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw BenchError("\(path) already exists; pass a new path")
        }
        let store = try Store.open(at: path)
        guard try store.changeCount() == 0 else { throw BenchError("\(path) is not empty") }
    }

    /// `apply --changes N PATH`: builds the workload in memory (not timed), then times one
    /// `Store.apply` call (one transaction, committed durably) on the empty store at `path`.
    ///
    /// Prints one line on standard output:
    /// `swift_apply changes=N seconds=S rate=R` (R in changes per second).
    static func apply(changes count: Int, at path: String) throws {
        let generationStart = ContinuousClock.now
        let workload = ApplyWorkload(count: count)
        log("generated \(count) changes (\(workload.supersedingCount) superseding, \(workload.entityCount) entities) in \(format(seconds(since: generationStart))) s")

        let store = try Store.open(at: path)
        guard try store.changeCount() == 0 else { throw BenchError("\(path) already holds changes; pass an empty store") }

        let start = ContinuousClock.now
        let report = try store.apply(workload.changes)
        let elapsed = seconds(since: start)

        guard report.applied == count, report.duplicates == 0, report.flaggedStamps.isEmpty else {
            throw BenchError("unexpected apply report: \(report)")
        }
        guard try store.changeCount() == count else { throw BenchError("the store does not hold \(count) changes") }
        print("swift_apply changes=\(count) seconds=\(format(elapsed)) rate=\(Int((Double(count) / elapsed).rounded()))")
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let duration = ContinuousClock.now - start
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func format(_ seconds: Double) -> String { String(format: "%.3f", seconds) }
}

/// A bench failure with a message for standard error.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Writes a progress or error line to standard error (standard output carries results only).
func log(_ message: String) {
    FileHandle.standardError.write(Data("fieldaudit-bench: \(message)\n".utf8))
}
