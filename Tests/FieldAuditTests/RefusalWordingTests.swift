import AuditModel
@testable import FieldAudit
import Foundation
import TestSupport
import Testing

/// Refusals say what happened: the action refused, the rule it broke, and the author's actual
/// role, never a role as the reason when the rule holds for every role (issue 20).
struct RefusalWordingTests {
    let sync = SyncTests()

    @Test func aLeadRecordingInAClosedEngagementIsToldTheClosingIsTheRuleNotTheRole() throws {
        // Given an engagement its lead closed
        let (lead, _, _) = try sync.team()
        _ = try lead.closeEngagement(recommendation: .doNotCertify, conclusion: nil, engagement: nil)

        // When the lead (who may do anything a role allows) records a note
        #expect {
            _ = try lead.addNote("One more thing", ref: "5.1", engagement: nil)
        } throws: { error in
            // Then the message names the action, the closing as the rule, the lead's actual role, and what follows
            let message = "\(error)"
            return message.contains("is closed, so its conclusion is frozen and no work is recorded in it")
                && message.contains("`fieldaudit engagement reopen --reason TEXT`")
                && !message.contains("which may not") && !message.contains("Ask the lead")
        }
    }

    @Test func theFoundingLeadRemovingItselfIsToldTheRuleAboutFounders() throws {
        let (lead, _, _) = try sync.team()
        #expect {
            _ = try lead.removeMember(lead.identity.id, engagement: nil)
        } throws: { error in
            let message = "\(error)"
            return message.contains("removing yourself from the team is not allowed: only the engagement's founding lead changes its team, and it stays on the team it founded")
                && message.contains("yours here is lead")
                && !message.contains("Ask the lead")
        }
    }
}

extension RefusalWordingTests {
    @Test func anImportRefusedForItsAuthorsRoleSaysTheRoleIsTheTeamAsThisReplicaHoldsIt() throws {
        // Given an observer whose promotion to auditor the peer has not received yet (a forged change stands for work written after it)
        let world = try RosterPolicyTests.World(author: .observer)
        try world.forge(.captureANote)
        let note = try #require(try world.author.store.changes(of: world.author.identity.id).first?.id)

        // When the peer imports the observer's bundle
        #expect {
            _ = try world.peer.importBundle(at: try world.sync.bundle(from: world.author, all: true))
        } throws: { error in
            // Then the message names the change, the role the peer knows, the rule, and how a later roster change reaches it
            let message = "\(error)"
            return message.contains("change \(note) records audit work, which only leads, auditors and experts may do; its author is an observer")
                && message.contains("The author's standing is the team as this replica holds it")
                && message.contains("import the lead's latest bundle first, then this one again")
        }
    }
}
