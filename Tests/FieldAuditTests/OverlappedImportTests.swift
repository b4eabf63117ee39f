import AuditModel
import AuditStore
@testable import BundleFormat
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// An import into a SQLite store verifies its bundle (pass one) on a second thread beside the
/// transaction that applies it (pass two), committing only after pass one has succeeded: it
/// refuses what the sequential import refuses, with the same error, leaves the store as it was,
/// and accepts what it accepts, to the same state.
struct OverlappedImportTests {
    let hostile = HostileImportTests()
    var sync: SyncTests { hostile.sync }

    /// Imports `path` into `replica` with both passes at once (`overlapped`) or one after the other.
    func importing(_ path: String, into replica: Replica, overlapped: Bool) throws -> ImportSummary {
        try Replica.$overlapFromBytes.withValue(overlapped ? 0 : .max) { try replica.importBundle(at: path) }
    }

    /// A copy of `replica`'s store directory, opened as a replica of its own: the same state, to
    /// import the same bundle into by the other path.
    func copy(of replica: Replica, name: String) throws -> Replica {
        let directory = sync.directory.file(name)
        try FileManager.default.copyItem(atPath: replica.location.directory, toPath: directory)
        return try Replica.open(at: StoreLocation(directory: directory), clock: sync.clock)
    }

    /// The error importing `path` throws, by the path chosen.
    func refusal(importing path: String, into replica: Replica, overlapped: Bool) -> FieldAuditError? {
        do {
            _ = try importing(path, into: replica, overlapped: overlapped)
            return nil
        } catch {
            return error as? FieldAuditError
        }
    }

    /// Writes `bytes` to a new bundle file and returns its path.
    func file(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = sync.directory.file("\(name)-\(UUID().uuidString.prefix(6)).fabundle")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Given a bundle pass one refuses: pass two, held after its third link until pass one ends,
    /// stops at its next link, and the import throws what the sequential import throws.
    func expectStoppedEarly(_ path: String, lead: Replica, before: StateDigest, _ comment: Comment) throws {
        let sequential = try #require(refusal(importing: path, into: lead, overlapped: false), comment)
        #expect(try lead.store.digest() == before, comment)
        lead.probes.passTwoPausesAfter = 3
        defer { lead.probes.passTwoPausesAfter = nil }
        let overlapped = try #require(refusal(importing: path, into: lead, overlapped: true), comment)
        #expect("\(overlapped)" == "\(sequential)", comment)
        #expect(overlapped.category == sequential.category, comment)
        #expect(lead.probes.linksApplied == 3, comment)
        #expect(try lead.store.digest() == before, comment)
    }

    @Test func aBundleWhoseTrailerSignatureIsWrongIsRefusedAsBeforeAndPassTwoStopsEarly() throws {
        let (lead, _, path, before) = try hostile.scenario()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 1] ^= 0x01
        let damaged = try file(bytes, "signature")
        try expectStoppedEarly(damaged, lead: lead, before: before, "signature")
        #expect {
            _ = try importing(damaged, into: lead, overlapped: true)
        } throws: { error in
            guard case .bundle = error as? FieldAuditError else { return false }
            return true
        }
    }

    @Test func aBundleWhoseDigestIsWrongIsRefusedAsBeforeAndPassTwoStopsEarly() throws {
        let (lead, _, path, before) = try hostile.scenario()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - BundleLayout.trailerLength] ^= 0x80
        try expectStoppedEarly(try file(bytes, "digest"), lead: lead, before: before, "digest")
    }

    @Test func aChainBrokenNearItsEndIsRefusedAsBeforeAndPassTwoStopsEarly() throws {
        let (lead, ben, _, before) = try hostile.scenario()
        let changes = try ben.store.changes(of: ben.identity.id)
        var hash = ChangeHash.genesis
        for change in changes { hash = ChangeHash.of(change, after: hash) }
        var dropped = changes
        dropped.remove(at: changes.count - 2)
        let bytes = try hostile.craftedBundle(by: ben.identity, changes: dropped, engagement: changes[0].engagement, checkpointAt: (changes.last!.seq, hash))
        let path = try file(bytes, "broken")
        try expectStoppedEarly(path, lead: lead, before: before, "broken chain")
        #expect {
            _ = try importing(path, into: lead, overlapped: true)
        } throws: { error in
            guard case .brokenChain = error as? FieldAuditError else { return false }
            return true
        }
    }

    @Test func aBundleThatLeavesTheStoreBehindItsOwnHistoryIsRefusedAndRememberedAsBefore() throws {
        // Given a copy of the lead's store from before its last two changes, and a bundle holding
        // only the last one, under a checkpoint the lead's key signed (a restored backup's case)
        let (lead, _, _) = try sync.team()
        let behind = try copy(of: lead, name: "lead-behind")
        _ = try lead.addNote("written after the backup", ref: "5.1", engagement: nil)
        _ = try lead.addNote("and later", ref: "7.2", engagement: nil)
        let changes = try lead.store.changes(of: lead.identity.id)
        var hash = ChangeHash.genesis
        for change in changes { hash = ChangeHash.of(change, after: hash) }
        let bytes = try hostile.craftedBundle(
            by: lead.identity, changes: [changes.last!], engagement: changes.last!.engagement, checkpointAt: (changes.last!.seq, hash))
        let path = try file(bytes, "beyond-a-gap")
        let twin = try copy(of: behind, name: "lead-behind-twin")

        // When each copy imports it, one by each path
        let sequential = try #require(refusal(importing: path, into: behind, overlapped: false))
        let overlapped = try #require(refusal(importing: path, into: twin, overlapped: true))

        // Then both refuse it alike and remember how far the lead's own history is held
        #expect("\(overlapped)" == "\(sequential)")
        guard case .aheadOfOwnHistory = overlapped else {
            Issue.record("expected the store to be found behind its own history, got \(overlapped)")
            return
        }
        #expect(try twin.store.digest() == behind.store.digest())
        #expect(try twin.store.peerVector(of: lead.identity.id) == behind.store.peerVector(of: lead.identity.id))
        #expect(try twin.store.peerVector(of: lead.identity.id)[lead.identity.id] == changes.last!.seq)
    }

    @Test func anUnauthorizedChangeNearTheEndIsRefusedAsBefore() throws {
        let (lead, ben, _) = try sync.team()
        for index in 0..<12 { _ = try ben.addNote("observation \(index)", ref: "A.6.2.8", engagement: nil) }
        try hostile.signOffPastTheLocalRules(by: ben)
        let before = try lead.store.digest()
        let path = try sync.bundle(from: ben, for: lead)
        let sequential = try #require(refusal(importing: path, into: lead, overlapped: false))
        let overlapped = try #require(refusal(importing: path, into: lead, overlapped: true))
        #expect("\(overlapped)" == "\(sequential)")
        guard case let .unauthorized(refusal, _) = overlapped, case .leadOnly = refusal else {
            Issue.record("expected the lead-only refusal, got \(overlapped)")
            return
        }
        #expect(try lead.store.digest() == before)
    }

    @Test func aBundleProvingAForkIsQuarantinedAsByTheSequentialImport() throws {
        // Given the lead holding Ben's original history, and a twin of its store
        let forks = ForkQuarantineTests()
        let world = try forks.forked()
        _ = try world.lead.importBundle(at: world.original)
        _ = try world.cara.importBundle(at: world.restored)
        let relayed = try forks.sync.bundle(from: world.cara, all: true, name: "relayed.fabundle")
        let twin = try Replica.open(at: StoreLocation(directory: try copyDirectory(world.lead.location.directory)), clock: sync.clock)

        // When each imports a bundle proving Ben forked, one by each path
        let sequential = try importing(relayed, into: world.lead, overlapped: false)
        let overlapped = try importing(relayed, into: twin, overlapped: true)

        // Then both quarantine Ben from the fork on and reach the same state
        #expect(overlapped.newForks == [world.ben.identity.id.hex])
        #expect(try encoded(overlapped) == encoded(sequential))
        #expect(try twin.store.digest() == world.lead.store.digest())
        #expect(try twin.store.forkSeqs() == world.lead.store.forkSeqs())
    }

    @Test func randomBundlesReachTheSameStateAndSummaryByBothPaths() throws {
        var generator = SeededGenerator(seed: 21)
        let (lead, ben, cara) = try sync.team()
        for round in 0..<6 {
            // Given random work of Ben's and Cara's, some of it already at the lead
            for author in [ben, cara] {
                for index in 0..<Int.random(in: 0...25, using: &generator) {
                    _ = try author.addNote("round \(round) note \(index)", ref: ["5.1", "7.2", "8.1", "A.6.2.8"][index % 4], engagement: nil)
                }
            }
            if Bool.random(using: &generator) { _ = try lead.importBundle(at: try sync.bundle(from: cara, for: lead)) }
            _ = try cara.importBundle(at: try sync.bundle(from: ben, for: cara))
            let path = try sync.bundle(from: cara, for: lead, all: Bool.random(using: &generator))
            let twin = try copy(of: lead, name: "lead-twin-\(round)")

            // When the lead imports it one pass after the other, and its twin with both at once
            let sequential = try importing(path, into: lead, overlapped: false)
            let overlapped = try importing(path, into: twin, overlapped: true)

            // Then the state, the log and the summary are the same
            #expect(try twin.store.digest() == lead.store.digest(), "round \(round)")
            #expect(try twin.store.vector() == lead.store.vector(), "round \(round)")
            #expect(try encoded(overlapped) == encoded(sequential), "round \(round)")
            #expect(try twin.store.peerVector(of: cara.identity.id) == lead.store.peerVector(of: cara.identity.id), "round \(round)")
        }
    }

    @Test func aBundleWithEvidenceIsFiledAlikeByBothPaths() throws {
        let (lead, ben, _) = try sync.team()
        let file = sync.directory.file("photo.jpg")
        try Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: file))
        _ = try ben.addEvidence(files: [file], target: nil, ref: "7.2", description: "the server room", engagement: nil)
        let path = try sync.bundle(from: ben, for: lead)
        let twin = try copy(of: lead, name: "lead-twin-evidence")
        let sequential = try importing(path, into: lead, overlapped: false)
        let overlapped = try importing(path, into: twin, overlapped: true)
        #expect(overlapped.newEvidence == 1)
        #expect(try encoded(overlapped) == encoded(sequential))
        #expect(try twin.store.digest() == lead.store.digest())
    }

    /// A test's hold on pass one past the bundle's last link ends with the links: the import
    /// completes by the overlapped path (every link handed to pass two) instead of waiting forever.
    @Test(.timeLimit(.minutes(1))) func aHoldOnPassOnePastTheLastLinkEndsWithTheLinks() throws {
        let (lead, _, path, _) = try hostile.scenario()
        lead.probes.passTwoPausesAfter = 1_000_000
        defer { lead.probes.passTwoPausesAfter = nil }
        let summary = try importing(path, into: lead, overlapped: true)
        #expect(summary.newChanges > 0)
        #expect(lead.probes.linksApplied == summary.newChanges + summary.knownChanges + summary.withheld)
    }

    @Test func reimportingByTheOverlappedPathChangesNothing() throws {
        let (lead, _, path, _) = try hostile.scenario()
        let first = try importing(path, into: lead, overlapped: true)
        let digest = try lead.store.digest()
        let again = try importing(path, into: lead, overlapped: true)
        #expect(first.newChanges > 0)
        #expect(again.newChanges == 0 && again.knownChanges == first.newChanges)
        #expect(try lead.store.digest() == digest)
    }

    func copyDirectory(_ directory: String) throws -> String {
        let copy = directory + "-twin"
        try FileManager.default.copyItem(atPath: directory, toPath: copy)
        return copy
    }

    func encoded(_ summary: ImportSummary) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(summary), as: UTF8.self)
    }
}
