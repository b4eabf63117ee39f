import Replication
import TestSupport
import Testing

/// The chain law (`Sync/PROTOCOL.md` §3.1) in its one home: what extends an origin's chain and what does not.
struct OriginChainTests {
    /// `count` changes of one origin, in seq order, as its replica would write them.
    func history(_ count: Int, by identity: ReplicaIdentity = testIdentity(1), seed: UInt64) -> [Change] {
        var generator = SeededGenerator(seed: seed)
        var writer = ChangeWriter(origin: identity.id, lastSeq: 0, clock: HybridLogicalClock(last: .zero), now: 1_764_000_000_000)
        let engagement = testEntity(2)
        return (0..<count).map { index in
            let key = FieldKey(entity: testEntity(UInt64(10 + index % 3)), field: ["statement", "grade", "text"][index % 3])
            return writer.write(.integer(Int64(generator.next() >> 2)), to: key, kind: "finding", engagement: engagement, over: nil)
        }
    }

    @Test func extendingLinkByLinkGivesTheHashesOfTheProtocolAndOfTheReferenceState() throws {
        for seed in 0..<UInt64(propertyRuns(200)) {
            var dice = SeededGenerator(seed: seed)
            let changes = history(Int.random(in: 1...40, using: &dice), seed: seed)
            var chain = OriginChain(origin: changes[0].origin)
            var expected = ChangeHash.genesis
            for change in changes {
                // Some links travel withheld, as their id and content digest alone: same hash.
                let hash = dice.chance(0.3)
                    ? try chain.extend(by: change.id, content: change.contentDigest) : try chain.extend(by: change)
                expected = ChangeHash.link(expected, change.contentDigest)
                #expect(hash == expected && chain.head == expected && chain.seq == change.seq)
            }
            var state = ReplicatedState()
            for change in changes.shuffled(using: &dice) { try state.apply(change) }
            #expect(state.head(of: chain.origin) == chain.head, "seed \(seed)")
            #expect(state.vector[chain.origin] == chain.seq, "seed \(seed)")
        }
    }

    @Test func aLinkThatIsNotNextIsRefusedAndTheChainIsUnchanged() throws {
        let changes = history(6, seed: 7)
        var chain = OriginChain(origin: changes[0].origin)
        try chain.extend(by: changes[0])
        try chain.extend(by: changes[1])
        let before = chain
        for (misfit, why) in [(changes[3], "a gap"), (changes[1], "a repeat"), (changes[0], "an earlier link")] {
            #expect(throws: ReplicationError.notNextLink(misfit.id, expected: changes[2].id), Comment(rawValue: why)) {
                try chain.extend(by: misfit)
            }
            #expect(chain == before, Comment(rawValue: why))
        }
        try chain.extend(by: changes[2])
        #expect(chain.seq == 3)
    }

    @Test func anotherOriginsChangeDoesNotExtendTheChain() throws {
        let mine = history(2, by: testIdentity(1), seed: 3), theirs = history(2, by: testIdentity(4), seed: 3)
        var chain = OriginChain(origin: mine[0].origin)
        #expect(throws: ReplicationError.notNextLink(theirs[0].id, expected: mine[0].id)) { try chain.extend(by: theirs[0]) }
        #expect(chain == OriginChain(origin: mine[0].origin))
    }

    @Test func aLinkWhoseHashIsNotTheRecordedOneIsRefused() throws {
        let changes = history(3, seed: 9)
        var recorded = OriginChain(origin: changes[0].origin)
        for change in changes { try recorded.extend(by: change) }
        var altered = changes[2]
        altered.value = .text("altered")
        var chain = OriginChain(origin: changes[0].origin)
        try chain.extend(by: changes[0])
        try chain.extend(by: changes[1])
        let before = chain
        #expect(throws: ReplicationError.chainHashMismatch(
            altered.id, recorded: recorded.head, derived: ChangeHash.link(before.head, altered.contentDigest))
        ) {
            try chain.extend(by: altered.id, content: altered.contentDigest, recorded: recorded.head)
        }
        #expect(chain == before)
        #expect(try chain.extend(by: changes[2].id, content: changes[2].contentDigest, recorded: recorded.head) == recorded.head)
        #expect(chain == recorded)
    }

    @Test func theChainBeforeALinkStartsFromItsHeldPredecessor() throws {
        let changes = history(3, seed: 5)
        var full = OriginChain(origin: changes[0].origin)
        var hashes: [ChangeID: ChangeHash] = [:]
        for change in changes { hashes[change.id] = try full.extend(by: change) }

        #expect(OriginChain.before(changes[0].id, hashOf: { _ in nil }) == OriginChain(origin: changes[0].origin))
        #expect(OriginChain.before(changes[2].id, hashOf: { _ in nil }) == nil)
        var resumed = try #require(OriginChain.before(changes[2].id, hashOf: { hashes[$0] }))
        #expect(resumed.seq == 2 && resumed.next == changes[2].id)
        try resumed.extend(by: changes[2])
        #expect(resumed == full)
    }

    @Test func adoptingARecordedHashTakesTheNextLinkOnly() throws {
        let changes = history(2, seed: 6)
        let placeholder = try ChangeHash(bytes: [UInt8](repeating: 7, count: 32))
        var chain = OriginChain(origin: changes[0].origin)
        #expect(throws: ReplicationError.notNextLink(changes[1].id, expected: changes[0].id)) {
            try chain.adopt(changes[1].id, recorded: placeholder)
        }
        try chain.adopt(changes[0].id, recorded: placeholder)
        #expect(chain == OriginChain(origin: changes[0].origin, seq: 1, head: placeholder))
    }
}
