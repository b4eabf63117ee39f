@testable import AuditStore
import Foundation
import GRDB
import Replication
import TestSupport
import Testing

struct StoreTests {
    let lead = testIdentity(1)
    let auditor = testIdentity(2)
    let engagement = testEntity(3)
    let finding = testEntity(4)

    func statement(_ store: Store) throws -> FieldState? {
        try store.state(of: FieldKey(entity: finding, field: "statement"))
    }

    @discardableResult
    func setStatement(_ text: String, in store: Store, by identity: ReplicaIdentity) throws -> Change {
        try store.write(as: identity.id) { transaction in
            try transaction.set(.text(text), "statement", of: finding, kind: "finding", engagement: engagement)
        }
    }

    @Test func localWritesNumberTheirChangesAndShareOneTransactionPerCommand() throws {
        let store = try Store.inMemory(clock: ManualClock())
        let written = try store.write(as: lead.id) { transaction in
            try transaction.set(.text("A.6.2.8"), "reference", of: finding, kind: "finding", engagement: engagement)
            try transaction.set(.text("Event logs are not kept"), "statement", of: finding, kind: "finding", engagement: engagement)
            return transaction.written
        }
        #expect(written.map(\.seq) == [1, 2])
        #expect(written.allSatisfy { $0.transaction == 1 })
        #expect(written[0].stamp < written[1].stamp)
        let next = try setStatement("Event logs are kept for 7 days only", in: store, by: lead)
        #expect(next.seq == 3 && next.transaction == 3)
        #expect(next.supersedes == [written[1].id])
        #expect(try store.vector()[lead.id] == 3)
    }

    @Test func aFailedCommandWritesNothing() throws {
        let store = try Store.inMemory(clock: ManualClock())
        try setStatement("first", in: store, by: lead)
        let before = try store.digest()
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try store.write(as: lead.id) { transaction in
                try transaction.set(.text("second"), "statement", of: finding, kind: "finding", engagement: engagement)
                throw Abort()
            }
        }
        #expect(try store.digest() == before)
        #expect(try store.changeCount() == 1)
    }

    @Test func concurrentEditsConflictOnBothStoresAndALaterWriteResolvesThemEverywhere() throws {
        let leadStore = try Store.inMemory(clock: ManualClock())
        let auditorStore = try Store.inMemory(clock: ManualClock())
        let original = try setStatement("original", in: leadStore, by: lead)
        try auditorStore.apply([original])

        let leadEdit = try setStatement("lead's wording", in: leadStore, by: lead)
        let auditorEdit = try setStatement("auditor's wording", in: auditorStore, by: auditor)
        try leadStore.apply([auditorEdit])
        try auditorStore.apply([leadEdit])

        for store in [leadStore, auditorStore] {
            let conflicts = try store.conflicts()
            #expect(conflicts.count == 1)
            #expect(Set(conflicts.first?.state.values.map(\.value) ?? []) == [.text("lead's wording"), .text("auditor's wording")])
            #expect(conflicts.first?.kind == "finding")
        }
        #expect(try leadStore.digest() == auditorStore.digest())

        let resolution = try setStatement("agreed wording", in: leadStore, by: lead)
        try auditorStore.apply([resolution])
        for store in [leadStore, auditorStore] {
            #expect(try store.conflicts().isEmpty)
            #expect(try statement(store)?.values.map(\.value) == [.text("agreed wording")])
        }
        #expect(try leadStore.digest() == auditorStore.digest())
    }

    @Test func applyIsAllOrNothing() throws {
        let author = try Store.inMemory(clock: ManualClock())
        let first = try setStatement("one", in: author, by: lead)
        let second = try setStatement("two", in: author, by: lead)
        let receiver = try Store.inMemory(clock: ManualClock())
        try receiver.apply([first])
        let before = try receiver.digest()

        var forged = first
        forged.value = .text("forged")
        #expect(throws: StoreError.self) { try receiver.apply([second, forged]) }
        #expect(try receiver.digest() == before)
        #expect(try receiver.changeCount() == 1)

        let report = try receiver.apply([second, first, second])
        #expect(report.applied == 1 && report.duplicates == 2)
    }

    @Test func deleteAndRestoreMaterialiseTheEntityFlag() throws {
        let store = try Store.inMemory(clock: ManualClock())
        try setStatement("draft", in: store, by: lead)
        try store.write(as: lead.id) { try $0.delete(finding, kind: "finding", engagement: engagement) }
        #expect(try store.entity(finding)?.deleted == true)
        #expect(try store.entities(ofKind: "finding").isEmpty)
        #expect(try store.entities(ofKind: "finding", includingDeleted: true).count == 1)
        try store.write(as: lead.id) { try $0.restore(finding, kind: "finding", engagement: engagement) }
        #expect(try store.entity(finding)?.deleted == false)
        #expect(try statement(store)?.winner.value == .text("draft"))
    }

    @Test func aRemoteStampFarInTheFutureIsFlaggedAndDoesNotDragTheClock() throws {
        let clock = ManualClock()
        let remote = try Store.inMemory(clock: clock)
        clock.advance(by: 24 * 3_600_000)  // the remote laptop's clock is a day ahead
        let future = try setStatement("from tomorrow", in: remote, by: auditor)
        clock.advance(by: -24 * 3_600_000)

        let local = try Store.inMemory(clock: clock)
        let report = try local.apply([future])
        #expect(report.flaggedStamps == [future.id])
        #expect(try local.flaggedStamps().map(\.change) == [future.id])
        let mine = try setStatement("today", in: local, by: lead)
        #expect(mine.stamp.milliseconds == clock.now())
    }

    /// A large import stops keeping the log's entity index change by change and builds it again
    /// before its checks (`BulkEntityIndex`): after the commit the index is there and SQLite finds
    /// the file sound, an entity's history reads the same as on a store imported change by change,
    /// and the state is the reference state; a refused import leaves the index as it was.
    @Test func anImportPastTheBulkThresholdLeavesTheEntityIndexWholeAndTheStateTheSame() throws {
        var simulator = HistorySimulator(seed: 21)
        simulator.run(steps: 200)
        let all = simulator.allChanges.sorted { $0.id < $1.id }
        var reference = ReplicatedState()
        for change in all { try reference.apply(change) }
        let bookkeeping = ImportBookkeeping(exporter: testIdentity(9).id, exporterHolds: VersionVector(), checkpoints: [])
        func schemaVersion(_ store: Store) throws -> Int {
            try store.readTransaction { db in try Int.fetchOne(db, sql: "PRAGMA schema_version") ?? 0 }
        }
        /// Imports every change into `store` (a new one by default); whether the schema changed,
        /// as dropping and creating the index does.
        func importAll(bulkAfter threshold: Int, refusing: Bool = false, into store: Store? = nil) throws -> (Store, rebuiltIndex: Bool) {
            let store = try store ?? Store.inMemory(clock: ManualClock())
            let before = try schemaVersion(store)
            var links = all.map { SyncLink.change($0) }.makeIterator()
            _ = try? store.importLinks({ links.next() }, bookkeeping: bookkeeping, bulkIndexAfter: threshold) { _ in
                if refusing { throw StoreError.unexpected("refused") }
            }
            return (store, try schemaVersion(store) != before)
        }
        func imported(bulkAfter threshold: Int, refusing: Bool = false) throws -> Store {
            try importAll(bulkAfter: threshold, refusing: refusing).0
        }
        func indexes(_ store: Store) throws -> [String] {
            try store.readTransaction { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'change' AND sql IS NOT NULL")
            }
        }
        let (bulk, bulkRebuilt) = try importAll(bulkAfter: 10)
        let (plain, plainRebuilt) = try importAll(bulkAfter: Int.max)
        #expect(bulkRebuilt)
        #expect(!plainRebuilt)
        // The same links again are all held: nothing new, so the index is left alone.
        #expect(try importAll(bulkAfter: 10, into: bulk).rebuiltIndex == false)
        #expect(try bulk.digest() == reference.digest())
        #expect(try indexes(bulk) == ["change_by_entity"])
        #expect(try bulk.readTransaction { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
        for entity in Set(all.map(\.entity)) {
            #expect(try bulk.history(of: entity) == plain.history(of: entity))
        }
        let refused = try imported(bulkAfter: 10, refusing: true)
        #expect(try refused.changeCount() == 0)
        #expect(try indexes(refused) == ["change_by_entity"])
    }

    /// The entity index is created again under a 1 MiB page cache (SQLite's sorter takes as much
    /// memory as the cache); afterwards, and after a refused import too, the store's connection
    /// has its own page cache again, `Store.pageCacheKiB`.
    @Test func theBulkEntityIndexSetsThePageCacheBackAfterTheImport() throws {
        let directory = TemporaryDirectory()
        var simulator = HistorySimulator(seed: 22)
        simulator.run(steps: 60)
        let all = simulator.allChanges
        let bookkeeping = ImportBookkeeping(exporter: testIdentity(9).id, exporterHolds: VersionVector(), checkpoints: [])
        for refusing in [false, true] {
            let store = try Store.open(at: directory.file("store-\(refusing).sqlite"), clock: ManualClock())
            var links = all.map { SyncLink.change($0) }.makeIterator()
            _ = try? store.importLinks({ links.next() }, bookkeeping: bookkeeping, bulkIndexAfter: 5) { _ in
                if refusing { throw StoreError.unexpected("refused") }
            }
            let cache = try store.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") }
            #expect(cache == -Store.pageCacheKiB, "refusing: \(refusing)")
            #expect(try store.changeCount() == (refusing ? 0 : all.count))
        }
    }

    @Test func rebuildReproducesTheDigestByteForByte() throws {
        let store = try Store.inMemory(clock: ManualClock())
        var simulator = HistorySimulator(seed: 42)
        simulator.run(steps: 200)
        try store.apply(simulator.allChanges.reversed())
        let digest = try store.digest()
        try store.rebuild()
        #expect(try store.digest() == digest)
    }
}
