import AuditModel
import AuditStore
@testable import BundleFormat
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// Damaged and hostile bundles: each gets a clear error and leaves the store exactly as it was.
struct HostileImportTests {
    let sync = SyncTests()

    /// The lead, the auditor Ben, a bundle of Ben's day for the lead, and the lead's digest before it.
    func scenario() throws -> (lead: Replica, ben: Replica, path: String, before: StateDigest) {
        let (lead, ben, _) = try sync.team()
        for index in 0..<20 { _ = try ben.addNote("observation \(index) on logging", ref: "A.6.2.8", engagement: nil) }
        let path = try sync.bundle(from: ben, for: lead)
        return (lead, ben, path, try lead.store.digest())
    }

    func expectRefused(_ replica: Replica, _ bytes: [UInt8], unchanged digest: StateDigest, _ comment: Comment) throws {
        let path = sync.directory.file("hostile-\(UUID().uuidString.prefix(6)).fabundle")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: FieldAuditError.self, comment) { try replica.importBundle(at: path) }
        #expect(try replica.store.digest() == digest, comment)
    }

    @Test(arguments: ReplicaBackend.allCases)
    func aBitFlipAnywhereIsRefused(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, _, path, before) = try scenario()
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            var generator = SeededGenerator(seed: 11)
            for _ in 0..<60 {
                var damaged = bytes
                let offset = Int.random(in: 0..<bytes.count, using: &generator)
                damaged[offset] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
                try expectRefused(lead, damaged, unchanged: before, "bit flip at \(offset)")
            }
        }
    }

    @Test(arguments: ReplicaBackend.allCases)
    func aTruncatedBundleIsRefused(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, _, path, before) = try scenario()
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            var generator = SeededGenerator(seed: 12)
            let cuts = [0, 1, 8, 14, bytes.count - 1, bytes.count - 64, bytes.count - 96] + (0..<30).map { _ in Int.random(in: 0..<bytes.count, using: &generator) }
            for cut in cuts { try expectRefused(lead, Array(bytes.prefix(cut)), unchanged: before, "cut at \(cut)") }
        }
    }

    @Test(arguments: ReplicaBackend.allCases)
    func aBundleOfANewerFormatVersionIsRefusedNamingBothVersions(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, _, path, before) = try scenario()
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[8] = 0
            bytes[9] = 2
            let file = sync.directory.file("future.fabundle")
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            #expect {
                _ = try lead.importBundle(at: file)
            } throws: { error in
                let text = "\(error)"
                return text.contains("2") && text.contains("1") && text.lowercased().contains("version")
            }
            #expect(try lead.store.digest() == before)
        }
    }

    /// A bundle signed by `identity` carrying `changes` of its own origin, with a checkpoint at the
    /// last one's chain position computed from `chain`.
    func craftedBundle(by identity: ReplicaIdentity, changes: [Change], engagement: EntityID, checkpointAt: (UInt64, ChangeHash)) throws -> [UInt8] {
        let header = BundleHeader(
            exporterKey: identity.publicKey, createdAt: 1, engagements: [engagement],
            ranges: [OriginRange(origin: identity.id, after: changes.first!.seq - 1, through: checkpointAt.0)])
        let writer = try BundleWriter(header: header, exporter: identity, sink: MemorySink())
        for change in changes { try writer.append(change) }
        try writer.append(Checkpoint.sign(seq: checkpointAt.0, hash: checkpointAt.1, by: identity))
        try writer.finish()
        return writer.sink.bytes
    }

    @Test(arguments: ReplicaBackend.allCases)
    func aChangeDroppedFromTheMiddleOfAChainIsRefused(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, _, before) = try scenario()
            let changes = try ben.store.changes(of: ben.identity.id)
            let engagement = changes[0].engagement
            var hash = ChangeHash.genesis
            for change in changes { hash = ChangeHash.of(change, after: hash) }
            var dropped = changes
            dropped.remove(at: changes.count / 2)
            let bytes = try craftedBundle(by: testIdentity(2), changes: dropped, engagement: engagement, checkpointAt: (changes.last!.seq, hash))
            try expectRefused(lead, bytes, unchanged: before, "dropped change")
        }
    }

    @Test(arguments: ReplicaBackend.allCases)
    func twoChangesSwappedInTheBundleAreRefused(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, _, before) = try scenario()
            let changes = try ben.store.changes(of: ben.identity.id)
            var hash = ChangeHash.genesis
            for change in changes { hash = ChangeHash.of(change, after: hash) }
            var reordered = changes
            reordered.swapAt(4, 5)
            let bytes = try craftedBundle(by: testIdentity(2), changes: reordered, engagement: changes[0].engagement, checkpointAt: (changes.last!.seq, hash))
            try expectRefused(lead, bytes, unchanged: before, "reordered changes")
        }
    }

    @Test(arguments: ReplicaBackend.allCases)
    func anAlteredChangeIsRefusedEvenWithAValidExporterSignature(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, _, before) = try scenario()
            let changes = try ben.store.changes(of: ben.identity.id)
            var hash = ChangeHash.genesis
            for change in changes { hash = ChangeHash.of(change, after: hash) }
            var altered = changes
            altered[3].value = .text("altered by a relay")
            // A relay can re-sign the bundle, but not the author's checkpoint over the chain.
            let relay = testIdentity(40)
            _ = try lead.trust(IdentityCard(name: "relay", identity: relay))
            let header = BundleHeader(
                exporterKey: relay.publicKey, createdAt: 1, engagements: [changes[0].engagement],
                ranges: [OriginRange(origin: ben.identity.id, after: 0, through: changes.last!.seq)])
            let writer = try BundleWriter(header: header, exporter: relay, sink: MemorySink())
            for change in altered { try writer.append(change) }
            try writer.append(Checkpoint.sign(seq: changes.last!.seq, hash: hash, by: testIdentity(2)))
            try writer.finish()
            try expectRefused(lead, writer.sink.bytes, unchanged: before, "altered change")
        }
    }

    @Test(arguments: ReplicaBackend.allCases)
    func aChangeForgedByAKeyNotOnTheRosterIsRefusedNamingItsAuthor(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, _, before) = try scenario()
            let engagement = try #require(try ben.store.changes(of: ben.identity.id).first?.engagement)
            let stranger = testIdentity(50)
            _ = try lead.trust(IdentityCard(name: "stranger", identity: stranger))  // known, but on no team
            let forged = Change(
                origin: stranger.id, seq: 1, stamp: Timestamp(milliseconds: clockNow, counter: 0), transaction: 1,
                engagement: engagement, kind: "note", entity: testEntity(51), field: "text", value: .text("forged"))
            let bytes = try craftedBundle(by: stranger, changes: [forged], engagement: engagement, checkpointAt: (1, ChangeHash.of(forged, after: .genesis)))
            let path = sync.directory.file("forged.fabundle")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect {
                _ = try lead.importBundle(at: path)
            } throws: { error in
                guard case let FieldAuditError.unauthorized(refusal, _) = error, case let .notOnRoster(change, _) = refusal else { return false }
                return change.origin == stranger.id && "\(error)".contains(stranger.id.short)
            }
            #expect(try lead.store.digest() == before)
        }
    }

    /// The auditor `auditor` raises a finding and signs it off, as a modified client would: written
    /// directly into its store, past the local rules (only a lead may sign off).
    func signOffPastTheLocalRules(by auditor: Replica) throws {
        let finding = try auditor.raiseFinding(grade: .ofi, refs: ["7.2"], statement: "Track training", evidence: [], objectiveEvidence: nil, systems: [], engagement: nil)
        let engagement = try auditor.engagementID(nil)
        try auditor.store.write(as: auditor.identity.id) { transaction in
            try transaction.set(.text(auditor.identity.id.hex), "signedOffBy", of: finding, kind: "finding", engagement: engagement)
        }
    }

    @Test(arguments: ReplicaBackend.allCases)
    func anAuditorsSignOffIsRefusedOnImportAsItIsLocally(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, _) = try sync.team()
            try signOffPastTheLocalRules(by: ben)
            let before = try lead.store.digest()
            let path = try sync.bundle(from: ben, for: lead)
            #expect {
                _ = try lead.importBundle(at: path)
            } throws: { error in
                guard case let FieldAuditError.unauthorized(refusal, _) = error, case .leadOnly = refusal else { return false }
                return true
            }
            #expect(try lead.store.digest() == before)
        }
    }

    @Test(arguments: ReplicaBackend.allCases)
    func aBundleForAnEngagementFoundedByAStrangerIsRefused(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, _, _, before) = try scenario()
            let stranger = try sync.replica("stranger", seed: 60)
            _ = try stranger.createEngagement(EngagementDraft(client: "Somebody else", auditType: .stage2))
            let path = try sync.bundle(from: stranger, all: true)
            #expect(throws: FieldAuditError.self) { try lead.importBundle(at: path) }
            #expect(try lead.store.digest() == before)
        }
    }

    @Test(arguments: ReplicaBackend.allCases)
    func aReplayedOldBundleIsHarmless(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, path, _) = try scenario()
            _ = try lead.importBundle(at: path)
            _ = try ben.addNote("later work", ref: "5.1", engagement: nil)
            _ = try lead.importBundle(at: try sync.bundle(from: ben, for: lead))
            let digest = try lead.store.digest()
            let replay = try lead.importBundle(at: path)
            #expect(replay.newChanges == 0)
            #expect(try lead.store.digest() == digest)
        }
    }

    @Test func anAuditorsMergeOfFindingsIsRefusedOnImportAsItIsLocally() throws {
        let (lead, ben, _) = try sync.team()
        let kept = try ben.raiseFinding(grade: .ofi, refs: ["7.2"], statement: "Track training", evidence: [], objectiveEvidence: nil, systems: [], engagement: nil)
        let other = try ben.raiseFinding(grade: .ofi, refs: ["7.2"], statement: "Track training too", evidence: [], objectiveEvidence: nil, systems: [], engagement: nil)
        let engagement = try ben.engagementID(nil)
        #expect {
            _ = try ben.mergeFindings(keep: kept.description, others: [other.description], reason: nil, engagement: nil)
        } throws: { error in
            guard case FieldAuditError.refused(.leadOnly(_, "merges findings", .auditor)) = error else { return false }
            return true
        }
        // A modified client writes the merge directly into its store, past the local rules.
        try ben.store.write(as: ben.identity.id) { transaction in
            try transaction.set(.text(kept.description), Finding.Field.mergedInto.rawValue, of: other, kind: "finding", engagement: engagement)
        }
        let before = try lead.store.digest()
        let path = try sync.bundle(from: ben, for: lead)
        #expect {
            _ = try lead.importBundle(at: path)
        } throws: { error in
            guard case let FieldAuditError.unauthorized(refusal, _) = error, case let .leadOnly(_, what, _) = refusal else { return false }
            return what == "merges findings"
        }
        #expect(try lead.store.digest() == before)
    }

    private var clockNow: UInt64 { sync.clock.now() }
}

struct TeamRemovalTests {
    let sync = SyncTests()

    @Test(arguments: ReplicaBackend.allCases)
    func aRemovedMembersEarlierWorkStaysAndLaterWorkIsRefused(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, _) = try sync.team()
            _ = try ben.addNote("before removal", ref: "5.1", engagement: nil)
            _ = try lead.importBundle(at: try sync.bundle(from: ben, for: lead))
            _ = try lead.removeMember(ben.identity.id, engagement: nil)
            #expect(try lead.record(of: lead.engagementID(nil)).role(of: ben.identity.id) == nil)
            _ = try ben.addNote("after removal", ref: "5.1", engagement: nil)
            let before = try lead.store.digest()
            #expect {
                _ = try lead.importBundle(at: try sync.bundle(from: ben, for: lead))
            } throws: { error in
                guard case let FieldAuditError.unauthorized(refusal, _) = error, case .removed = refusal else { return false }
                return true
            }
            #expect(try lead.store.digest() == before)
            #expect(try lead.search("before", engagement: nil).count == 1)
        }
    }

    /// The roster check keeps one change per engagement, author, kind and field (the highest
    /// seq), not every change: a bundle mixing a removed member's earlier, allowed notes with a
    /// later one is still refused as a whole, and the earlier notes alone are still accepted.
    @Test(arguments: ReplicaBackend.allCases)
    func aBundleMixingWorkFromBeforeAndAfterARemovalIsRefused(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, _) = try sync.team()
            _ = try ben.addNote("before removal", ref: "5.1", engagement: nil)
            let earlier = try sync.bundle(from: ben, all: true)
            _ = try lead.importBundle(at: try sync.bundle(from: ben, for: lead))
            _ = try lead.removeMember(ben.identity.id, engagement: nil)
            _ = try ben.addNote("after removal", ref: "5.1", engagement: nil)
            let before = try lead.store.digest()
            #expect {
                _ = try lead.importBundle(at: try sync.bundle(from: ben, all: true))
            } throws: { error in
                guard case let FieldAuditError.unauthorized(refusal, _) = error, case let .removed(change, _) = refusal else { return false }
                return change.origin == ben.identity.id
            }
            #expect(try lead.store.digest() == before)
            let replay = try lead.importBundle(at: earlier)
            #expect(replay.newChanges == 0)
            #expect(try lead.store.digest() == before)
        }
    }
}
