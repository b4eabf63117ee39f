import AuditModel
import AuditStore
@testable import BundleFormat
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// A bundle made for a peer carries the newest checkpoint the peer's own key signed
/// (`Sync/PROTOCOL.md` §12.2, §21.2): its signer learns it is behind its own history, everyone
/// else ignores it, and a forged one changes nothing.
struct RecipientCheckpointImportTests {
    let sync = SyncTests()

    /// A hash no chain holds.
    let strayHash = try! ChangeHash(bytes: Array(repeating: 7, count: 32))

    /// The team, the lead with a change Ben lacks, Ben's own head, and a checkpoint Ben's key
    /// signed four changes beyond it (as a store restored from an older backup would be behind).
    func teamWithBensCheckpointAhead() throws -> (lead: Replica, ben: Replica, cara: Replica, head: UInt64, ahead: Checkpoint) {
        let (lead, ben, cara) = try sync.team()
        _ = try lead.addNote("lead's remark", ref: "A.6.2.8", engagement: nil)
        let head = try ben.store.vector()[ben.identity.id]
        return (lead, ben, cara, head, Checkpoint.sign(seq: head + 4, hash: strayHash, by: ben.identity))
    }

    @Test(arguments: ReplicaBackend.allCases)
    func aBundleForAPeerCarriesTheNewestCheckpointItsKeySigned(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, _) = try sync.team()
            for index in 0..<3 { _ = try ben.addNote("remark \(index)", ref: "A.6.2.8", engagement: nil) }
            _ = try lead.importBundle(at: try sync.bundle(from: ben, for: lead))
            let header = try BundleReader(source: FileHandleSource(try #require(FileHandle(forReadingAtPath: try sync.bundle(from: lead, for: ben))))).header
            let carried = try #require(header.recipientCheckpoint)
            let benHead = try ben.store.vector()[ben.identity.id]
            #expect(carried.origin == ben.identity.id && carried.seq == benHead)
            try carried.verify(publicKey: ben.identity.publicKey)
            // For no particular peer, the header carries none.
            let anyone = try BundleReader(source: FileHandleSource(try #require(FileHandle(forReadingAtPath: try sync.bundle(from: lead))))).header
            #expect(anyone.recipientCheckpoint == nil)
        }
    }

    @Test(arguments: ReplicaBackend.allCases)
    func aCheckpointOfItsOwnKeyBeyondItsHeadStopsWritingButTheBundleIsImported(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, cara, head, ahead) = try teamWithBensCheckpointAhead()
            let bundle = try sync.remade(try sync.bundle(from: lead, for: ben), by: lead.identity, carrying: ahead)
            let summary = try ben.importBundle(at: bundle)
            #expect(summary.newChanges > 0)
            #expect(summary.behindOwnHistory?.contains("up to seq \(head + 4)") == true)
            #expect {
                _ = try ben.addNote("too early", ref: "A.6.2.8", engagement: nil)
            } throws: { error in
                guard case FieldAuditError.behindOwnHistory(head, head + 4, _) = error else { return false }
                return true
            }
            #expect(try ben.store.vector()[ben.identity.id] == head)

            // Cara imports the same kind of bundle, carrying Ben's checkpoint: it changes nothing for her.
            let forCara = try sync.remade(try sync.bundle(from: lead, for: cara), by: lead.identity, carrying: ahead)
            #expect(try cara.importBundle(at: forCara).behindOwnHistory == nil)
            _ = try cara.addNote("Cara writes on", ref: "A.6.2.8", engagement: nil)
        }
    }

    @Test(arguments: ReplicaBackend.allCases)
    func aForgedCheckpointClaimingTheRecipientsKeyIsRefusedAndChangesNothing(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, cara, head, signed) = try teamWithBensCheckpointAhead()
            var signature = signed.signature
            signature[0] ^= 1
            let forged = try Checkpoint(signerPublicKey: signed.signerPublicKey, seq: head + 4, hash: strayHash, signature: signature)
            let bundle = try sync.remade(try sync.bundle(from: lead, for: ben), by: lead.identity, carrying: forged)
            let before = try ben.store.digest()
            #expect {
                _ = try ben.importBundle(at: bundle)
            } throws: { error in
                guard case FieldAuditError.bundle(.forgedCheckpoint(let origin, _, _), _) = error else { return false }
                return origin == ben.identity.id
            }
            #expect(try ben.store.digest() == before)
            _ = try ben.addNote("Ben writes on", ref: "A.6.2.8", engagement: nil)
            #expect(try ben.store.vector()[ben.identity.id] > head)

            // Anyone else ignores it: they cannot check it and it vouches for nothing they import.
            let forCara = try sync.remade(try sync.bundle(from: lead, for: cara), by: lead.identity, carrying: forged)
            #expect(try cara.importBundle(at: forCara).newChanges > 0)
        }
    }

    @Test(arguments: ReplicaBackend.allCases)
    func aCheckpointAtOrBelowTheHeadChangesNothing(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, _) = try sync.team()
            _ = try ben.addNote("remark", ref: "A.6.2.8", engagement: nil)
            _ = try lead.importBundle(at: try sync.bundle(from: ben, for: lead))
            let summary = try ben.importBundle(at: try sync.bundle(from: lead, for: ben))
            #expect(summary.behindOwnHistory == nil)
            _ = try ben.addNote("Ben writes on", ref: "A.6.2.8", engagement: nil)
        }
    }
}
