import AuditModel
import AuditStore
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// `engagement close` and `accept-late`: the conclusion is frozen, changes made elsewhere before
/// their authors learned of the closing are kept and flagged as late on every replica until the
/// lead accepts them.
struct ClosingTests {
    let directory = TemporaryDirectory()
    let clock = ManualClock()

    func replica(_ name: String, seed: UInt64, clock: ManualClock? = nil) throws -> Replica {
        try Replica.create(
            at: StoreLocation(directory: directory.file(name)), name: name, identity: testIdentity(seed), clock: clock ?? self.clock)
    }

    /// Copies every change `source` holds into `destination`.
    func sync(_ source: Replica, to destination: Replica) throws {
        var changes: [Change] = []
        for (origin, _) in try source.store.vector() { changes += try source.store.changes(of: origin) }
        try destination.store.apply(changes)
    }

    /// A lead with an engagement and a minor finding, an auditor on its team; both hold the same state.
    func team(auditorClock: ManualClock? = nil) throws -> (lead: Replica, auditor: Replica, engagement: EntityID) {
        let lead = try replica("lead", seed: 1)
        let auditor = try replica("auditor", seed: 2, clock: auditorClock)
        let engagement = try lead.createEngagement(EngagementDraft(client: "Helix Diagnostics Ltd", auditType: .stage2))
        _ = try lead.addMember(auditor.card, role: .auditor, engagement: nil)
        _ = try lead.raiseFinding(
            grade: .minor, refs: ["A.6.2.8"], statement: "Logs kept 7 days", evidence: [], objectiveEvidence: "retention_days: 7",
            systems: [], engagement: nil)
        try sync(lead, to: auditor)
        try auditor.use(engagement: engagement)
        return (lead, auditor, engagement)
    }

    @Test func workDoneOfflineBeforeTheClosingArrivesIsKeptAndFlaggedLateUntilAccepted() throws {
        // Given: the auditor's laptop clock is an hour behind, so its offline work carries stamps
        // earlier than the closing.
        let behind = ManualClock(milliseconds: clock.now() - 3_600_000)
        let (lead, auditor, engagement) = try team(auditorClock: behind)
        clock.advance(by: 60_000)
        let closing = try lead.closeEngagement(recommendation: nil, conclusion: "Implemented, one logging gap.", justification: "Examined in full at Stage 1", engagement: nil)
        #expect(closing.recommendation == .certify)
        let late = try auditor.raiseFinding(
            grade: .major, refs: ["A.6.2.6"], statement: "No monitoring of model drift", evidence: [],
            objectiveEvidence: "No drift dashboard", systems: [], engagement: nil)

        // When: the bundles cross.
        try sync(auditor, to: lead)
        try sync(lead, to: auditor)

        // Then: both replicas hold the finding and flag the same changes as late.
        let onLead = try lead.lateChanges(in: try lead.record(of: engagement))
        let onAuditor = try auditor.lateChanges(in: try auditor.record(of: engagement))
        #expect(!onLead.isEmpty && onLead.allSatisfy { $0.entity == late })
        #expect(onLead.map(\.change) == onAuditor.map(\.change))
        #expect(onLead.allSatisfy { $0.at < closing.closedAt }, "late however early the stamp")
        #expect(try lead.record(of: engagement).findings.contains { $0.id == late })
        let status = try lead.status(engagement: nil)
        #expect(status.late.count == onLead.count && status.closing?.closedAt == closing.closedAt)
        #expect(Recommendation.proposed(for: status.record) == .certifyAfterClosure, "the proposal already sees the late major")
        #expect(status.record.engagement.recommendation == .certify, "the recorded recommendation stays frozen")

        // When: the lead accepts them and revises the recommendation.
        #expect(try lead.acceptLateChanges(recommendation: .certifyAfterClosure, engagement: nil)
            == .accepted(count: onLead.count, recommendation: .certifyAfterClosure))
        try sync(lead, to: auditor)

        // Then: nothing is late anywhere, and the recommendation stands revised.
        #expect(try lead.lateChanges(in: try lead.record(of: engagement)).isEmpty)
        #expect(try auditor.lateChanges(in: try auditor.record(of: engagement)).isEmpty)
        #expect(try auditor.record(of: engagement).engagement.recommendation == .certifyAfterClosure)
        #expect(try lead.acceptLateChanges(recommendation: nil, engagement: nil) == .nothingLate)

        // And an auditor who has learned of the closing records nothing more in the engagement.
        #expect {
            _ = try auditor.addNote("One more thing about drift", ref: "A.6.2.6", engagement: nil)
        } throws: { error in
            guard case .engagementClosed(_, isLead: false) = error as? FieldAuditError else { return false }
            return true
        }
    }

    @Test func theLeadsOwnClosingIsNeverLate() throws {
        let (lead, _, engagement) = try team()
        _ = try lead.closeEngagement(recommendation: .certify, conclusion: nil, justification: "Examined in full at Stage 1", engagement: nil)
        #expect(try lead.lateChanges(in: try lead.record(of: engagement)).isEmpty)
        #expect(try lead.status(engagement: nil).record.engagement.status == .closed)
    }

    @Test func onlyTheLeadClosesAndAcceptsAndOnlyOnce() throws {
        let (lead, auditor, engagement) = try team()
        #expect { try auditor.closeEngagement(recommendation: .certify, conclusion: nil, justification: "Examined in full at Stage 1", engagement: nil) } throws: { error in
            guard case .refused(.leadOnly(_, "edits the engagement", .auditor)) = error as? FieldAuditError else { return false }
            return true
        }
        #expect { try lead.acceptLateChanges(recommendation: nil, engagement: nil) } throws: { error in
            guard case .notClosed = error as? FieldAuditError else { return false }
            return true
        }
        _ = try lead.closeEngagement(recommendation: .doNotCertify, conclusion: nil, engagement: nil)
        #expect { try lead.closeEngagement(recommendation: .certify, conclusion: nil, justification: "Examined in full at Stage 1", engagement: nil) } throws: { error in
            guard case .alreadyClosed = error as? FieldAuditError else { return false }
            return true
        }
        try sync(lead, to: auditor)
        #expect { try auditor.acceptLateChanges(recommendation: nil, engagement: nil) } throws: { error in
            guard case .refused(.leadOnly(_, "edits the engagement", .auditor)) = error as? FieldAuditError else { return false }
            return true
        }
        #expect(try auditor.record(of: engagement).engagement.recommendation == .doNotCertify)
    }

    @Test func anEngagementWithAnOpenConflictCannotBeClosed() throws {
        let (lead, auditor, _) = try team()
        let finding = try #require(try lead.record(of: try lead.engagementID(nil)).findings.first)
        clock.advance(by: 1_000)
        _ = try lead.editFinding(finding.id.description, .init(statement: "Logs kept 7 days, not 2 years"), engagement: nil)
        _ = try auditor.editFinding(finding.id.description, .init(statement: "Logs kept a week"), engagement: nil)
        try sync(auditor, to: lead)
        #expect { try lead.closeEngagement(recommendation: nil, conclusion: nil, engagement: nil) } throws: { error in
            guard case let .unresolvedConflict(_, field) = error as? FieldAuditError else { return false }
            return field == "statement"
        }
    }
}
