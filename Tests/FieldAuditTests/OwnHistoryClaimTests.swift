import AuditModel
import AuditStore
@testable import BundleFormat
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// What a replica learns of its own history from others, and when that stops it from writing
/// (`Sync/PROTOCOL.md` §21 step 2, §21.2): only its own signature proves a peer holds its history
/// beyond its head, and catching up, placeholders included, lifts the refusal.
struct OwnHistoryClaimTests {
    let sync = SyncTests()

    /// A bundle signed by `exporter` listing `engagement` and `ranges`, with these checkpoints and no links.
    func claimingBundle(by exporter: ReplicaIdentity, engagement: EntityID, ranges: [OriginRange], checkpoints: [Checkpoint] = []) throws -> String {
        let header = BundleHeader(exporterKey: exporter.publicKey, createdAt: 1, engagements: [engagement], ranges: ranges)
        let writer = try BundleWriter(header: header, exporter: exporter, sink: MemorySink())
        for checkpoint in checkpoints { try writer.append(checkpoint) }
        try writer.finish()
        let path = sync.directory.file("claim-\(UUID().uuidString.prefix(6)).fabundle")
        try Data(writer.sink.bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// An `export --for PEER --all` from `source`: the peer's own changes come back to it.
    func restoringBundle(from source: Replica, for peer: ReplicaID) throws -> String {
        var request = ExportRequest(peer: peer)
        request.returnsPeerChanges = true
        let path = sync.directory.file("\(source.name)-all-\(UUID().uuidString.prefix(6)).fabundle")
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        _ = try source.export(request, to: FileHandleSink(handle))
        try handle.close()
        return path
    }

    /// A teammate (a known signer) claims in a header to hold Ben's own history through 2^62,
    /// with no link and no signature of Ben's behind it: the import records nothing of it, the
    /// store is unchanged, and Ben still writes. A claim backed by Ben's own changes and
    /// checkpoint counts only as far as that checkpoint.
    @Test(arguments: ReplicaBackend.allCases)
    func aRangeClaimingTheImportersOwnHistoryWithoutItsSignatureCannotStopItWriting(backend: ReplicaBackend) throws {
        try backend.run {
            // Given Ben with three notes, and Cara on the same team
            let (lead, ben, cara) = try sync.team()
            for index in 0..<3 { _ = try ben.addNote("note \(index)", ref: "5.1", engagement: nil) }
            let engagement = try lead.engagementID(nil)
            let me = ben.identity.id
            let head = try ben.store.vector()[me]
            let before = try ben.store.digest()

            // When Ben imports Cara's bundle claiming his origin through 2^62, with nothing behind it
            let hostile = try claimingBundle(by: cara.identity, engagement: engagement, ranges: [OriginRange(origin: me, after: 0, through: 1 << 62)])
            let summary = try ben.importBundle(at: hostile)

            // Then nothing changed, nothing is recorded of Ben's origin, and Ben still writes
            #expect(summary.newChanges == 0 && summary.withheld == 0)
            #expect(try ben.store.digest() == before)
            #expect(try ben.peerVector(of: cara.identity.id)[me] == 0)
            _ = try ben.addNote("still writing", ref: "5.2", engagement: nil)
            #expect(try ben.store.vector()[me] > head)

            // When Cara relays Ben's real changes and his checkpoint under a range claiming far beyond them
            let changes = try ben.store.changes(of: me)
            var hash = ChangeHash.genesis
            for change in changes { hash = ChangeHash.of(change, after: hash) }
            let last = try #require(changes.last)
            let header = BundleHeader(
                exporterKey: cara.identity.publicKey, createdAt: 1, engagements: [engagement],
                ranges: [OriginRange(origin: me, after: 0, through: 1 << 62)])
            let writer = try BundleWriter(header: header, exporter: cara.identity, sink: MemorySink())
            for change in changes { try writer.append(change) }
            try writer.append(Checkpoint.sign(seq: last.seq, hash: hash, by: ben.identity))
            try writer.finish()
            let relayed = sync.directory.file("relayed.fabundle")
            try Data(writer.sink.bytes).write(to: URL(fileURLWithPath: relayed))
            _ = try ben.importBundle(at: relayed)

            // Then Cara is recorded holding Ben's history only as far as Ben signed it, and Ben writes on
            #expect(try ben.peerVector(of: cara.identity.id)[me] == last.seq)
            _ = try ben.addNote("writing on", ref: "5.3", engagement: nil)
        }
    }

    /// A checkpoint Ben's own key signed beyond his store's head is proof his store is behind: a
    /// bundle carrying one records it, and Ben's writes are refused naming that seq (§21.2).
    @Test(arguments: ReplicaBackend.allCases)
    func aCheckpointSignedByTheImportersOwnKeyBeyondItsHeadStillStopsItsWrites(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, cara) = try sync.team()
            _ = try ben.addNote("note", ref: "5.1", engagement: nil)
            let me = ben.identity.id
            let head = try ben.store.vector()[me]
            // Given Ben's key signed seq head + 2 on a copy of his store that is since lost
            let signed = Checkpoint.sign(seq: head + 2, hash: ChangeHash.genesis, by: ben.identity)
            let path = try claimingBundle(
                by: cara.identity, engagement: try lead.engagementID(nil), ranges: [OriginRange(origin: me, after: head, through: head + 2)],
                checkpoints: [signed])
            // When Ben imports a bundle carrying that checkpoint
            _ = try ben.importBundle(at: path)
            // Then his writes are refused, naming his head and the seq he signed
            #expect(try ben.peerVector(of: cara.identity.id)[me] == head + 2)
            #expect {
                _ = try ben.addNote("refused", ref: "5.2", engagement: nil)
            } throws: { error in
                guard case let FieldAuditError.behindOwnHistory(refusedHead, heldThrough, _) = error else { return false }
                return refusedHead == head && heldThrough == head + 2
            }
        }
    }

    /// Ben's last own changes are in an engagement he was later removed from. His laptop is
    /// restored from a backup taken before them; the lead's `export --all` for him brings them back
    /// as placeholders (he may no longer read them). That catches him up: he writes again, the
    /// next seq after the placeholders, and his chain verifies (§21.2, "the way out").
    @Test func aStoreRestoredThroughPlaceholdersOfItsOwnChangesWritesAgainAfterThem() throws {
        // Given Ben's backup, taken after his first note, and two more notes the lead received
        let (lead, ben, _) = try sync.team()
        let me = ben.identity.id
        _ = try ben.addNote("Before the backup", ref: "5.1", engagement: nil)
        let backup = sync.directory.file("ben-backup")
        try FileManager.default.copyItem(atPath: sync.directory.file("ben"), toPath: backup)
        let backedUp = try ben.store.vector()[me]
        _ = try ben.addNote("After the backup", ref: "7.1", engagement: nil)
        _ = try ben.addNote("Last note before the removal", ref: "6.2", engagement: nil)
        _ = try lead.importBundle(at: try sync.bundle(from: ben, for: lead))
        let signed = try ben.store.vector()[me]
        // ...then Ben is removed from the engagement
        _ = try lead.removeMember(me, engagement: nil)

        // When the restored laptop imports the lead's export --all for Ben
        let restored = try Replica.open(at: StoreLocation(directory: backup), clock: sync.clock)
        #expect(try restored.store.vector()[me] == backedUp)
        let summary = try restored.importBundle(at: try restoringBundle(from: lead, for: me))

        // Then his own later changes came back as placeholders, and his head reaches what the lead holds
        #expect(summary.withheld > 0)
        #expect(try restored.store.vector()[me] == signed)
        #expect(try restored.peerVector(of: lead.identity.id)[me] == signed)
        // ...and he writes again, continuing his chain after the placeholders
        _ = try restored.createEngagement(EngagementDraft(client: "Northwind Foods Ltd", auditType: .stage1))
        let newSeqs = try restored.store.changes(of: me).map(\.seq).filter { $0 > signed }
        #expect(newSeqs.min() == signed + 1)
        #expect(try restored.verify().isSound)
    }
}
