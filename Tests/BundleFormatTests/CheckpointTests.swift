import Crypto
import Replication
import TestSupport
import Testing

@testable import BundleFormat

/// Checkpoints: an origin's signature over (origin, seq, hash), checkable by anyone with its key.
struct CheckpointTests {
    let origin = testIdentity(601)
    let other = testIdentity(602)
    let hash = try! ChangeHash(bytes: (0..<32).map { UInt8($0) })

    @Test
    func theSignedMessageIsTheDomainOriginSeqAndHash() {
        let message = Checkpoint.message(origin: origin.id, seq: 0x0102, hash: hash)
        #expect(message == Array("fieldaudit-checkpoint-v1".utf8) + origin.id.bytes + [0, 0, 0, 0, 0, 0, 1, 2] + hash.bytes)
    }

    @Test
    func aSignedCheckpointVerifiesAndIsTheSameEveryTime() throws {
        let checkpoint = Checkpoint.sign(seq: 42, hash: hash, by: origin)
        #expect(checkpoint.origin == origin.id)
        #expect(checkpoint.isValid)
        try checkpoint.verify(publicKey: origin.publicKey)
        #expect(Checkpoint.sign(seq: 42, hash: hash, by: origin) == checkpoint)
    }

    @Test
    func aCheckpointCheckedAgainstAnotherKeyIsForged() {
        let checkpoint = Checkpoint.sign(seq: 42, hash: hash, by: origin)
        #expect(throws: BundleError.forgedCheckpoint(origin: origin.id, seq: 42, frame: nil)) {
            try checkpoint.verify(publicKey: other.publicKey)
        }
    }

    @Test
    func changingTheSeqOrTheHashBreaksTheSignature() throws {
        let checkpoint = Checkpoint.sign(seq: 42, hash: hash, by: origin)
        let movedSeq = try Checkpoint(signerPublicKey: checkpoint.signerPublicKey, seq: 43, hash: hash, signature: checkpoint.signature)
        let otherHash = try Checkpoint(
            signerPublicKey: checkpoint.signerPublicKey, seq: 42, hash: .genesis, signature: checkpoint.signature)
        #expect(!movedSeq.isValid)
        #expect(!otherHash.isValid)
    }

    @Test
    func malformedPartsAreRefused() {
        #expect(throws: BundleError.self) { _ = try Checkpoint(signerPublicKey: [1, 2], seq: 1, hash: hash, signature: [UInt8](repeating: 0, count: 64)) }
        #expect(throws: BundleError.self) {
            _ = try Checkpoint(signerPublicKey: Array(origin.publicKey.rawRepresentation), seq: 0, hash: hash, signature: [UInt8](repeating: 0, count: 64))
        }
        #expect(throws: BundleError.self) {
            _ = try Checkpoint(signerPublicKey: Array(origin.publicKey.rawRepresentation), seq: 1, hash: hash, signature: [1])
        }
    }
}
