import Replication
import TestSupport
import Testing

/// The merge laws on random histories: state is a function of the set of changes.
struct ConvergencePropertyTests {
    @Test func replicasHoldingTheSameChangesHaveTheSameDigestWhateverTheOrder() throws {
        for seed in 0..<UInt64(propertyRuns(2_000)) {
            var simulator = HistorySimulator(seed: seed)
            var dice = SeededGenerator(seed: ~seed)
            simulator.run(steps: Int.random(in: 10...60, using: &dice))
            let all = simulator.allChanges
            var digests = Set<StateDigest>()
            for peer in simulator.peers {
                var state = peer.state
                for change in simulator.shuffledWithDuplicates(all) { try state.apply(change) }
                #expect(state.changes.count == all.count)
                digests.insert(state.digest())
            }
            var fresh = ReplicatedState()
            for change in simulator.shuffledWithDuplicates(all) { try fresh.apply(change) }
            digests.insert(fresh.digest())
            #expect(digests.count == 1, "histories diverged for seed \(seed)")
            if digests.count != 1 { return }
        }
    }

    @Test func mergeIsCommutativeAssociativeAndIdempotent() throws {
        for seed in 0..<UInt64(propertyRuns(500)) {
            var simulator = HistorySimulator(seed: seed &+ 1_000_000)
            simulator.run(steps: 40)
            let all = simulator.allChanges
            let a = simulator.subset(of: all), b = simulator.subset(of: all), c = simulator.subset(of: all)
            func merged(_ parts: [[Change]]) throws -> StateDigest {
                var state = ReplicatedState()
                for part in parts { for change in part { try state.apply(change) } }
                return state.digest()
            }
            #expect(try merged([a, b]) == merged([b, a]), "not commutative, seed \(seed)")
            #expect(try merged([a + b, c]) == merged([a, b + c]), "not associative, seed \(seed)")
            #expect(try merged([a, a]) == merged([a]), "not idempotent, seed \(seed)")
        }
    }
}
