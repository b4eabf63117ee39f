import Crypto
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
