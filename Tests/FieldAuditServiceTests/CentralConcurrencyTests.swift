import AuditModel
import FieldAudit
import FieldAuditService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Replication
import Testing
import TestSupport

/// The central under load: pulls never wait behind an import (SQLite's read pool), imports for
/// different engagements run at once on PostgreSQL, and laptops syncing overlapping changes at
/// once converge there. Every interleaving is forced by an import held open inside its
/// transaction (`ImportGate`), never by timing.
struct CentralConcurrencyTests {
    func remote(_ fixture: CentralFixture, port: Int) -> Remote {
        Remote(name: "central", url: "http://127.0.0.1:\(port)", card: fixture.central.card)
    }

    // A test that hangs here has found the pull or the push waiting behind the held import.
    @Test(.timeLimit(.minutes(2))) func aPullIsAnsweredWhileAnImportIsHeldOpenOnTheSQLiteCentralAndEachSeesTheRightState() async throws {
        let fixture = try CentralFixture(auditors: 2)
        let (ben, cleo) = (fixture.auditors[0], fixture.auditors[1])
        let helix = fixture.helix.description
        // Given a central serving its SQLite store with a read pool (as `serve` opens it), holding
        // Ben's first note, and his second note's import held open inside its transaction
        let served = try Replica.open(at: fixture.central.location, concurrentReads: true)
        #expect(served.readsConcurrently)
        #expect(!served.writesConcurrently)
        let first = try fixture.file(try fixture.note("Risk register reviewed quarterly", by: ben), named: "first.fabundle")
        _ = try served.importBundle(at: first)
        let second = try fixture.file(try fixture.note("Supplier audits are scheduled", by: ben), named: "second.fabundle")
        let central = CentralReplica(served)
        let gate = ImportGate()
        let importing = Task {
            try await central.write { replica throws(FieldAuditError) in try replica.importBundle(at: second, beforeCommit: gate.hold) }
        }
        await gate.held()
        let server = try CentralServer(central: central, configuration: .init(host: "127.0.0.1", port: 0)).application()
        try await server.test(.live) { client in
            let puller = CentralClient(url: "http://127.0.0.1:\(try #require(client.port))", identity: cleo.identity, server: served.identity.id)
            // When Cleo pulls meanwhile, she is answered
            let during = fixture.directory.file("during.fabundle")
            _ = try await puller.pull(try cleo.vectorFile(), to: during)
            _ = try cleo.importBundle(at: during)
            // Then with what was committed before the import, and nothing of the held one
            #expect(try cleo.search("quarterly", engagement: helix).count == 1)
            #expect(try cleo.search("Supplier audits", engagement: helix).isEmpty)
            // And the held import, let go, commits whole; her next pull brings it
            gate.release()
            #expect(try await importing.value.newChanges > 0)
            let after = fixture.directory.file("after.fabundle")
            _ = try await puller.pull(try cleo.vectorFile(), to: after)
            _ = try cleo.importBundle(at: after)
            #expect(try cleo.search("Supplier audits", engagement: helix).count == 1)
        }
        #expect(try served.verify().isSound)
    }

    // A test that hangs here has found the pull or the push waiting behind the held import.
    @Test(.timeLimit(.minutes(2))) func importsForDifferentEngagementsRunAtOnceOnAPostgreSQLCentral() async throws {
        guard let base = TestPostgres.url() else { return }
        let fixture = try CentralFixture(auditors: 2, database: TestPostgres.freshURL(base))
        let (ben, cleo) = (fixture.auditors[0], fixture.auditors[1])
        // Given Ben on Helix and Cleo on Other, each with a note for the central
        _ = try fixture.central.addMember(cleo.card, role: .auditor, engagement: fixture.other.description)
        let bens = try fixture.file(try fixture.note("Risk register reviewed quarterly", by: ben), named: "ben.fabundle")
        let cleos = try fixture.note("Supplier audits are scheduled", by: cleo, in: fixture.other)
        let central = CentralReplica(fixture.central)
        #expect(central.writesConcurrently)
        // And Ben's import held open inside its transaction
        let gate = ImportGate()
        let importing = Task {
            try await central.write { replica throws(FieldAuditError) in try replica.importBundle(at: bens, beforeCommit: gate.hold) }
        }
        await gate.held()
        let server = try CentralServer(central: central, configuration: .init(host: "127.0.0.1", port: 0)).application()
        try await server.test(.live) { client in
            // When Cleo pushes her note through the server meanwhile
            let response = try await client.execute(
                uri: "/v1/push", method: .post, headers: fixture.signed("POST", "/v1/push", body: cleos, by: cleo.identity),
                body: ByteBuffer(bytes: cleos))
            // Then it is imported and committed while Ben's import is still open
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            #expect(try fixture.central.search("Supplier audits", engagement: fixture.other.description).count == 1)
            #expect(try fixture.central.search("quarterly", engagement: fixture.helix.description).isEmpty)
            // And Ben's, let go, commits too
            gate.release()
            #expect(try await importing.value.newChanges > 0)
        }
        #expect(try fixture.central.search("quarterly", engagement: fixture.helix.description).count == 1)
        #expect(try fixture.central.verify().isSound)
    }

    @Test(.timeLimit(.minutes(2))) func laptopsSyncingOverlappingChangesAtOnceConvergeOnAPostgreSQLCentralWithNothingLost() async throws {
        guard let base = TestPostgres.url() else { return }
        let fixture = try CentralFixture(auditors: 4, database: TestPostgres.freshURL(base))
        let auditors = fixture.auditors
        // Given two auditors on Helix and two on Other, each with a note of their own
        for auditor in auditors[2...] {
            _ = try fixture.central.addMember(auditor.card, role: .auditor, engagement: fixture.other.description)
        }
        var bundles: [String] = []
        for (index, auditor) in auditors.enumerated() {
            let bundle = try fixture.note("Observation \(index) recorded", by: auditor, in: index < 2 ? fixture.helix : fixture.other)
            bundles.append(try fixture.file(bundle, named: "note-\(index).fabundle"))
        }
        // And each one's teammate carrying that note too (a USB bundle), so their pushes overlap
        _ = try auditors[1].importBundle(at: bundles[0])
        _ = try auditors[3].importBundle(at: bundles[2])
        try await fixture.server { _ in }.test(.live) { client in
            let remote = remote(fixture, port: try #require(client.port))
            // When all four sync at once, then each once more
            try await withThrowingTaskGroup(of: Void.self) { group in
                for auditor in auditors {
                    group.addTask { _ = try await CentralSync(replica: auditor, remote: remote).run() }
                }
                try await group.waitForAll()
            }
            for auditor in auditors { _ = try await CentralSync(replica: auditor, remote: remote).run() }
        }
        // Then the central holds every note once, and every laptop's own history
        for index in auditors.indices {
            let engagement = (index < 2 ? fixture.helix : fixture.other).description
            #expect(try fixture.central.search("Observation \(index) recorded", engagement: engagement).count == 1)
        }
        let held = try fixture.central.vectorFile().versionVector(path: "central")
        for auditor in auditors {
            let own = try auditor.vectorFile().versionVector(path: "laptop")[auditor.identity.id]
            #expect(own > 0 && held[auditor.identity.id] == own)
        }
        // And teammates converge on one digest
        #expect(try fixture.digest(auditors[0]) == fixture.digest(auditors[1]))
        #expect(try fixture.digest(auditors[2]) == fixture.digest(auditors[3]))
        #expect(try fixture.central.verify().isSound)
    }
}
