@testable import AuditStore
import Dispatch
import Foundation
import Replication
import TestSupport
import Testing

/// `withPinnedRead`: many reads, one snapshot, on every backend; no write inside; and
/// `raiseMetadata`, which never moves a number backwards.
struct PinnedReadTests {
    let directory = TemporaryDirectory()

    /// A store whose reads run beside a writer: SQLite with a read pool (as the central opens it),
    /// or PostgreSQL. (SQLite's one-connection store serves one thread at a time.)
    func concurrentStore(_ backend: StorageBackend) throws -> any ChangeStorage {
        switch backend {
        case .sqlite: return try Store.open(at: directory.file("store-\(UUID().uuidString).sqlite"), clock: ManualClock(), concurrentReads: true)
        case .postgres: return try backend.makeStore(clock: ManualClock())
        }
    }

    /// What the reads of one moment see.
    struct Sight: Equatable {
        var digest: StateDigest
        var vector: VersionVector
        var changes: Int
        var links: Int
        var marker: String?
    }

    func look(at store: any ChangeStorage) throws -> Sight {
        var links = 0
        for head in try store.originHeads() {
            try store.forEachLink(of: head.origin, after: 0, through: head.contiguous) { _ in links += 1 }
        }
        return Sight(digest: try store.digest(), vector: try store.vector(), changes: try store.changeCount(), links: links, marker: try store.metadata("marker"))
    }

    @Test(.timeLimit(.minutes(2)), arguments: StorageBackend.allCases)
    func readsInsideAPinnedReadSeeOneSnapshotWhileAWriteCommitsBesideIt(backend: StorageBackend) throws {
        guard backend.isAvailable() else { return }
        var simulator = HistorySimulator(seed: 15)
        simulator.run(steps: 40)
        let all = simulator.allChanges
        let (early, late) = (Array(all.prefix(all.count / 2)), Array(all.suffix(from: all.count / 2)))
        let store = try concurrentStore(backend)
        defer { StorageBackend.close(store) }
        // Given a store holding half of a history
        try store.apply(early)
        try store.setMetadata("marker", to: "before")
        let before = try look(at: store)
        let (during, afterwards): (Sight, Sight) = try store.withPinnedRead {
            let first = try look(at: store)
            // When the other half commits beside a pinned read, after its first reads
            try onAnotherThread {
                try store.apply(late)
                try store.setMetadata("marker", to: "after")
            }
            return (first, try look(at: store))
        }
        // Then every read inside sees the store as it was when the read began
        #expect(during == before)
        #expect(afterwards == before)
        // And a read after the block sees the commit
        let after = try look(at: store)
        #expect(after.changes == all.count && after.marker == "after")
        #expect(after != before)
    }

    @Test(arguments: StorageBackend.allCases)
    func aWriteInsideAPinnedReadIsRefusedAndWritesNothing(backend: StorageBackend) throws {
        guard backend.isAvailable() else { return }
        var simulator = HistorySimulator(seed: 16)
        simulator.run(steps: 10)
        let store = try backend.makeStore(clock: ManualClock())
        defer { StorageBackend.close(store) }
        try store.setMetadata("marker", to: "before")
        try store.withPinnedRead {
            // When a block pinned to one snapshot writes, each way a store writes
            let refusals: [() throws -> Void] = [
                { try store.setMetadata("marker", to: "inside") },
                { try store.raiseMetadata("counter", to: 1) },
                { _ = try store.apply(simulator.allChanges) },
                { _ = try store.write(as: testIdentity(1).id) { _ in } },
            ]
            for write in refusals {
                // Then it is refused with an error saying so, not a crash nor a wait
                let error = try #require(throws: StoreError.self) { try write() }
                guard case let .unexpected(message) = error else { Issue.record("refused as \(error)"); continue }
                #expect(message.contains("pinned to one snapshot"))
            }
            #expect(try store.metadata("marker") == "before")
        }
        // And nothing was written; after the block, writing works again
        #expect(try store.changeCount() == 0 && store.metadata("counter") == nil)
        try store.setMetadata("marker", to: "after")
        #expect(try store.metadata("marker") == "after")
    }

    @Test(.timeLimit(.minutes(2)), arguments: StorageBackend.allCases)
    func aPinnedReadInsideAnotherJoinsItsSnapshot(backend: StorageBackend) throws {
        guard backend.isAvailable() else { return }
        let store = try concurrentStore(backend)
        defer { StorageBackend.close(store) }
        try store.setMetadata("marker", to: "before")
        let seen = try store.withPinnedRead {
            _ = try store.metadata("marker")
            try onAnotherThread { try store.setMetadata("marker", to: "after") }
            // A nested block (a use case calling another) neither waits for its own connection
            // nor starts a second snapshot
            return try store.withPinnedRead { try store.metadata("marker") }
        }
        #expect(seen == "before")
        #expect(try store.metadata("marker") == "after")
    }

    @Test(arguments: StorageBackend.allCases)
    func raisingAMetadataNumberNeverMovesItBackwards(backend: StorageBackend) throws {
        guard backend.isAvailable() else { return }
        let store = try backend.makeStore(clock: ManualClock())
        defer { StorageBackend.close(store) }
        try store.raiseMetadata("counter", to: 5)
        try store.raiseMetadata("counter", to: 3)
        #expect(try store.metadata("counter") == "5")
        try store.raiseMetadata("counter", to: 12)
        #expect(try store.metadata("counter") == "12")
        // A value that is not a number is lower than any
        try store.setMetadata("counter", to: "not a number")
        try store.raiseMetadata("counter", to: 0)
        #expect(try store.metadata("counter") == "0")
        // Compared as numbers, not as text ("9" sorts after "10")
        try store.raiseMetadata("counter", to: 10)
        try store.raiseMetadata("counter", to: 9)
        #expect(try store.metadata("counter") == "10")
    }

    /// The law: whatever order concurrent raises run and finish in, the highest stays.
    @Test(arguments: StorageBackend.allCases)
    func concurrentRaisesLeaveTheHighestWhateverOrderTheyFinishIn(backend: StorageBackend) throws {
        guard backend.isAvailable() else { return }
        for seed in 0..<UInt64(backend.runs(20)) {
            let store = try concurrentStore(backend)
            defer { StorageBackend.close(store) }
            var dice = SeededGenerator(seed: seed)
            let values = (0..<16).map { _ in UInt64.random(in: 1...1_000, using: &dice) }
            DispatchQueue.concurrentPerform(iterations: values.count) { index in
                do { try store.raiseMetadata("counter", to: values[index]) } catch { Issue.record("raise failed: \(error)") }
            }
            #expect(try store.metadata("counter") == String(values.max()!), "seed \(seed): \(values)")
        }
    }
}
