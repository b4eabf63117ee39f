import Replication
import TestSupport
import Testing

/// Entity ids that name their creator (`EntityID.make(milliseconds:creator:using:)`): the
/// deletion rule reads the creator from the id, so every replica reads the same one.
struct CreatorBoundIDTests {
    /// Law: an id made for a creator names that creator and no other, and stays a time-ordered
    /// UUIDv7 with its milliseconds first.
    @Test func anIDNamesItsCreatorAndNoOtherReplica() {
        for seed in 0..<UInt64(propertyRuns(200)) {
            var generator = SeededGenerator(seed: seed)
            let creator = testIdentity(seed % 7 + 1).id, other = testIdentity(seed % 7 + 8).id
            let milliseconds = UInt64.random(in: 0..<(1 << 48), using: &generator)
            let id = EntityID.make(milliseconds: milliseconds, creator: creator, using: &generator)
            #expect(id.isMade(by: creator), "seed \(seed)")
            #expect(!id.isMade(by: other), "seed \(seed)")
            #expect(id.milliseconds == milliseconds && id.bytes[6] >> 4 == 7 && id.bytes[8] >> 6 == 0b10, "seed \(seed)")
            // Changing any byte of the id unbinds it.
            var altered = id.bytes
            altered[Int.random(in: 0..<16, using: &generator)] ^= 0x01
            if let changed = try? EntityID(bytes: altered) { #expect(!changed.isMade(by: creator), "seed \(seed)") }
        }
    }

    @Test func idsMadeBeforeIdsNamedTheirCreatorAndNameBasedIDsNameNobody() {
        var generator = SeededGenerator(seed: 9)
        let creator = testIdentity(1).id
        let unbound = (0..<200).map { _ in EntityID.make(milliseconds: 1_000, using: &generator) }
        #expect(!unbound.contains { $0.isMade(by: creator) })
        #expect(!EntityID.derived(namespace: "fieldaudit.soa", [1, 2, 3]).isMade(by: creator))
    }

    @Test func idsMadeLaterStillSortLater() {
        var generator = SeededGenerator(seed: 2)
        let creator = testIdentity(3).id
        let ids = (0..<100).map { EntityID.make(milliseconds: 1_000 + UInt64($0), creator: creator, using: &generator) }
        #expect(ids == ids.sorted())
    }
}
