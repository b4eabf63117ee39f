@testable import AuditStore
import Foundation
import Replication
import TestSupport
import Testing

/// A store's head of its own origin is its gap-free chain, placeholders of withheld changes
/// included (`Sync/PROTOCOL.md` §21.2), on every backend.
struct OwnHeadTests {
    /// `changes` arriving from `peer` as placeholders: withheld, as to a replica that may no
    /// longer read their engagement.
    static func receiveWithheld(_ changes: some Sequence<Change>, into store: any ChangeStorage, from peer: ReplicaID) throws -> ApplyReport {
        var withheld = changes.map { SyncLink.withheld($0.id, $0.contentDigest) }.makeIterator()
        return try store.importLinks({ withheld.next() }, bookkeeping: ImportBookkeeping(exporter: peer, exporterHolds: VersionVector(), checkpoints: [])) { _ in }
    }

    /// A restored store that catches up through placeholders of its own changes (withheld from it:
    /// they are in an engagement it may no longer read) is no longer behind: the refusal lifts, and
    /// its next change is numbered after the placeholders, so the chain continues without a fork.
    @Test(arguments: StorageBackend.allCases)
    func catchingUpThroughPlaceholdersOfItsOwnChangesLiftsTheRefusalAndNumbersAfterThem(backend: StorageBackend) throws {
        guard backend.isAvailable() else { return }
        let (me, peer, engagement) = (testIdentity(1).id, testIdentity(2).id, testEntity(1))
        // Given the writer's history of four changes, made on the store as it was before its loss,
        // and a store restored holding the first two, which learns a peer holds all four
        let (history, restored) = try backend.restoredBehind(me, in: engagement, count: 4, holding: 2, peer: peer)
        defer { StorageBackend.close(restored) }
        #expect(throws: StoreError.self) {
            try restored.write(as: me) { try $0.set(.text("e"), "client", of: engagement, kind: "engagement", engagement: engagement) }
        }
        // When it receives its last two changes withheld, as placeholders
        let report = try Self.receiveWithheld(history.suffix(2), into: restored, from: peer)
        #expect(report.withheld == 2)
        #expect(try restored.vector()[me] == 4)
        // Then it writes again, its next change seq 5, the chain continued through the placeholders
        let written = try restored.write(as: me) {
            try $0.set(.text("e"), "client", of: engagement, kind: "engagement", engagement: engagement)
        }
        #expect(written.id.seq == 5)
        #expect(try restored.vector()[me] == 5)
    }

    /// A store whose own latest changes are placeholders (never refused: no peer is recorded
    /// beyond it) numbers its next change after them, never reusing a placeholder's seq.
    @Test(arguments: StorageBackend.allCases)
    func aLocalWriteIsNumberedAfterThePlaceholdersOfTheWritersOwnChanges(backend: StorageBackend) throws {
        guard backend.isAvailable() else { return }
        let (me, peer, engagement) = (testIdentity(1).id, testIdentity(2).id, testEntity(1))
        let history = try backend.lostHistory(of: me, in: engagement, count: 3)
        let store = try backend.makeStore(clock: ManualClock())
        defer { StorageBackend.close(store) }
        _ = try store.apply(history.prefix(1))
        _ = try Self.receiveWithheld(history.suffix(2), into: store, from: peer)
        let written = try store.write(as: me) {
            try $0.set(.text("d"), "client", of: engagement, kind: "engagement", engagement: engagement)
        }
        #expect(written.id.seq == 4)
        #expect(try store.vector()[me] == 4)
    }
}

extension StorageBackend {
    /// The first `count` changes `writer` made in `engagement` (its `client` field set to "a",
    /// "b", …), on a store of this backend that is then closed: a history a restored store lost.
    func lostHistory(of writer: ReplicaID, in engagement: EntityID, count: Int) throws -> [Change] {
        let lost = try makeStore(clock: ManualClock())
        defer { StorageBackend.close(lost) }
        for index in 0..<count {
            let client = String(UnicodeScalar(UInt8(ascii: "a") + UInt8(index)))
            try lost.write(as: writer) { try $0.set(.text(client), "client", of: engagement, kind: "engagement", engagement: engagement) }
        }
        return try lost.changes(of: writer, after: 0, limit: count)
    }

    /// A store of this backend restored from an older backup of `writer`'s: of the `count` changes
    /// `writer` made in `engagement` (`lostHistory`), it holds the first `holding`, and it has learnt
    /// that `peer` holds all of them. The caller closes it.
    func restoredBehind(
        _ writer: ReplicaID, in engagement: EntityID, count: Int, holding: Int, peer: ReplicaID
    ) throws -> (history: [Change], restored: any ChangeStorage) {
        let history = try lostHistory(of: writer, in: engagement, count: count)
        let restored = try makeStore(clock: ManualClock())
        _ = try restored.apply(history.prefix(holding))
        try restored.recordPeerHolds(UInt64(count), of: peer, origin: writer)
        return (history, restored)
    }
}
