@testable import AuditStore
import Foundation
import GRDB
import GRDBSQLite
import Replication
import TestSupport
import Testing

/// Behaviour that needs a store on disk: durability, tampering, schema versions, two writers.
struct StoreFileTests {
    let lead = testIdentity(1)
    let engagement = testEntity(3)
    let finding = testEntity(4)

    func write(_ text: String, field: String = "statement", to store: Store, by origin: ReplicaID? = nil) throws {
        try store.write(as: origin ?? lead.id) { transaction in
            try transaction.set(.text(text), field, of: finding, kind: "finding", engagement: engagement)
        }
    }

    @Test func writesSurviveReopening() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("store.sqlite")
        let digest: StateDigest
        do {
            let store = try Store.open(at: path)
            try write("kept", to: store)
            digest = try store.digest()
        }
        let reopened = try Store.open(at: path)
        #expect(try reopened.digest() == digest)
        #expect(try reopened.state(of: FieldKey(entity: finding, field: "statement"))?.winner.value == .text("kept"))
    }

    @Test func sqliteCountsNoMemoryInAProcessThatLinksTheStore() throws {
        let directory = TemporaryDirectory()
        let store = try Store.open(at: directory.file("store.sqlite"))
        try write("kept", to: store)
        // Asked as the process started, before any test used SQLite: with the statistics on, an
        // open store's page cache and statements would be counted here.
        #expect(Store.sqliteMemoryStatisticsOff)
        #expect(sqlite3_memory_used() == 0)
        _ = store
    }

    @Test func verifyPassesOnASoundStore() throws {
        let directory = TemporaryDirectory()
        let store = try Store.open(at: directory.file("store.sqlite"))
        var simulator = HistorySimulator(seed: 5)
        simulator.run(steps: 80)
        try store.apply(simulator.allChanges.shuffled())
        let report = try store.verify()
        #expect(report.isSound, "\(report.problems)")
        #expect(report.rebuiltDigest == report.digest)
        #expect(report.changeCount == simulator.allChanges.count)
    }

    @Test func verifyNamesAChangeEditedDirectlyInTheSQLiteFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("store.sqlite")
        let store = try Store.open(at: path)
        try write("Event logs are not kept", to: store)
        try write("A.6.2.8", field: "reference", to: store)

        // Someone edits the first change's value with sqlite3, outside FieldAudit
        let tamper = try DatabaseQueue(path: path)
        try tamper.write { db in
            try db.execute(sql: "UPDATE change SET value = 'Event logs are kept' WHERE seq = 1")
        }

        let report = try store.verify()
        #expect(!report.isSound)
        let broken = report.problems.compactMap { problem -> (ChangeID, EntityID, String)? in
            if case let .brokenChain(change, entity, field, _, _) = problem { return (change, entity, field) }
            return nil
        }
        #expect(broken.count == 1)
        #expect(broken.first?.0 == ChangeID(origin: lead.id, seq: 1))
        #expect(broken.first?.1 == finding)
        #expect(broken.first?.2 == "statement")
        #expect(report.problems.contains { if case .stateMismatch(finding, "statement", _, _) = $0 { true } else { false } })
        #expect(report.rebuiltDigest != report.digest)
    }

    @Test func verifyNamesMaterialisedStateEditedDirectly() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("store.sqlite")
        let store = try Store.open(at: path)
        try write("original", to: store)
        let tamper = try DatabaseQueue(path: path)
        try tamper.write { db in try db.execute(sql: "UPDATE field_value SET value = 'edited'") }
        let report = try store.verify()
        #expect(report.problems.count == 1)
        #expect(report.problems.allSatisfy { problem in
            guard case let .stateMismatch(entity, field, change, detail) = problem else { return false }
            return entity == finding && field == "statement" && change == ChangeID(origin: lead.id, seq: 1)
                && detail.contains("other content")
        })
    }

    @Test func aStoreFromANewerVersionIsRefusedAndLeftAlone() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("store.sqlite")
        _ = try Store.open(at: path)
        let future = try DatabaseQueue(path: path)
        try future.write { db in try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99: from the future')") }
        #expect {
            _ = try Store.open(at: path)
        } throws: { error in
            guard case let StoreError.newerSchema(_, unknown) = error else { return false }
            return unknown == ["v99: from the future"]
        }
    }

    @Test func twoWritersOnOneFileLoseNothing() async throws {
        let directory = TemporaryDirectory()
        let path = directory.file("store.sqlite")
        _ = try Store.open(at: path)
        let writers = [testIdentity(7), testIdentity(8)]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in writers {
                group.addTask {
                    let store = try Store.open(at: path)  // its own connection, as another process would have
                    for index in 0..<100 {
                        try store.write(as: writer.id) { transaction in
                            try transaction.set(
                                .integer(Int64(index)), "count", of: testEntity(UInt64(index)), kind: "note",
                                engagement: testEntity(3))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let store = try Store.open(at: path)
        #expect(try store.changeCount() == 200)
        #expect(try store.vector()[writers[0].id] == 100 && store.vector()[writers[1].id] == 100)
        #expect(try store.verify().isSound)
    }
}

struct StoreDurabilityTests {
    @Test func aStoreOnDiskWritesWithSynchronousFull() throws {
        let directory = TemporaryDirectory()
        let store = try Store.open(at: directory.file("store.sqlite"))
        #expect(try store.synchronousLevel() == 2)
    }

    @Test func aStoreWithAReadPoolWritesWithSynchronousFullToo() throws {
        let directory = TemporaryDirectory()
        let store = try Store.open(at: directory.file("store.sqlite"), concurrentReads: true)
        #expect(store.readsConcurrently)
        #expect(try store.synchronousLevel() == 2)
    }
}

struct BlobScratchTests {
    @Test func scratchLeftByADeadProcessIsRemovedAndLiveScratchIsKept() throws {
        let directory = TemporaryDirectory()
        let blobs = BlobStore(directory: directory.file("blobs"))
        let stored = try blobs.put(bytes: Array("evidence".utf8))
        // A PID above the kernel's maximum never runs; ours does.
        let dead = directory.file("blobs/.incoming-4194305-abandoned")
        let live = directory.file("blobs/.incoming-\(getpid())-in-use")
        for path in [dead, live] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        #expect(blobs.removeAbandonedScratch() == 1)
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: live))
        #expect(blobs.verify(stored.digest))
    }
}
