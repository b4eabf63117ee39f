import AuditModel
import AuditStore
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// Two auditors' replicas merged through the core's `apply`, as bundles will carry them.
struct TeamWorkTests {
    let directory = TemporaryDirectory()
    let clock = ManualClock()

    func replica(_ name: String, seed: UInt64) throws -> Replica {
        try Replica.create(at: StoreLocation(directory: directory.file(name)), name: name, identity: testIdentity(seed), clock: clock)
    }

    /// Copies every change `source` holds into `destination`.
    func sync(_ source: Replica, to destination: Replica) throws {
        var changes: [Change] = []
        for (origin, _) in try source.store.vector() { changes += try source.store.changes(of: origin) }
        try destination.store.apply(changes)
    }

    /// A lead with an engagement, an auditor on its team, both holding the same state.
    func team() throws -> (lead: Replica, auditor: Replica, engagement: EntityID) {
        let lead = try replica("lead", seed: 1)
        let auditor = try replica("auditor", seed: 2)
        let engagement = try lead.createEngagement(EngagementDraft(client: "Helix Diagnostics Ltd", auditType: .stage2))
        _ = try lead.addMember(auditor.card, role: .auditor, engagement: nil)
        try sync(lead, to: auditor)
        try auditor.use(engagement: engagement)
        return (lead, auditor, engagement)
    }

    @Test func concurrentEditsOfOneFindingShowAsAConflictAndAResolveClearsItOnEveryReplica() throws {
        let (lead, auditor, engagement) = try team()
        let finding = try lead.raiseFinding(
            grade: .minor, refs: ["A.6.2.8"], statement: "Logs kept 7 days", evidence: [], objectiveEvidence: "config",
            systems: [], engagement: nil)
        try sync(lead, to: auditor)

        clock.advance(by: 1_000)
        _ = try lead.editFinding(finding.description, .init(statement: "Inference logs kept 7 days, not 2 years"), engagement: nil)
        _ = try auditor.editFinding(finding.short, .init(statement: "Logs kept 7 days; safety case needs 2 years"), engagement: nil)
        try sync(lead, to: auditor)
        try sync(auditor, to: lead)

        for replica in [lead, auditor] {
            let conflicts = try replica.conflicts(engagement: nil)
            #expect(conflicts.count == 1)
            #expect(conflicts.first?.field == "statement")
            #expect(Set(conflicts.first?.values.map(\.author) ?? []) == ["lead", "auditor"])
            let record = try replica.record(of: engagement)
            #expect(record.findings.first?.statementVersions.count == 2)
        }
        #expect(try lead.store.digest() == auditor.store.digest())

        _ = try lead.resolve(entity: finding.short, field: "statement", take: 2, value: nil, engagement: nil)
        try sync(lead, to: auditor)
        for replica in [lead, auditor] {
            #expect(try replica.conflicts(engagement: nil).isEmpty)
        }
        #expect(try lead.store.digest() == auditor.store.digest())
        #expect(try auditor.record(of: engagement).findings.first?.statementVersions.count == 1)
    }

    @Test func onlyTheLeadChangesTheTeamOrSignsOffFindings() throws {
        let (lead, auditor, _) = try team()
        let finding = try auditor.raiseFinding(
            grade: .ofi, refs: ["7.2"], statement: "Track training", evidence: [], objectiveEvidence: nil, systems: [], engagement: nil)
        let stranger = try replica("stranger", seed: 3)
        #expect {
            _ = try auditor.addMember(stranger.card, role: .auditor, engagement: nil)
        } throws: { error in
            if case FieldAuditError.refused(.founderOnly(_, "changes the team", .auditor)) = error { true } else { false }
        }
        #expect {
            _ = try auditor.signOffFinding(finding.short, engagement: nil)
        } throws: { error in
            if case FieldAuditError.refused(.leadOnly(_, "signs a finding off", .auditor)) = error { true } else { false }
        }
        try sync(auditor, to: lead)
        _ = try lead.signOffFinding(finding.short, engagement: nil)
        #expect(try lead.record(of: lead.engagementID(nil)).findings.first?.isSignedOff == true)
    }

    @Test func aFindingInConflictCannotBeSignedOffUntilResolved() throws {
        let (lead, auditor, _) = try team()
        let finding = try lead.raiseFinding(
            grade: .observation, refs: ["9.1"], statement: "A", evidence: [], objectiveEvidence: nil, systems: [], engagement: nil)
        try sync(lead, to: auditor)
        _ = try lead.editFinding(finding.short, .init(grade: .ofi), engagement: nil)
        _ = try auditor.editFinding(finding.short, .init(grade: .observation), engagement: nil)
        try sync(auditor, to: lead)
        #expect {
            _ = try lead.signOffFinding(finding.short, engagement: nil)
        } throws: { error in
            if case FieldAuditError.unresolvedConflict(_, "grade") = error { true } else { false }
        }
    }

    @Test func aReplicaOffTheTeamCannotCaptureIntoTheEngagement() throws {
        let (lead, _, engagement) = try team()
        let stranger = try replica("stranger", seed: 3)
        try sync(lead, to: stranger)
        #expect {
            _ = try stranger.addNote("x", ref: "5.1", engagement: engagement.description)
        } throws: { error in
            if case FieldAuditError.refused(.notOnRoster(_, engagement)) = error { true } else { false }
        }
    }

    @Test func addingTheSameMemberTwiceOnTwoReplicasMakesOneMember() throws {
        let lead = try replica("lead", seed: 1)
        _ = try lead.createEngagement(EngagementDraft(client: "Helix", auditType: .stage2))
        let auditor = try replica("auditor", seed: 2)
        _ = try lead.addMember(auditor.card, role: .auditor, engagement: nil)
        _ = try lead.addMember(auditor.card, role: .expert, engagement: nil)
        let record = try lead.record(of: lead.engagementID(nil))
        #expect(record.members.count == 2)
        #expect(record.role(of: auditor.identity.id) == .expert)
    }
}
