import Crypto
import Foundation
import Replication
import TestSupport
import Testing

struct IdentifierTests {
    @Test func entityIDsAreVersion7WithTheirTimeFirst() {
        var generator = SeededGenerator(seed: 1)
        let id = EntityID.make(milliseconds: 0x0123_4567_89AB, using: &generator)
        #expect(id.bytes.prefix(6) == [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB])
        #expect(id.bytes[6] >> 4 == 7)
        #expect(id.bytes[8] >> 6 == 0b10)
        #expect(id.milliseconds == 0x0123_4567_89AB)
    }

    @Test func entityIDsMadeLaterSortLater() {
        var generator = SeededGenerator(seed: 2)
        let ids = (0..<100).map { EntityID.make(milliseconds: 1_000 + UInt64($0), using: &generator) }
        #expect(ids == ids.sorted())
    }

    @Test func idsHeldAsTwoWordsBehaveAsTheirSixteenBytes() throws {
        // Random bytes, with the words' boundary and bytes of 0x80 and above stressed: ids as two
        // words must order as `memcmp` orders their bytes, be equal exactly when the bytes are,
        // give the bytes back, and write them unchanged.
        var generator = SeededGenerator(seed: 21)
        var samples: [[UInt8]] = (0..<400).map { _ in (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        for index in 0..<16 {
            var high = [UInt8](repeating: 0x7f, count: 16)
            high[index] = 0x80
            samples += [high, [UInt8](repeating: 0x7f, count: 16), [UInt8](repeating: 0xff, count: 16), [UInt8](repeating: 0, count: 16)]
        }
        for (left, right) in zip(samples, samples.shuffled(using: &generator)) {
            let (a, b) = (try EntityID(bytes: left), try EntityID(bytes: right))
            let (p, q) = (try ReplicaID(bytes: left), try ReplicaID(bytes: right))
            #expect(a.bytes == left && p.bytes == left)
            #expect((a < b) == left.lexicographicallyPrecedes(right) && (p < q) == left.lexicographicallyPrecedes(right))
            #expect((a == b) == (left == right) && (p == q) == (left == right))
            #expect(a.withUnsafeBytes { Array($0) } == left && p.withUnsafeBytes { Array($0) } == left)
            #expect(EntityID(words: a.words) == a)
            var writer = ByteWriter()
            writer.write(id: a)
            writer.write(id: p)
            #expect(writer.bytes == left + left)
            #expect(try EntityID(bytes: left[...]) == a && (try ReplicaID(bytes: Data(left))) == p)
        }
        #expect(throws: ReplicationError.self) { try EntityID(bytes: [UInt8](repeating: 1, count: 15)) }
        #expect(throws: ReplicationError.self) { try ReplicaID(bytes: [UInt8](repeating: 1, count: 17)) }
    }

    @Test func entityIDTextRoundTrips() throws {
        let id = testEntity(3)
        let text = id.description
        #expect(text.count == 36 && text.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
        #expect(try EntityID(text) == id)
        #expect(try EntityID(text.uppercased()) == id)
        #expect(throws: ReplicationError.self) { try EntityID("not-a-uuid") }
    }

    @Test func replicaIDIsDerivedFromThePublicKey() throws {
        let identity = testIdentity(4)
        let expected = Array(SHA256.hash(data: identity.publicKey.rawRepresentation).prefix(16))
        #expect(identity.id.bytes == expected)
        #expect(try ReplicaID(hex: identity.id.hex) == identity.id)
        #expect(testIdentity(5).id != identity.id)
        #expect(throws: ReplicationError.self) { try ReplicaID(hex: "abc") }
    }

    @Test func identitiesRoundTripThroughTheirPrivateKeyBytes() throws {
        let identity = testIdentity(6)
        let restored = try ReplicaIdentity(privateKeyBytes: identity.privateKeyBytes)
        #expect(restored.id == identity.id)
        let signature = identity.sign(Array("hello".utf8))
        #expect(identity.publicKey.isValidSignature(signature, for: Array("hello".utf8)))
        #expect(!identity.publicKey.isValidSignature(signature, for: Array("hellO".utf8)))
    }

    @Test func hexRejectsOddLengthsAndNonHexDigits() {
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("0aFF") == [0x0a, 0xff])
        #expect(Hex.encode([0x00, 0x7f, 0xff]) == "007fff")
    }
}
