import AuditModel
import AuditStore
@testable import BundleFormat
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// Bundles between replicas: round trips, idempotence, convergence in any order, partial
/// replication, sealing, evidence.
struct SyncTests {
    let directory = TemporaryDirectory()
    let clock = ManualClock()

    func replica(_ name: String, seed: UInt64) throws -> Replica {
        try Replica.create(
            at: StoreLocation(directory: directory.file(name)), name: name, identity: testIdentity(seed), clock: clock,
            database: ReplicaBackend.current.database())
    }

    /// Exports from `source` for `peer` (or for anyone) into a file and returns its path.
    func bundle(from source: Replica, for peer: Replica? = nil, all: Bool = false, encrypt: Bool = false, evidence: Bool = true, name: String? = nil) throws -> String {
        var request = ExportRequest(peer: peer?.identity.id, encrypt: encrypt, includeEvidence: evidence)
        if let peer, !all { request.peerHolds = try source.peerVector(of: peer.identity.id) }
        let path = directory.file(name ?? "\(source.name)-\(UUID().uuidString.prefix(6)).fabundle")
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        _ = try source.export(request, to: FileHandleSink(handle))
        try handle.close()
        return path
    }

    /// A lead with an engagement, two auditors on its team who trust the lead and hold the kickoff.
    func team() throws -> (lead: Replica, ben: Replica, cara: Replica) {
        let lead = try replica("lead", seed: 1), ben = try replica("ben", seed: 2), cara = try replica("cara", seed: 3)
        let engagement = try lead.createEngagement(EngagementDraft(client: "Helix Diagnostics Ltd", auditType: .stage2))
        for auditor in [ben, cara] {
            _ = try lead.addMember(auditor.card, role: .auditor, engagement: nil)
        }
        for auditor in [ben, cara] {
            _ = try auditor.trust(lead.card)
            _ = try auditor.importBundle(at: try bundle(from: lead, for: auditor))
            try auditor.use(engagement: engagement)
        }
        return (lead, ben, cara)
    }

    @Test(arguments: ReplicaBackend.allCases)
    func aKickoffAndADayOfWorkRoundTripAndTheDigestsAgree(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, _) = try team()
            _ = try ben.addNote("Risk register reviewed quarterly", ref: "6.1.2", engagement: nil)
            let summary = try lead.importBundle(at: try bundle(from: ben, for: lead))
            #expect(summary.newChanges > 0 && summary.knownChanges == 0)
            #expect(try lead.store.digest() == ben.store.digest())
            #expect(try lead.verify().isSound && ben.verify().isSound)
        }
    }

    @Test(arguments: ReplicaBackend.allCases)
    func importingTheSameBundleTwiceChangesNothing(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, _) = try team()
            _ = try ben.addNote("Only once", ref: "5.1", engagement: nil)
            let path = try bundle(from: ben, for: lead)
            _ = try lead.importBundle(at: path)
            let digest = try lead.store.digest()
            let again = try lead.importBundle(at: path)
            #expect(again.newChanges == 0 && again.knownChanges > 0 && again.newEntities == 0)
            #expect(try lead.store.digest() == digest)
        }
    }

    @Test(arguments: ReplicaBackend.allCases)
    func threeReplicasExchangingBundlesInEveryOrderConverge(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, cara) = try team()
            _ = try ben.addNote("ben's note", ref: "7.2", engagement: nil)
            _ = try cara.addNote("cara's note", ref: "8.1", engagement: nil)
            _ = try lead.addNote("lead's note", ref: "9.1", engagement: nil)
            let replicas = [lead, ben, cara]
            // Every replica's full bundle, imported by every other in every order.
            let bundles = try replicas.map { try bundle(from: $0, all: true) }
            let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
            var digests = Set<StateDigest>()
            for (index, order) in orders.enumerated() {
                let target = try replica("target\(index)", seed: 10 + UInt64(index))
                _ = try target.trust(lead.card)
                for position in order { _ = try target.importBundle(at: bundles[position]) }
                digests.insert(try target.store.digest())
            }
            for target in replicas {
                for position in 0..<3 { _ = try target.importBundle(at: bundles[position]) }
                digests.insert(try target.store.digest())
            }
            #expect(digests.count == 1)
        }
    }

    @Test(arguments: ReplicaBackend.allCases)
    func peerToPeerAndThroughACentralReplicaGiveTheSameResult(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, cara) = try team()
            _ = try ben.addNote("ben", ref: "7.2", engagement: nil)
            _ = try cara.addNote("cara", ref: "8.1", engagement: nil)
            // Peer to peer: the lead imports both auditors directly.
            _ = try lead.importBundle(at: try bundle(from: ben, for: lead))
            _ = try lead.importBundle(at: try bundle(from: cara, for: lead))
            // Through a central replica that relays what it holds, checkpoints included.
            let central = try replica("central", seed: 9)
            _ = try central.trust(lead.card)
            for source in [ben, cara] { _ = try central.importBundle(at: try bundle(from: source, all: true)) }
            let relayed = try replica("relay-target", seed: 8)
            _ = try relayed.trust(lead.card)
            _ = try relayed.trust(central.card)
            _ = try relayed.importBundle(at: try bundle(from: central, all: true))
            _ = try relayed.importBundle(at: try bundle(from: lead, all: true))
            #expect(try relayed.store.digest() == lead.store.digest())
            #expect(try central.store.digest() == lead.store.digest())
        }
    }

    @Test(arguments: ReplicaBackend.allCases)
    func aPeerOffATeamGetsThatEngagementsChangesAsHashesOnly(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, _) = try team()
            let secret = try lead.createEngagement(EngagementDraft(client: "Other Client plc", auditType: .stage1))
            _ = try lead.addNote("confidential", ref: "4.1", engagement: secret.description)
            let path = try bundle(from: lead, for: ben)
            let summary = try ben.importBundle(at: path)
            #expect(summary.withheld > 0)
            #expect(try ben.store.snapshot(secret) == nil)
            #expect(try ben.search("confidential", engagement: nil).isEmpty)
            #expect(try ben.store.vector()[lead.identity.id] == lead.store.vector()[lead.identity.id])
            // The chain stays whole: later changes of the shared engagement still verify and apply.
            _ = try lead.addNote("shared", ref: "5.1", engagement: try lead.engagements().first { $0.client.hasPrefix("Helix") }!.id.description)
            _ = try ben.importBundle(at: try bundle(from: lead, for: ben))
            #expect(try ben.search("shared", engagement: nil).count == 1)
            #expect(try ben.verify().isSound)
            // A full copy later replaces the placeholders, if their hashes match.
            let central = try replica("central", seed: 9)
            _ = try central.trust(lead.card)
            _ = try central.importBundle(at: try bundle(from: ben, all: true))
            _ = try central.importBundle(at: try bundle(from: lead, all: true))
            #expect(try central.search("confidential", engagement: nil).count == 1)
            #expect(try central.verify().isSound)
        }
    }

    @Test(arguments: ReplicaBackend.allCases)
    func aSealedBundleOpensOnlyForTheTeam(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, _) = try team()
            _ = try lead.addNote("sealed note", ref: "5.1", engagement: nil)
            let path = try bundle(from: lead, for: ben, encrypt: true)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(bytes.range(of: Data("sealed note".utf8)) == nil)
            _ = try ben.importBundle(at: path)
            #expect(try ben.search("sealed", engagement: nil).count == 1)
            let outsider = try replica("outsider", seed: 7)
            _ = try outsider.trust(lead.card)
            let before = try outsider.store.digest()
            #expect {
                _ = try outsider.importBundle(at: path)
            } throws: { error in
                guard case let FieldAuditError.bundle(inner, _) = error, case .notARecipient = inner else { return false }
                return true
            }
            #expect(try outsider.store.digest() == before)
        }
    }

    @Test(arguments: ReplicaBackend.allCases)
    func evidenceTravelsVerifiedAndCanFollowLater(backend: ReplicaBackend) throws {
        try backend.run {
            let (lead, ben, _) = try team()
            let file = directory.file("retention.yaml")
            try "retention_days: 7\n".write(toFile: file, atomically: true, encoding: .utf8)
            let added = try ben.addEvidence(files: [file], target: nil, ref: "A.6.2.8", description: "config", engagement: nil)
            let digest = try #require(added.first?.digest)
            _ = try lead.importBundle(at: try bundle(from: ben, for: lead, evidence: false))
            #expect(!lead.blobs.contains(digest))
            let later = try lead.importBundle(at: try bundle(from: ben, all: true))
            #expect(later.newEvidence == 1)
            #expect(lead.blobs.verify(digest))
        }
    }

    /// Same bytes: a central on PostgreSQL and one on SQLite holding the same changes export
    /// byte-identical bundles for the same request.
    @Test func aCentralOnPostgreSQLExportsTheSameBytesAsOneOnSQLite() throws {
        guard let server = TestPostgres.url() else { return }
        let (lead, ben, cara) = try team()
        _ = try ben.addNote("Risk register reviewed quarterly", ref: "6.1.2", engagement: nil)
        _ = try cara.addNote("Supplier audit evidence seen", ref: "8.2", engagement: nil)
        let day = [try bundle(from: lead, all: true), try bundle(from: ben, all: true), try bundle(from: cara, all: true)]
        let centrals = [
            try Replica.create(at: StoreLocation(directory: directory.file("central-sqlite")), name: "Central", identity: testIdentity(9), clock: clock),
            try Replica.create(
                at: StoreLocation(directory: directory.file("central-postgres")), name: "Central", identity: testIdentity(9), clock: clock,
                database: TestPostgres.freshURL(server)),
        ]
        for central in centrals {
            _ = try central.trust(lead.card)
            for path in day { _ = try central.importBundle(at: path) }
        }
        #expect(try centrals[0].store.digest() == centrals[1].store.digest())
        for peer in [ben, cara] {
            let exported = try centrals.map { try Data(contentsOf: URL(fileURLWithPath: try bundle(from: $0, for: peer, all: true))) }
            #expect(exported[0] == exported[1], "the two centrals' bundles for \(peer.name) differ")
            #expect(exported[0].count > 1_000)
        }
    }
}

extension SyncTests {
    /// `bundle` read whole and written anew, signed by `exporter`: the header as read under the
    /// exporter's key with `checkpoint` as its recipient checkpoint, and each change `redact` picks
    /// as a redacted frame (hashes only, as an export for a peer that may not read it carries it);
    /// returns the new file's path.
    func remade(
        _ bundle: String, by exporter: ReplicaIdentity, carrying checkpoint: Checkpoint? = nil, redacting redact: (Change) -> Bool = { _ in false }
    ) throws -> String {
        let reader = try BundleReader(source: FileHandleSource(try #require(FileHandle(forReadingAtPath: bundle))))
        var records: [BundleRecord] = []
        while let record = try reader.next() { records.append(record) }
        let read = reader.header
        var header = BundleHeader(
            exporterKey: exporter.publicKey, createdAt: read.createdAt, engagements: read.engagements, ranges: read.ranges,
            includesEvidence: read.includesEvidence, capabilities: read.capabilities)
        header.recipientCheckpoint = checkpoint
        let writer = try BundleWriter(header: header, exporter: exporter, sink: MemorySink())
        for record in records {
            switch record {
            case let .change(change) where redact(change): try writer.appendRedacted(change.id, content: change.contentDigest)
            case let .change(change): try writer.append(change)
            case let .redacted(id, content): try writer.appendRedacted(id, content: content)
            case let .checkpoint(checkpoint): try writer.append(checkpoint)
            case let .blobChunk(chunk):
                try writer.appendBlobChunk(digest: chunk.digest, totalSize: chunk.totalSize, offset: chunk.offset, bytes: chunk.bytes)
            }
        }
        try writer.finish()
        let path = directory.file("remade-\(UUID().uuidString.prefix(6)).fabundle")
        try Data(writer.sink.bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}
