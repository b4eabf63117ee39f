import AuditModel
import AuditReports
import AuditStore
import BundleFormat
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// A forked origin (one key signing two different changes under one id) is quarantined, not a
/// reason to refuse every bundle that relays it: both versions kept as evidence, its changes from
/// the fork on refused, everyone else's changes flowing (`Sync/PROTOCOL.md` §21.1).
struct ForkQuarantineTests {
    let sync = SyncTests()

    /// A team whose auditor Ben's laptop was restored from a backup taken after his first note
    /// reached the lead: the restored copy (`benCopy`, Ben's key) writes a different seq where the
    /// original already wrote one. Cara writes too.
    struct Forked {
        let lead: Replica, ben: Replica, benCopy: Replica, cara: Replica
        /// Ben's original history and the restored copy's, each in a bundle of its own; Cara's work.
        let original: String, restored: String, caras: String
        /// The first seq the two copies of Ben disagree on.
        let forkSeq: UInt64
    }

    func forked() throws -> Forked {
        let (lead, ben, cara) = try sync.team()
        _ = try ben.addNote("Before the backup", ref: "5.1", engagement: nil)
        _ = try lead.importBundle(at: try sync.bundle(from: ben, for: lead))
        // The backup: Ben's store directory, copied while nothing writes to it.
        let copyDirectory = sync.directory.file("ben-restored")
        try FileManager.default.copyItem(atPath: sync.directory.file("ben"), toPath: copyDirectory)
        let benCopy = try Replica.open(at: StoreLocation(directory: copyDirectory), clock: sync.clock)
        let forkSeq = try ben.store.vector()[ben.identity.id] + 1
        _ = try ben.addNote("Written on the original laptop", ref: "6.2", engagement: nil)
        _ = try benCopy.addNote("Written on the restored laptop", ref: "7.2", engagement: nil)
        _ = try cara.addNote("Cara's work", ref: "8.1", engagement: nil)
        return Forked(
            lead: lead, ben: ben, benCopy: benCopy, cara: cara,
            original: try sync.bundle(from: ben, all: true, name: "original.fabundle"),
            restored: try sync.bundle(from: benCopy, all: true, name: "restored.fabundle"),
            caras: try sync.bundle(from: cara, all: true, name: "caras.fabundle"), forkSeq: forkSeq)
    }

    @Test func aForkedOriginIsQuarantinedWithBothVersionsKeptAndTheOthersWorkFlows() throws {
        let world = try forked()
        // Given the lead holding Ben's original history
        let lead = world.lead
        _ = try lead.importBundle(at: world.original)
        let originalAtFork = try #require(try lead.store.changes(of: world.ben.identity.id).first { $0.seq == world.forkSeq })

        // When a bundle brings the restored copy's different change under the same id, with Cara's work relayed in it
        _ = try world.cara.importBundle(at: world.restored)
        let relayed = try sync.bundle(from: world.cara, all: true, name: "relayed.fabundle")
        let summary = try lead.importBundle(at: relayed)

        // Then the bundle is accepted: Cara's work is in, Ben is quarantined from the fork on
        #expect(summary.newForks == [world.ben.identity.id.hex])
        #expect(summary.newChanges > 0)
        #expect(try lead.store.changes(of: world.cara.identity.id).contains { $0.value == .text("Cara's work") })
        #expect(try lead.store.vector()[world.ben.identity.id] == world.forkSeq - 1)
        let forks = try lead.store.forkedOrigins()
        #expect(forks.count == 1)
        let fork = try #require(forks.first)
        #expect(fork.origin == world.ben.identity.id && fork.seq == world.forkSeq)
        // Both versions are kept, with their bytes and who relayed each
        #expect(fork.versions.count == 2)
        #expect(Set(fork.versions.map(\.relayedBy)) == [nil, world.cara.identity.id])
        #expect(fork.versions.contains { $0.relayedBy == nil && $0.canonical == originalAtFork.canonicalEncoding() })
        #expect(fork.versions.contains { $0.relayedBy == world.cara.identity.id && $0.content != originalAtFork.contentDigest })
        // Nothing of Ben's from the fork on is in the state; everything before it is
        #expect(try lead.store.changes(of: world.ben.identity.id).allSatisfy { $0.seq < world.forkSeq })
        #expect(try lead.verify().isSound)

        // And status, verify and the report say whose key, from which seq, and what to do
        let status = try lead.status(engagement: nil)
        let notice = try #require(status.forkedOrigins.first)
        #expect(status.forkedOrigins.count == 1 && notice.name == "ben" && notice.seq == world.forkSeq)
        #expect(notice.description.contains("signed 2 different changes as seq \(world.forkSeq): its history is forked"))
        #expect(notice.description.contains("What to do: the engagement's founding lead removes that member"))
        #expect(try lead.verify().forkedOrigins == status.forkedOrigins)
        let source = try lead.reportSource(engagement: nil)
        let report = MarkdownReport.render(source.record, context: source.context)
        #expect(report.contains("Forked origins") && report.contains("\(world.ben.identity.id.short):\(world.forkSeq)"))
        #expect(report.contains("removes that member"))
    }

    @Test func anImportWhoseQuarantineTakesEntitiesOutNeverCountsBelowNoNewEntities() throws {
        let world = try forked()
        _ = try world.lead.importBundle(at: world.original)
        let before = try world.lead.store.entityCount()
        // When the restored copy's history arrives, the original's note after the fork leaves the state
        let summary = try world.lead.importBundle(at: world.restored)
        #expect(summary.newForks == [world.ben.identity.id.hex])
        #expect(try world.lead.store.entityCount() < before)
        // Then the summary counts no new entity, never a negative number
        #expect(summary.newEntities == 0)
    }

    @Test func theLeadsLaterBundlesStillImportAndRelayTheForkedOriginUpToTheFork() throws {
        let world = try forked()
        let lead = world.lead
        _ = try lead.importBundle(at: world.original)
        _ = try lead.importBundle(at: world.restored)
        #expect(try lead.store.forkSeqs()[world.ben.identity.id] == world.forkSeq)

        // A newcomer gets everything from the lead: Ben's changes before the fork, none after
        let newcomer = try sync.replica("dana", seed: 9)
        _ = try newcomer.trust(lead.card)
        _ = try newcomer.importBundle(at: try sync.bundle(from: lead, all: true))
        #expect(try newcomer.store.vector()[world.ben.identity.id] == world.forkSeq - 1)

        // Cara, who holds Ben's original history, imports the lead's later bundle too
        _ = try lead.addNote("The lead's later note", ref: "9.1", engagement: nil)
        _ = try world.cara.importBundle(at: world.original)
        let later = try world.cara.importBundle(at: try sync.bundle(from: lead, all: true))
        #expect(later.newChanges > 0)
    }

    @Test func whicheverVersionArrivesFirstTheQuarantineAndTheStateConverge() throws {
        let world = try forked()
        let bundles = [world.original, world.restored, world.caras]
        var generator = SeededGenerator(seed: 20)
        var digests = Set<StateDigest>()
        var quarantines = Set<[String]>()
        for index in 0..<6 {
            let order = bundles.shuffled(using: &generator)
            let target = try sync.replica("target\(index)", seed: 40 + UInt64(index))
            _ = try target.trust(world.lead.card)
            _ = try target.importBundle(at: try sync.bundle(from: world.lead, all: true))
            for path in order { _ = try target.importBundle(at: path) }
            // Importing everything again changes nothing
            for path in order.reversed() { _ = try target.importBundle(at: path) }
            digests.insert(try target.store.digest())
            // Who relayed each version, and when, is this replica's own record; the rest converges
            quarantines.insert(try target.store.forkedOrigins().map { fork in
                "\(fork.origin.hex) from \(fork.seq): " + fork.versions.map { "\($0.content.hex) \($0.hash?.hex ?? "-")" }.sorted().joined(separator: ", ")
            })
        }
        #expect(digests.count == 1)
        #expect(quarantines.count == 1)
        #expect(quarantines.first?.first?.contains(", ") == true)
    }

    @Test(arguments: ReplicaBackend.allCases)
    func aCentralOnEitherBackendQuarantinesTheForkAsALaptopDoes(backend: ReplicaBackend) throws {
        // Given the forked team on laptops (a restored laptop is a copied SQLite directory)
        let world = try forked()
        _ = try world.cara.importBundle(at: world.restored)
        let relayed = try sync.bundle(from: world.cara, all: true, name: "relayed.fabundle")
        let bundles = [try sync.bundle(from: world.lead, all: true), world.original, relayed]
        // And a laptop that imports the original history, then Cara's bundle relaying the restored one
        let laptop = try sync.replica("laptop", seed: 60)
        _ = try laptop.trust(world.lead.card)
        for path in bundles { _ = try laptop.importBundle(at: path) }

        try backend.run {
            // When a central on this backend imports the same bundles
            let central = try sync.replica("central-\(backend.rawValue)", seed: 61)
            _ = try central.trust(world.lead.card)
            var forks: [String] = []
            for path in bundles { forks += try central.importBundle(at: path).newForks }

            // Then Ben is quarantined from the fork on, Cara's work flows, and the state is the laptop's
            #expect(forks == [world.ben.identity.id.hex])
            #expect(try central.store.vector()[world.ben.identity.id] == world.forkSeq - 1)
            #expect(try central.store.forkSeqs() == [world.ben.identity.id: world.forkSeq])
            let fork = try #require(try central.store.forkedOrigins().first)
            let laptopVersions = Set(try laptop.store.forkedOrigins().first?.versions.map(\.content) ?? [])
            #expect(fork.versions.count == 2 && Set(fork.versions.map(\.content)) == laptopVersions)
            #expect(try central.store.changes(of: world.cara.identity.id).contains { $0.value == .text("Cara's work") })
            #expect(try central.store.digest() == (try laptop.store.digest()))
            #expect(try central.verify().isSound)
            // And the fork's bundles imported again change nothing
            for path in bundles.reversed() { _ = try central.importBundle(at: path) }
            #expect(try central.store.digest() == (try laptop.store.digest()))
        }
    }

    @Test func aCentralMovedToPostgreSQLKeepsTheQuarantineAndItsEvidence() throws {
        guard let server = TestPostgres.url() else { return }
        // Given a laptop's SQLite store that quarantined Ben's fork
        let world = try forked()
        let lead = world.lead
        _ = try lead.importBundle(at: world.original)
        _ = try lead.importBundle(at: world.restored)
        let before = try lead.store.forkedOrigins()
        #expect(before.count == 1)

        // When it is moved to PostgreSQL
        let url = TestPostgres.freshURL(server)
        _ = try lead.migrate(toDatabase: url)
        let moved = try Replica.open(at: StoreLocation(directory: sync.directory.file("lead")), clock: sync.clock, database: url).store

        // Then the copy holds the same fork, the same versions (every one), and the same state
        #expect(try moved.forkedOrigins() == before)
        #expect(try moved.forkVersions(of: world.ben.identity.id) == (try lead.store.forkVersions(of: world.ben.identity.id)))
        #expect(try moved.digest() == (try lead.store.digest()))
        #expect(try moved.checkpoint(of: world.ben.identity.id, through: world.forkSeq - 1)
            == (try lead.store.checkpoint(of: world.ben.identity.id, through: world.forkSeq - 1)))
    }

    @Test func aForkABundleCannotShowIsRefusedSayingHowToShowItAndABundleOfAllQuarantinesIt() throws {
        // Given the lead holding Ben's original history, and the restored copy writing more than the original
        let world = try forked()
        let lead = world.lead
        _ = try lead.importBundle(at: world.original)
        _ = try world.benCopy.addNote("More on the restored laptop", ref: "8.1", engagement: nil)

        // When the restored copy exports against what the lead holds, its changes start after the fork
        var request = ExportRequest(peer: lead.identity.id, encrypt: false, includeEvidence: true)
        request.peerHolds = try lead.store.vector()
        let path = sync.directory.file("restored-since.fabundle")
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        _ = try world.benCopy.export(request, to: FileHandleSink(handle))
        try handle.close()

        // Then it is refused, saying it may be a fork and how to show it; nothing changes
        let digest = try lead.store.digest()
        #expect {
            _ = try lead.importBundle(at: path)
        } throws: { error in
            let message = "\(error)"
            return message.contains("or that replica's history is forked") && message.contains("`fieldaudit export --all`")
                && !message.contains("altered, reordered or forged")
        }
        #expect(try lead.store.digest() == digest)

        // And a bundle of all its changes shows the fork: quarantined, the rest flows
        let summary = try lead.importBundle(at: try sync.bundle(from: world.benCopy, all: true))
        #expect(summary.newForks == [world.ben.identity.id.hex])
        #expect(try lead.store.forkSeqs()[world.ben.identity.id] == world.forkSeq)
    }


    @Test func aForkedMembersNameIsEscapedWhereTheNoticeShowsIt() {
        let notice = ForkNotice(
            replica: String(repeating: "ab", count: 16), name: "Ben\u{1b}[2J\u{1b}]0;pwned\u{07}", seq: 4,
            versions: [.init(content: "00", relayedBy: nil, receivedAt: 0), .init(content: "11", relayedBy: "cd", receivedAt: 0)], setAside: 1)
        #expect(!notice.description.unicodeScalars.contains { $0.value == 0x1b || $0.value == 0x07 })
        #expect(notice.description.contains("replica abababab) signed 2 different changes as seq 4"))
        #expect(notice.description.contains("2 versions, 1 later change set aside"))
    }

}
