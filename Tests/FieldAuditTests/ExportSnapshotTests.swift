import AuditModel
import AuditStore
import BundleFormat
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// An export is one snapshot of the store (`Sync/PROTOCOL.md` §20): an import that commits while
/// it runs is in it whole or not at all, never its roster from one side and its links from the
/// other. The import is forced between the export's roster read and its link walk by
/// `ReplicaProbes.exportReadRosters`, never by timing.
struct ExportSnapshotTests {
    let directory = TemporaryDirectory()

    func replica(_ name: String, seed: UInt64, database: String? = nil) throws -> Replica {
        try Replica.create(at: StoreLocation(directory: directory.file(name)), name: name, identity: testIdentity(seed), database: database)
    }

    /// Opens `replica` again as a central serves it: SQLite with a read pool, so an import commits
    /// beside an export (a PostgreSQL store always reads beside its writers).
    func served(_ replica: Replica, database: String?) throws -> Replica {
        database == nil ? try Replica.open(at: replica.location, concurrentReads: true) : replica
    }

    /// Exports from `source` for `peer`, from nothing, into a new file; returns the summary and the path.
    func export(from source: Replica, for peer: Replica) throws -> (ExportSummary, String) {
        let path = directory.file("\(source.name)-for-\(peer.name)-\(UUID().uuidString.prefix(6)).fabundle")
        return (try source.writeBundle(ExportRequest(peer: peer.identity.id), toNewFile: path), path)
    }

    // A test that hangs here has found the import waiting for the export that waits for it (on
    // PostgreSQL, a read holding the locks of what it read).
    @Test(.timeLimit(.minutes(2)), arguments: ReplicaBackend.allCases)
    func aMemberRemovedByAnImportCommittedMidExportGetsExactlyTheStoreBeforeTheImport(backend: ReplicaBackend) throws {
        try backend.run {
            // Given a lead whose engagement is filed with a central, Ben on its team
            let database = ReplicaBackend.current.database()
            let lead = try replica("lead", seed: 1), ben = try replica("ben", seed: 2)
            let central = try served(try replica("central", seed: 3, database: database), database: database)
            let engagement = try lead.createEngagement(EngagementDraft(client: "Helix Diagnostics Ltd", auditType: .stage2)).description
            _ = try lead.addMember(ben.card, role: .auditor, engagement: nil)
            #expect(try lead.file(with: central.card, engagement: nil) == .filed)
            _ = try lead.addNote("Kickoff agenda agreed", ref: "4.1", engagement: nil)
            _ = try central.trust(lead.card)
            _ = try ben.trust(central.card)
            _ = try ben.trust(lead.card)
            _ = try central.importBundle(at: try export(from: lead, for: central).1)
            // And the lead's bundle that removes Ben, then notes something he may no longer read
            _ = try lead.removeMember(ben.identity.id, engagement: nil)
            _ = try lead.addNote("Written after Ben left the team", ref: "6.1.2", engagement: nil)
            let removal = try export(from: lead, for: central).1
            let (before, _) = try export(from: central, for: ben)
            #expect(before.engagements.count == 1)

            // When the central imports that bundle while exporting for Ben, after it read the
            // rosters and before it read the links
            let imported = Once()
            central.probes.exportReadRosters = {
                guard imported.first() else { return }
                do {
                    let summary = try onAnotherThread { try central.importBundle(at: removal) }
                    #expect(summary.newChanges > 0)
                } catch {
                    Issue.record("the import beside the export failed: \(error)")
                }
            }
            let (during, path) = try export(from: central, for: ben)
            central.probes.exportReadRosters = nil
            #expect(imported.happened)

            // Then Ben's bundle is exactly the store before the import: the same engagements,
            // changes and placeholders as an export made before it
            #expect(during.engagements == before.engagements)
            #expect(during.changes == before.changes)
            #expect(during.withheld == before.withheld)
            _ = try ben.importBundle(at: path)
            #expect(try ben.search("Kickoff agenda", engagement: nil).count == 1)
            #expect(try ben.search("Written after Ben left", engagement: nil).isEmpty)
            // And the next export is the store after it: Helix withheld, its new note with it
            let (after, next) = try export(from: central, for: ben)
            #expect(after.engagements.isEmpty && after.withheld > before.withheld)
            _ = try ben.importBundle(at: next)
            #expect(try ben.search("Written after Ben left", engagement: nil).isEmpty)
            #expect(try central.search("Written after Ben left", engagement: engagement).count == 1)
            #expect(try central.verify().isSound && ben.verify().isSound)
        }
    }

    @Test(.timeLimit(.minutes(2)), arguments: ReplicaBackend.allCases)
    func anExportThatFinishesLastNeverMovesTheExportedSeqBackwards(backend: ReplicaBackend) throws {
        try backend.run {
            // Given a lead with an engagement and a note
            let database = ReplicaBackend.current.database()
            let lead = try served(try replica("lead", seed: 1, database: database), database: database)
            let peer = try replica("peer", seed: 2)
            let engagement = try lead.createEngagement(EngagementDraft(client: "Helix Diagnostics Ltd", auditType: .stage2)).description
            _ = try lead.addNote("Kickoff agenda agreed", ref: "4.1", engagement: engagement)
            let first = try #require(try lead.store.vector()[lead.identity.id])
            // When one export has read its snapshot, and meanwhile the lead notes more and a
            // second export carries that and finishes first
            let overtaken = Once()
            lead.probes.exportReadRosters = {
                guard overtaken.first() else { return }
                do {
                    try onAnotherThread {
                        _ = try lead.addNote("Supplier audits are scheduled", ref: "8.1", engagement: engagement)
                        _ = try export(from: lead, for: peer)
                    }
                } catch {
                    Issue.record("the second export failed: \(error)")
                }
            }
            let (slow, _) = try export(from: lead, for: peer)
            lead.probes.exportReadRosters = nil
            #expect(overtaken.happened)
            // Then the slower export carried only its snapshot's changes
            let last = try #require(try lead.store.vector()[lead.identity.id])
            #expect(last > first)
            #expect(slow.changes + slow.withheld == Int(first))
            // And the seq recorded as exported is the later export's, not the slower one's
            #expect(try lead.store.metadata(Replica.exportedSeqKey) == String(last))
            #expect(try lead.status(engagement: engagement).unexported == 0)
        }
    }
}

