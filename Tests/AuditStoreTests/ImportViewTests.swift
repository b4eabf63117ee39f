@testable import AuditStore
import Replication
import TestSupport
import Testing

/// What an import's authorisation check reads inside the transaction: the store knows no domain
/// words, so the caller names the entity kinds it wants.
struct ImportViewTests {
    let founder = testIdentity(1)
    let peer = testIdentity(2)
    let matter = testEntity(3)

    @Test func theViewReturnsTheKindsTheCallerNamesIncludingTheImportsOwnChanges() throws {
        let store = try Store.inMemory(clock: ManualClock())
        let memo = testEntity(5)
        try store.write(as: founder.id) { transaction in
            try transaction.set(.text("Matter 7"), "title", of: matter, kind: "matter", engagement: matter)
            try transaction.set(.text("not asked for"), "text", of: memo, kind: "memo", engagement: matter)
        }
        var writer = ChangeWriter(origin: peer.id, lastSeq: 0, clock: HybridLogicalClock(last: .zero), now: 1_764_000_000_000)
        let party = writer.write(.text("counsel"), to: FieldKey(entity: testEntity(4), field: "role"), kind: "party", engagement: matter, over: nil)
        var links: [SyncLink] = [.change(party)]

        var seen: [String: [EntityID]] = [:]
        try store.importLinks(
            { links.isEmpty ? nil : links.removeFirst() },
            bookkeeping: ImportBookkeeping(exporter: peer.id, exporterHolds: VersionVector(), checkpoints: [])
        ) { view in
            for snapshot in try view.snapshots(engagement: matter, kinds: ["matter", "party"]) {
                seen[snapshot.kind, default: []].append(snapshot.id)
            }
        }

        #expect(seen == ["matter": [matter], "party": [party.entity]])
    }
}
