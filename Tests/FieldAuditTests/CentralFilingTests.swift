import AuditModel
import AuditStore
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// An engagement filed with the central repository: a change the lead writes like any other; the
/// central then reads the whole engagement, is not on the team, and cannot write in it.
struct CentralFilingTests {
    let directory = TemporaryDirectory()

    func replica(_ name: String, seed: UInt64) throws -> Replica {
        try Replica.create(at: StoreLocation(directory: directory.file(name)), name: name, identity: testIdentity(seed))
    }

    /// Sends `source`'s bundle for `destination` to it; returns the import's summary.
    @discardableResult
    func send(_ source: Replica, to destination: Replica) throws -> ImportSummary {
        let path = directory.file("\(source.identity.id.short)-to-\(destination.identity.id.short)-\(UUID().uuidString).fabundle")
        let holds = try destination.vectorFile().versionVector(path: "vector")
        _ = try source.writeBundle(ExportRequest(peer: destination.identity.id, peerHolds: holds), toNewFile: path)
        return try destination.importBundle(at: path)
    }

    /// A lead with an engagement and a note, Ben on its team, and the central, which trusts the lead.
    func office() throws -> (lead: Replica, ben: Replica, central: Replica, engagement: EntityID) {
        let lead = try replica("lead", seed: 1), ben = try replica("ben", seed: 2), central = try replica("central", seed: 3)
        let engagement = try lead.createEngagement(EngagementDraft(client: "Helix Diagnostics Ltd", auditType: .stage2))
        _ = try lead.addMember(ben.card, role: .auditor, engagement: nil)
        _ = try lead.addNote("Risk register reviewed quarterly", ref: "6.1.2", engagement: nil)
        _ = try central.trust(lead.card)
        return (lead, ben, central, engagement)
    }

    @Test func aCentralNotFiledWithReceivesTheEngagementOnlyAsHashes() throws {
        let (lead, _, central, _) = try office()
        let summary = try send(lead, to: central)
        #expect(summary.newChanges == 0)
        #expect(summary.withheld > 0)
        #expect(try central.engagements().isEmpty)
    }

    @Test func aFiledCentralReceivesTheWholeEngagementAndIsNotListedWithTheTeam() throws {
        let (lead, ben, central, engagement) = try office()
        // When the lead files the engagement with the central
        #expect(try lead.file(with: central.card, engagement: nil) == .filed)
        #expect(try lead.file(with: central.card, engagement: nil) == .alreadyFiled)
        let summary = try send(lead, to: central)
        // Then the central holds it whole
        #expect(summary.withheld == 0)
        #expect(try central.engagements().map(\.id) == [engagement])
        #expect(try central.search("quarterly", engagement: engagement.description).count == 1)
        // And nobody lists it with the team, on either side
        for replica in [lead, central] {
            let record = try replica.record(of: engagement)
            #expect(Set(record.members.compactMap(\.replica)) == [lead.identity.id, ben.identity.id])
            #expect(record.centrals.compactMap(\.replica) == [central.identity.id])
            #expect(record.role(of: central.identity.id) == nil)
        }
        #expect(try lead.store.digest() == central.store.digest())
    }

    @Test func theFiledCentralCannotWriteInTheEngagementLocallyNorByABundle() throws {
        let (lead, ben, central, engagement) = try office()
        _ = try lead.file(with: central.card, engagement: nil)
        try send(lead, to: central)
        try central.use(engagement: engagement)
        let before = try central.store.digest()
        // Locally: refused before it commits, with the roster's words
        #expect {
            _ = try central.addNote("The central's own note", ref: "6.1.2", engagement: nil)
        } throws: { error in
            guard case let .refused(refusal) = error as? FieldAuditError, case .centralRepository = refusal else { return false }
            return (error as? FieldAuditError)?.category == .notPermitted
        }
        #expect(try central.store.digest() == before)
        // By a bundle: a peer refuses the central's change too (the same judge, Roster)
        let roster = Roster(engagement: engagement, founder: lead.identity.id, snapshots: try lead.store.snapshots(engagement: engagement, kinds: Roster.kinds))
        let change = ChangeID(origin: central.identity.id, seq: 1_000)
        #expect(roster.refusal(of: change, kind: EntityKind.note.rawValue, field: "text") == .centralRepository(change))
        #expect(roster.canRead(central.identity.id))
        #expect(roster.refusal(of: ChangeID(origin: ben.identity.id, seq: 1_000), kind: EntityKind.note.rawValue, field: "text") == nil)
    }

    @Test func aTeamMemberCannotBeFiledAsTheCentralWithoutLeavingTheTeam() throws {
        let (lead, ben, _, _) = try office()
        #expect(throws: FieldAuditError.self) { _ = try lead.file(with: ben.card, engagement: nil) }
        #expect(try lead.record(of: try lead.engagements()[0].id).members.contains { $0.replica == ben.identity.id })
    }
}
