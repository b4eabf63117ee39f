@testable import AuditStorePostgres
import Replication
import TestSupport
import Testing

/// PostgreSQL's rows hold writes back and read a window of seqs or a set of entities at a time
/// (`PostgresRowBuffer`); whatever the size of those batches, even one row, ending anywhere in an
/// origin's seqs or an entity's changes, across transactions with gaps and duplicates, the store
/// holds the reference state and verifies.
struct PostgresBatchTests {
    @Test func theStateIsTheSameWhateverTheSizeOfThePostgresBatches() throws {
        guard let url = TestPostgres.url() else { return }
        for seed in 0..<UInt64(propertyRuns(60)) {
            var simulator = HistorySimulator(seed: seed &+ 12_000_000)
            var dice = SeededGenerator(seed: seed)
            simulator.run(steps: Int.random(in: 10...50, using: &dice))
            let all = simulator.allChanges
            let reference = try simulator.referenceState()
            let rowBatch = Int.random(in: 1...9, using: &dice)
            let stateBatch = Int.random(in: 0...7, using: &dice)
            let store = try PostgresStore.open(url: TestPostgres.freshURL(url), clock: ManualClock())
            defer { store.close() }
            for batch in simulator.batches(simulator.shuffledWithDuplicates(all)) {
                try store.apply(batch, rowBatch: rowBatch, stateBatch: stateBatch)
            }
            let sizes = "rows \(rowBatch), state \(stateBatch), seed \(seed)"
            #expect(try store.digest() == reference.digest(), "batches of \(sizes) differ from the reference")
            #expect(try store.vector() == reference.vector, "vector differs, \(sizes)")
            #expect(try store.changeCount() == all.count, "change count differs, \(sizes)")
            let report = try store.verify()
            #expect(report.isSound && report.rebuiltDigest == reference.digest(), "verify found \(report.problems), \(sizes)")
        }
    }
}
