@testable import AuditStore
import Replication
import TestSupport
import Testing

/// The store keeps the same state as the reference `ReplicatedState` for the same set of changes.
struct StoreContractTests {
    @Test func theStoreConvergesToTheReferenceStateWhateverTheOrderGapsAndDuplicates() throws {
        for seed in 0..<UInt64(propertyRuns(1_000)) {
            var simulator = HistorySimulator(seed: seed &+ 7_000_000)
            var dice = SeededGenerator(seed: seed)
            simulator.run(steps: Int.random(in: 10...50, using: &dice))
            let all = simulator.allChanges
            var reference = ReplicatedState()
            for change in all { try reference.apply(change) }

            let store = try Store.inMemory(clock: ManualClock())
            for batch in simulator.batches(simulator.shuffledWithDuplicates(all)) {
                try store.apply(batch)
            }
            let digest = try store.digest()
            #expect(digest == reference.digest(), "store and reference differ for seed \(seed)")
            #expect(try store.vector() == reference.vector)
            #expect(try store.changeCount() == all.count)
            try store.rebuild()
            #expect(try store.digest() == digest, "rebuild changed the digest for seed \(seed)")
            if digest != reference.digest() { return }
        }
    }

    @Test func partialExchangesConvergeOnceEveryStoreHoldsEveryChange() throws {
        for seed in 0..<UInt64(propertyRuns(150)) {
            var simulator = HistorySimulator(seed: seed &+ 9_000_000)
            simulator.run(steps: 40)
            let all = simulator.allChanges
            let stores = try (0..<3).map { _ in try Store.inMemory(clock: ManualClock()) }
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
}
