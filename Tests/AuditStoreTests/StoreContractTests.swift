@testable import AuditStore
import Dispatch
import Foundation
import Replication
import TestSupport
import Testing

/// Every store keeps the same state as the reference `ReplicatedState` for the same set of
/// changes: one contract, run against every backend (`StorageBackend`).
struct StoreContractTests {
    @Test(arguments: StorageBackend.allCases)
    func theStoreConvergesToTheReferenceStateWhateverTheOrderGapsAndDuplicates(backend: StorageBackend) throws {
        guard backend.isAvailable() else { return }
        for seed in 0..<UInt64(backend.runs(1_000)) {
            var simulator = HistorySimulator(seed: seed &+ 7_000_000)
            var dice = SeededGenerator(seed: seed)
            simulator.run(steps: Int.random(in: 10...50, using: &dice))
            let all = simulator.allChanges
            let reference = try simulator.referenceState()

            let store = try backend.makeStore(clock: ManualClock())
            defer { StorageBackend.close(store) }
            for batch in simulator.batches(simulator.shuffledWithDuplicates(all)) {
                try store.apply(batch)
            }
            let digest = try store.digest()
            #expect(digest == reference.digest(), "store and reference differ for seed \(seed)")
            #expect(try store.vector() == reference.vector)
            #expect(try store.changeCount() == all.count)
            if let store = store as? Store {
                try store.rebuild()
                #expect(try store.digest() == digest, "rebuild changed the digest for seed \(seed)")
            } else {
                let report = try store.verify()
                #expect(report.isSound && report.rebuiltDigest == digest, "verify found \(report.problems) for seed \(seed)")
            }
            if digest != reference.digest() { return }
        }
    }

    /// A remote apply writes the state of its changes a batch at a time, sorted by key
    /// (`ChangeApplier`, batched); whatever the batch size, even when batches end in the middle
    /// of an entity's changes, the state is the reference state and the store verifies.
    @Test func theStateIsTheSameWhateverTheSizeOfTheSortedBatches() throws {
        for seed in 0..<UInt64(200) {
            var simulator = HistorySimulator(seed: seed &+ 8_000_000)
            var dice = SeededGenerator(seed: seed)
            simulator.run(steps: Int.random(in: 10...50, using: &dice))
            let all = simulator.allChanges
            let reference = try simulator.referenceState()
            let sent = simulator.shuffledWithDuplicates(all)
            let size = Int.random(in: 1...7, using: &dice)
            let store = try Self.store(applying: sent, stateBatch: size)
            #expect(try store.digest() == reference.digest(), "batches of \(size) differ from the reference for seed \(seed)")
            let report = try store.verify()
            #expect(report.isSound, "verify found \(report.problems) for seed \(seed), batches of \(size)")
        }
    }

    /// An in-memory store searching `searchable` that applied `changes` in one remote apply,
    /// writing their state `stateBatch` changes at a time.
    static func store(applying changes: [Change], stateBatch: Int, searchable: Set<String> = ["text"]) throws -> Store {
        let store = try Store.inMemory(clock: ManualClock(), searchableFields: searchable)
        try store.writeTransaction { db in
            try ChangeTransaction.apply(changes, rows: SQLiteRows(db, path: store.path), searchableFields: searchable, now: 0, stateBatch: stateBatch)
        }
        return store
    }

    @Test(arguments: StorageBackend.allCases)
    func partialExchangesConvergeOnceEveryStoreHoldsEveryChange(backend: StorageBackend) throws {
        guard backend.isAvailable() else { return }
        for seed in 0..<UInt64(backend.runs(150)) {
            var simulator = HistorySimulator(seed: seed &+ 9_000_000)
            simulator.run(steps: 40)
            let all = simulator.allChanges
            let stores = try (0..<3).map { _ in try backend.makeStore(clock: ManualClock()) }
            defer { stores.forEach(StorageBackend.close) }
            var dice = SeededGenerator(seed: seed ^ 0x5EED)
            // Random partial deliveries first, leaving gaps...
            for store in stores {
                for batch in simulator.batches(simulator.subset(of: all).shuffled(using: &dice)) {
                    try store.apply(batch)
                }
            }
            // ...then everything, in another order.
            for store in stores { try store.apply(simulator.shuffledWithDuplicates(all)) }
            let digests = try Set(stores.map { try $0.digest() })
            #expect(digests.count == 1, "stores diverged for seed \(seed)")
        }
    }

    /// Same laws, same bytes: every backend given the same history holds the same digest, the
    /// same chains and streams the same links (what an export writes) in the same order.
    @Test func everyBackendHoldsTheSameBytesForTheSameHistory() throws {
        let backends = StorageBackend.allCases.filter { $0.isAvailable() }
        guard backends.count > 1 else { return }
        for seed in 0..<UInt64(propertyRuns(20)) {
            var simulator = HistorySimulator(seed: seed &+ 11_000_000)
            simulator.run(steps: 30)
            let all = simulator.allChanges
            let stores = try backends.map { try $0.makeStore(clock: ManualClock()) }
            defer { stores.forEach(StorageBackend.close) }
            var dice = SeededGenerator(seed: seed)
            for store in stores { try store.apply(all.shuffled(using: &dice)) }
            #expect(try Set(stores.map { try $0.digest() }).count == 1, "digests differ for seed \(seed)")
            let heads = try stores.map { try $0.originHeads().map { "\($0.origin.hex) \($0.contiguous) \($0.head.hex)" } }
            #expect(Set(heads).count == 1, "origin heads differ for seed \(seed)")
            let links = try stores.map { store in
                var links: [String] = []
                for head in try store.originHeads() {
                    try store.forEachLink(of: head.origin, after: 0, through: head.contiguous) { link in
                        switch link {
                        case let .change(change, _): links.append("\(change)")
                        case let .withheld(id, content): links.append("withheld \(id) \(content)")
                        }
                    }
                }
                return links
            }
            #expect(Set(links).count == 1, "exported links differ for seed \(seed)")
            #expect(try Set(stores.map { try $0.conflicts() }).count == 1)
        }
    }

    /// Concurrency the database gives: writers applying overlapping changes at the same time lose
    /// nothing; the store ends where applying everything once would leave it.
    @Test(arguments: StorageBackend.allCases)
    func concurrentWritersOfOverlappingChangesConverge(backend: StorageBackend) throws {
        guard backend.isAvailable(), backend != .sqlite else { return }  // an in-memory SQLite store has one connection
        for seed in 0..<UInt64(propertyRuns(5)) {
            var simulator = HistorySimulator(seed: seed &+ 13_000_000)
            simulator.run(steps: 60)
            let all = simulator.allChanges
            let reference = try simulator.referenceState()
            let store = try backend.makeStore(clock: ManualClock())
            defer { StorageBackend.close(store) }
            var dice = SeededGenerator(seed: seed)
            let deliveries = (0..<4).map { _ in simulator.batches(simulator.shuffledWithDuplicates(all).shuffled(using: &dice)) }
            let failures = Failures()
            DispatchQueue.concurrentPerform(iterations: deliveries.count) { writer in
                for batch in deliveries[writer] {
                    do { try store.apply(batch) } catch { failures.append("\(error)") }
                }
            }
            #expect(failures.all.isEmpty)
            #expect(try store.digest() == reference.digest(), "concurrent writers lost an update for seed \(seed)")
            #expect(try store.changeCount() == all.count)
        }
    }

    /// A store behind its own history (`Sync/PROTOCOL.md` §21.2): while a peer is recorded holding
    /// more of the writer's origin than the store, a local write is refused before it numbers
    /// anything; catching up with the missing changes lifts it, and the next change continues the
    /// chain. The record keeps the highest seq.
    @Test(arguments: StorageBackend.allCases)
    func aLocalWriteIsRefusedWhileAPeerHoldsMoreOfTheWritersOwnHistory(backend: StorageBackend) throws {
        guard backend.isAvailable() else { return }
        let (me, peer, engagement) = (testIdentity(1).id, testIdentity(2).id, testEntity(1))
        // Given the writer's history of four changes, made on the store as it was before its loss,
        // and a store restored holding only the first two, which learns a peer holds all four:
        let (history, restored) = try backend.restoredBehind(me, in: engagement, count: 4, holding: 2, peer: peer)
        defer { StorageBackend.close(restored) }
        try restored.recordPeerHolds(3, of: peer, origin: me)
        // When it writes, it is refused, naming both heads and the peer; nothing is written.
        let digest = try restored.digest()
        #expect {
            try restored.write(as: me) { try $0.set(.text("e"), "client", of: engagement, kind: "engagement", engagement: engagement) }
        } throws: { error in
            guard case let StoreError.behindOwnHistory(head, heldThrough, heldBy) = error else { return false }
            return head == 2 && heldThrough == 4 && heldBy == peer
        }
        #expect(try restored.digest() == digest && restored.changeCount() == 2)
        // Once it holds its four changes again, its next write is seq 5, the chain continued.
        _ = try restored.apply(history.suffix(2))
        let written = try restored.write(as: me) {
            try $0.set(.text("e"), "client", of: engagement, kind: "engagement", engagement: engagement)
        }
        #expect(written.id.seq == 5)
    }

    /// Imports for different engagements proceed in parallel: while a write transaction into one
    /// engagement is held open, another origin's write into another engagement commits.
    @Test func aWriteIntoOneEngagementDoesNotWaitForAnotherEngagementsOpenTransaction() throws {
        guard StorageBackend.postgres.isAvailable() else { return }
        let store = try StorageBackend.postgres.makeStore(clock: ManualClock())
        defer { StorageBackend.close(store) }
        let (first, second) = (testEntity(1), testEntity(2))
        let held = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let firstDone = DispatchSemaphore(value: 0), secondDone = DispatchSemaphore(value: 0)
        let failures = Failures()
        // Given a transaction writing into the first engagement, held open...
        DispatchQueue.global().async {
            do {
                try store.write(as: testIdentity(1).id) { transaction in
                    try transaction.set(.text("First client"), "client", of: first, kind: "engagement", engagement: first)
                    held.signal()
                    release.wait()
                }
            } catch { failures.append("\(error)") }
            firstDone.signal()
        }
        held.wait()
        // ...when another origin writes into the second engagement...
        DispatchQueue.global().async {
            do {
                try store.write(as: testIdentity(2).id) { transaction in
                    try transaction.set(.text("Second client"), "client", of: second, kind: "engagement", engagement: second)
                }
            } catch { failures.append("\(error)") }
            secondDone.signal()
        }
        // ...then it commits while the first is still open (a minute is the limit of waiting, not a measurement).
        let committedAlongside = secondDone.wait(timeout: .now() + 60) == .success
        release.signal()
        firstDone.wait()
        if !committedAlongside { secondDone.wait() }
        #expect(committedAlongside, "the second engagement's write waited for the first engagement's transaction")
        #expect(failures.all.isEmpty, "\(failures.all)")
        #expect(try store.snapshot(first)?.fields["client"]?.winner.value == .text("First client"))
        #expect(try store.snapshot(second)?.fields["client"]?.winner.value == .text("Second client"))
    }

    /// The one rebuild (`ChangeTransaction.rebuild`) reads the log a page at a time; whatever the
    /// page size, with placeholders of withheld changes and gaps falling anywhere among the pages,
    /// it leaves the digest, every origin's head and every recorded chain hash as they were.
    @Test func aRebuildReadingTheLogInPagesOfAnySizeLeavesTheStoreAsItWas() throws {
        for seed in 0..<UInt64(200) {
            var simulator = HistorySimulator(seed: seed &+ 15_000_000)
            var dice = SeededGenerator(seed: seed)
            simulator.run(steps: Int.random(in: 10...50, using: &dice))
            let all = simulator.allChanges.sorted { $0.id < $1.id }
            // Each origin's chain in order: some links withheld, some left out (a gap, after which
            // the origin's links can only be full changes, held beyond the gap).
            var gapped: Set<ReplicaID> = []
            var sent: [SyncLink] = []
            for change in all {
                switch Int.random(in: 0..<8, using: &dice) {
                case 0: gapped.insert(change.origin)
                case 1...2 where !gapped.contains(change.origin): sent.append(.withheld(change.id, change.contentDigest))
                default: sent.append(.change(change))
                }
            }
            let store = try Store.inMemory(clock: ManualClock(), searchableFields: ["text"])
            var links = sent.makeIterator()
            try store.importLinks(
                { links.next() }, bookkeeping: ImportBookkeeping(exporter: testIdentity(9).id, exporterHolds: VersionVector(), checkpoints: [])
            ) { _ in }
            func state() throws -> [String] {
                try ["\(store.digest())"] + store.originHeads().map { "\($0.origin) \($0.contiguous) \($0.head)" }
                    + all.map { "\($0.id) \(try store.chainHash(of: $0.id).map { "\($0)" } ?? "none")" }
            }
            let before = try state()
            let page = Int.random(in: 1...5, using: &dice)
            try store.writeTransaction { db in
                try ChangeTransaction.rebuild(rows: SQLiteRows(db, path: store.path), searchableFields: ["text"], page: page)
            }
            #expect(try state() == before, "a rebuild in pages of \(page) changed the store for seed \(seed)")
            #expect(try store.verify().isSound, "seed \(seed), pages of \(page)")
        }
    }
}

/// Errors collected from several threads.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String] = []

    func append(_ error: String) { lock.withLock { errors.append(error) } }
    var all: [String] { lock.withLock { errors } }
}
