import AuditModel
@testable import FieldAudit
import FieldAuditService
import Foundation
import Hummingbird
import HummingbirdTesting
import Replication
import Testing
import TestSupport

/// A pull through the server is one snapshot of the central (`Sync/PROTOCOL.md` part three): a
/// member removed while the pull is being exported receives the store from before the removal,
/// never the changes written after it. The removal is committed at a known point of the export
/// (`ReplicaProbes.exportReadRosters`), never by timing.
struct CentralSnapshotTests {
    @Test(.timeLimit(.minutes(2))) func aMemberRemovedWhileItsPullIsExportedReceivesNothingWrittenAfterTheRemoval() async throws {
        let fixture = try CentralFixture(auditors: 1)
        let ben = fixture.auditors[0]
        let helix = fixture.helix.description
        // Given a SQLite central serving with a read pool (as `serve` opens it), Ben on Helix
        let served = try Replica.open(at: fixture.central.location, concurrentReads: true)
        _ = try fixture.central.addNote("Kickoff agenda agreed", ref: "4.1", engagement: helix)
        // And the lead removing Ben and noting something after it, committed (on the central's
        // own store, through another connection) while Ben's pull is exported, between its roster
        // read and its link walk
        let removed = Once()
        served.probes.exportReadRosters = {
            guard removed.first() else { return }
            do {
                try onAnotherThread {
                    _ = try fixture.central.removeMember(ben.identity.id, engagement: helix)
                    _ = try fixture.central.addNote("Written after Ben left the team", ref: "6.1.2", engagement: helix)
                }
            } catch {
                Issue.record("the removal beside the pull failed: \(error)")
            }
        }
        let server = try CentralServer(central: CentralReplica(served), configuration: .init(host: "127.0.0.1", port: 0)).application()
        try await server.test(.live) { client in
            let puller = CentralClient(url: "http://127.0.0.1:\(try #require(client.port))", identity: ben.identity, server: served.identity.id)
            // When Ben pulls
            let during = fixture.directory.file("during.fabundle")
            _ = try await puller.pull(try ben.vectorFile(), to: during)
            #expect(removed.happened)
            _ = try ben.importBundle(at: during)
            // Then he gets Helix as it was before the removal, and nothing written after it
            #expect(try ben.search("Kickoff agenda", engagement: helix).count == 1)
            #expect(try ben.search("Written after Ben left", engagement: nil).isEmpty)
            // And his next pull is the store after it: what he may no longer read, as hashes
            let after = fixture.directory.file("after.fabundle")
            _ = try await puller.pull(try ben.vectorFile(), to: after)
            #expect(try ben.importBundle(at: after).withheld > 0)
            #expect(try ben.search("Written after Ben left", engagement: nil).isEmpty)
        }
        #expect(try served.verify().isSound && ben.verify().isSound)
    }
}

