@testable import AuditStore
import Replication
import TestSupport
import Testing

/// The packed batch a batched `ChangeApplier` holds (`PendingChanges`) gives back exactly the
/// changes it was given, in (entity, field, arrival) order, and the state a store reaches does not
/// depend on the size of its batches.
struct PendingChangesTests {
    /// Names that are equal as Swift strings but not as bytes, long ones and non-ASCII ones.
    private static let names = [
        "title", "deleted", "\u{e9}tat", "e\u{301}tat", "漢字 ✓", String(repeating: "k", count: 255),
        String(repeating: "é", count: 127) + "x", "a",
    ]

    /// Every case of `Value` at its edges.
    private static let edgeValues: [Value] = [
        .null, .integer(.min), .integer(.max), .integer(0), .integer(-1), .real(.nan), .real(-0.0), .real(0.0),
        .real(.infinity), .real(-.infinity), .real(.leastNonzeroMagnitude), .text(""), .text("é 漢字 ✓ \u{1F600}"),
        .text("e\u{301}"), .text(String(repeating: "x", count: 60)), .bytes([]), .bytes(Array(repeating: 0xff, count: 70_000)),
        .blob(try! BlobDigest(bytes: Array(0..<32))), .json(#"{"a":[1,2,{"b":"é"}]}"#), .json(""),
    ]

    private static func randomChange(using dice: inout SeededGenerator, origins: [ReplicaID], entities: [EntityID]) -> Change {
        let origin = origins.randomElement(using: &dice)!
        let seq = dice.chance(0.1) ? UInt64(Int64.max) : UInt64.random(in: 1...2_000_000, using: &dice)
        let value: Value = dice.chance(0.5)
            ? edgeValues.randomElement(using: &dice)!
            : [
                .integer(Int64.random(in: .min ... .max, using: &dice)),
                .real(Double(bitPattern: dice.next())),
                .text(String(decoding: dice.bytes(Int.random(in: 0...300, using: &dice)).map { $0 & 0x7f }, as: UTF8.self)),
                .bytes(dice.bytes(Int.random(in: 0...100, using: &dice))),
            ].randomElement(using: &dice)!
        let supersedes = (0..<Int.random(in: 0...4, using: &dice)).map { _ in
            ChangeID(origin: origins.randomElement(using: &dice)!, seq: UInt64.random(in: 1...UInt64(Int64.max), using: &dice))
        }
        return Change(
            origin: origin, seq: seq, stamp: Timestamp(rawValue: dice.next()),
            transaction: UInt64.random(in: 1...seq, using: &dice),
            engagement: entities.randomElement(using: &dice)!, kind: names.randomElement(using: &dice)!,
            entity: dice.chance(0.3) ? testEntity(dice.next()) : entities.randomElement(using: &dice)!,
            field: names.randomElement(using: &dice)!, value: value, supersedes: supersedes)
    }

    /// Encode then decode, over random changes of every kind of value, supersedes of several
    /// origins and long or Unicode-equivalent names: each decoded change is `==` to the one held,
    /// and they come back sorted by entity bytes, field bytes, then arrival. One batch is drained
    /// and filled again, so what a drain leaves behind is tested too.
    @Test func aPackedChangeDecodesToTheChangeHeld() throws {
        var pending = PendingChanges()
        for seed in 0..<UInt64(propertyRuns(60)) {
            var dice = SeededGenerator(seed: seed &+ 22_000_000)
            let origins = (0..<Int.random(in: 1...5, using: &dice)).map { testIdentity(seed &* 7 &+ UInt64($0)).id }
            let entities = (0..<Int.random(in: 1...6, using: &dice)).map { testEntity(seed &* 11 &+ UInt64($0)) }
            let held = (0..<Int.random(in: 0...400, using: &dice)).map { _ in
                Self.randomChange(using: &dice, origins: origins, entities: entities)
            }
            for change in held { pending.append(change) }
            #expect(pending.count == held.count)
            let expected = held.enumerated().sorted { a, b in
                if a.element.entity != b.element.entity { return a.element.entity < b.element.entity }
                if !a.element.field.utf8.elementsEqual(b.element.field.utf8) {
                    return a.element.field.utf8.lexicographicallyPrecedes(b.element.field.utf8)
                }
                return a.offset < b.offset
            }.map(\.element)
            var decoded: [Change] = []
            try pending.drain { change throws(StoreError) in decoded.append(change) }
            #expect(decoded.count == expected.count, "seed \(seed)")
            for (index, (got, want)) in zip(decoded, expected).enumerated() where got != want {
                Issue.record("seed \(seed): change \(index) decoded as \(got), held \(want)")
                break
            }
            #expect(pending.isEmpty && pending.recordBytes == 0)
        }
    }

    /// A change with a 60-byte text value, one supersedes and the benchmark's names packs into
    /// at most 130 bytes with its key, about a third of the `Change` it stands for.
    @Test func aTypicalChangePacksIntoAtMost130Bytes() {
        var pending = PendingChanges()
        let origin = testIdentity(1).id, engagement = testEntity(2)
        let count = 1000
        for index in 0..<count {
            pending.append(Change(
                origin: origin, seq: UInt64(500_000 + index), stamp: Timestamp(milliseconds: 1_764_000_000_000, counter: 3),
                transaction: UInt64(500_000 + index), engagement: engagement, kind: "note",
                entity: testEntity(UInt64(index)), field: "text", value: .text(String(repeating: "r", count: 60)),
                supersedes: [ChangeID(origin: origin, seq: UInt64(400_000 + index))]))
        }
        let perChange = (pending.recordBytes + 24 * count) / count
        #expect(perChange <= 130, "\(perChange) bytes a change")
    }

    /// A thrown error in the middle of a drain leaves nothing held: the next batch starts empty.
    @Test func aDrainThatThrowsLeavesNothingHeld() {
        var pending = PendingChanges()
        var dice = SeededGenerator(seed: 3)
        let origins = [testIdentity(1).id], entities = [testEntity(1)]
        for _ in 0..<10 { pending.append(Self.randomChange(using: &dice, origins: origins, entities: entities)) }
        #expect(throws: StoreError.self) {
            try pending.drain { _ throws(StoreError) in throw StoreError.unexpected("stop") }
        }
        #expect(pending.isEmpty)
    }

    /// Over random histories with conflicts, deletions, gaps (a random subset of the changes) and
    /// duplicates, applied in random order: batches of 1, 2, 7, 8192 and `ChangeApplier.stateBatch`
    /// changes all reach the reference state and the same digest, and the store verifies.
    @Test func theStateIsTheSameForEveryBatchSize() throws {
        let sizes = [1, 2, 7, 8192, ChangeApplier.stateBatch]
        for seed in 0..<UInt64(propertyRuns(60)) {
            var simulator = HistorySimulator(seed: seed &+ 22_100_000)
            var dice = SeededGenerator(seed: seed)
            simulator.run(steps: Int.random(in: 10...80, using: &dice))
            let held = simulator.subset(of: simulator.allChanges)
            var reference = ReplicatedState()
            for change in held { try reference.apply(change) }
            let sent = simulator.shuffledWithDuplicates(held)
            for size in sizes {
                let store = try StoreContractTests.store(applying: sent, stateBatch: size, searchable: ["title"])
                #expect(try store.digest() == reference.digest(), "batches of \(size) differ from the reference for seed \(seed)")
                let report = try store.verify()
                #expect(report.isSound, "verify found \(report.problems) for seed \(seed), batches of \(size)")
            }
        }
    }
}
