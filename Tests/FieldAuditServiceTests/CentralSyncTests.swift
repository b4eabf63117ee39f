import FieldAudit
import FieldAuditService
import Foundation
import Hummingbird
import HummingbirdTesting
import Replication
import Testing

/// Laptops syncing with a live central on 127.0.0.1 through `CentralSync`, the code path of
/// `fieldaudit sync`.
struct CentralSyncTests {
    func sync(_ laptop: Replica, with fixture: CentralFixture, port: Int) async throws -> SyncReport {
        let remote = Remote(name: "central", url: "http://localhost:\(port)", card: fixture.central.card)
        return try await CentralSync(replica: laptop, remote: remote).run()
    }

    @Test func aPushCutShortChangesNothingAndTheNextSyncCompletesIt() async throws {
        let fixture = try CentralFixture()
        let ben = fixture.auditors[0]
        let bundle = try fixture.note("Risk register reviewed quarterly", by: ben)
        let before = try fixture.digest(fixture.central)
        try await fixture.server().test(.live) { client in
            // Given a push whose body stops halfway (the connection dropped)
            let cut = try await client.execute(
                uri: "/v1/push", method: .post, headers: fixture.signed("POST", "/v1/push", body: bundle, by: ben.identity),
                body: ByteBuffer(bytes: bundle.prefix(bundle.count / 2)))
            #expect(cut.status == .unauthorized)
            #expect(try fixture.digest(fixture.central) == before)
            // When Ben syncs again
            let report = try await sync(ben, with: fixture, port: try #require(client.port))
            // Then the central has the note
            #expect(report.pushed?.newChanges ?? 0 > 0)
            #expect(try fixture.central.search("quarterly", engagement: fixture.helix.description).count == 1)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.central.location.directory + "/service-scratch").isEmpty)
    }

    @Test func laptopsSyncingAtOnceAllGetThroughAndConverge() async throws {
        let fixture = try CentralFixture(auditors: 4)
        for (index, auditor) in fixture.auditors.enumerated() {
            _ = try fixture.note("Observation \(index): access reviews are logged quarterly", by: auditor)
        }
        try await fixture.server().test(.live) { client in
            let port = try #require(client.port)
            // Two rounds of everyone at once: the first brings each note to the central, the second to everyone.
            for round in 1...2 {
                let reports = try await withThrowingTaskGroup(of: SyncReport.self) { group in
                    for auditor in fixture.auditors { group.addTask { try await sync(auditor, with: fixture, port: port) } }
                    return try await group.reduce(into: [SyncReport]()) { $0.append($1) }
                }
                #expect(reports.count == 4, "round \(round)")
            }
            // A third sync of each picks up what the others pushed during the second round.
            for auditor in fixture.auditors { _ = try await sync(auditor, with: fixture, port: port) }
        }
        #expect(try fixture.central.search("quarterly", engagement: fixture.helix.description).count == 4)
        let digests = try Set(fixture.auditors.map(fixture.digest))
        #expect(digests.count == 1)
        for auditor in fixture.auditors {
            #expect(try auditor.search("quarterly", engagement: fixture.helix.description).count == 4)
        }
    }
}
