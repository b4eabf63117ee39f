import AuditModel
import AuditStore
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// Nonconformity numbers, the sign-off's binding to what was signed, and the follow-up after the
/// audit, across replicas merged in every order.
struct NonconformityFollowUpTests: ClockedReplicas {
    let directory = TemporaryDirectory()
    let clock = ManualClock()

    /// A lead with an engagement and an auditor on its team, both holding the same state.
    func team(auditorRole: TeamRole = .auditor) throws -> (lead: Replica, auditor: Replica, engagement: EntityID) {
        let lead = try replica("lead", seed: 1)
        let auditor = try replica("auditor", seed: 2)
        let engagement = try lead.createEngagement(
            EngagementDraft(client: "Helix Diagnostics Ltd", auditType: .stage2, startDate: "2026-12-01", endDate: "2026-12-03"))
        _ = try lead.addMember(auditor.card, role: auditorRole, engagement: nil)
        try sync(lead, to: auditor)
        try auditor.use(engagement: engagement)
        return (lead, auditor, engagement)
    }

    @discardableResult
    func raise(_ replica: Replica, _ statement: String, justified: Bool = true) throws -> EntityID {
        try raise(replica, .minor, statement, justified: justified)
    }

    @discardableResult
    func raise(_ replica: Replica, _ grade: FindingGrade, _ statement: String, justified: Bool = true) throws -> EntityID {
        clock.advance(by: 10)
        return try replica.raiseFinding(
            grade: grade, refs: ["A.6.2.8"], statement: statement, evidence: [], objectiveEvidence: "retention_days: 7",
            systems: [], gradeJustification: justified ? "One control lapsed; the process exists" : nil, engagement: nil)
    }

    func labels(_ replica: Replica, _ engagement: EntityID) throws -> [EntityID: String] {
        try replica.record(of: engagement).numbering.labels
    }

    // MARK: - Numbering

    @Test func signingOffNumbersNonconformitiesInOrderAndNeverReusesANumber() throws {
        let (lead, _, engagement) = try team()
        let first = try raise(lead, "Logs kept 7 days")
        let ofi = try raise(lead, .ofi, "Track training")
        let second = try raise(lead, .major, "No AI policy")
        #expect(try lead.signOffFinding(first.short, engagement: nil).label == "NC-01")
        #expect(try lead.signOffFinding(ofi.short, engagement: nil).label == nil, "an OFI takes no number")
        #expect(try lead.signOffFinding(second.short, engagement: nil).label == "NC-02")
        // Signing off again keeps the number.
        clock.advance(by: 10)
        #expect(try lead.signOffFinding("nc-01", engagement: nil).label == "NC-01")

        // Regrading NC-01 to an OFI and deleting NC-02 frees neither number.
        _ = try lead.editFinding(first.short, .init(grade: .ofi), engagement: nil)
        _ = try lead.set(.bool(true), field: Change.deletedField, of: second, kind: EntityKind.finding.rawValue, engagement: engagement)
        let third = try raise(lead, "Training records incomplete")
        #expect(try lead.signOffFinding(third.short, engagement: nil).label == "NC-03")
        // Regraded back, the first keeps its own number.
        _ = try lead.editFinding(first.short, .init(grade: .minor), engagement: nil)
        #expect(try lead.signOffFinding(first.short, engagement: nil).label == "NC-01")
    }

    @Test func aMajorOrMinorCannotBeSignedOffWithoutAGradeJustification() throws {
        let (lead, _, engagement) = try team()
        let finding = try raise(lead, "Logs kept 7 days", justified: false)
        #expect {
            try lead.signOffFinding(finding.short, engagement: nil)
        } throws: { error in
            if case FieldAuditError.model(.missing(let field)) = error { field.contains("grade justification") } else { false }
        }
        #expect(try lead.record(of: engagement).findings.first?.isSignedOff == false, "nothing was written")
        _ = try lead.editFinding(finding.short, .init(gradeJustification: "Isolated lapse"), engagement: nil)
        #expect(try lead.signOffFinding(finding.short, engagement: nil).label == "NC-01")
    }

    /// The law: whatever order the changes of a history arrive in, once a finding shows a number it
    /// keeps it, and every replica ends with the lead's labels.
    @Test func numbersAreTheSameOnEveryReplicaWhateverTheArrivalOrderAndNeverChangeOnceShown() throws {
        let (lead, auditor, engagement) = try team()
        var generator = SeededGenerator(seed: 14)
        // The history: both raise findings offline, exchange, the lead numbers some, regrades and
        // deletes one, the auditor raises more, the lead numbers those too.
        for round in 0..<3 {
            for index in 0..<3 {
                try raise(generator.chance(0.5) ? lead : auditor, generator.chance(0.3) ? .major : .minor, "round \(round) finding \(index)")
            }
            try sync(auditor, to: lead)
            let record = try lead.record(of: engagement)
            for finding in record.findings where finding.number == nil && generator.chance(0.7) {
                clock.advance(by: 10)
                try lead.signOffFinding(finding.id.short, engagement: nil)
            }
            if round == 1, let numbered = try lead.record(of: engagement).findings.first(where: { $0.number != nil }) {
                _ = try lead.set(.bool(true), field: Change.deletedField, of: numbered.id, kind: EntityKind.finding.rawValue, engagement: engagement)
            }
            try sync(lead, to: auditor)
        }
        let expected = try labels(lead, engagement)
        #expect(expected.count >= 4)
        #expect(Set(expected.values).count == expected.count, "no two findings share a label")
        let history = try changes(of: lead)

        for run in 0..<propertyRuns(12) {
            let reader = try replica("reader-\(run)", seed: 100 + UInt64(run))
            var shown: [EntityID: String] = [:]
            var pending = history.shuffled(using: &generator)
            while !pending.isEmpty {
                let chunk = Array(pending.prefix(Int.random(in: 1...20, using: &generator)))
                pending.removeFirst(chunk.count)
                try reader.store.apply(chunk)
                guard let now = try? labels(reader, engagement) else { continue }
                for (finding, label) in now {
                    if let before = shown[finding] { #expect(before == label, "run \(run): a label changed as more changes arrived") }
                    shown[finding] = label
                }
            }
            #expect(try labels(reader, engagement) == expected, "run \(run)")
            #expect(try reader.store.digest() == lead.store.digest())
        }
    }

    @Test func twoLeadsNumberingOfflineAtOnceGetDistinctLabelsAndTheNextNumberSkipsBoth() throws {
        let (lead, other, engagement) = try team(auditorRole: .lead)
        let mine = try raise(lead, "Lead's finding")
        let theirs = try raise(other, "Other lead's finding")
        try sync(lead, to: other)
        try sync(other, to: lead)
        // Each signs off a different finding, offline: both assign NC-01.
        clock.advance(by: 10)
        #expect(try lead.signOffFinding(mine.short, engagement: nil).label == "NC-01")
        clock.advance(by: 10)
        #expect(try other.signOffFinding(theirs.short, engagement: nil).label == "NC-01")
        try sync(lead, to: other)
        try sync(other, to: lead)

        for replica in [lead, other] {
            let record = try replica.record(of: engagement)
            #expect(record.numbering.labels == [mine: "NC-01", theirs: "NC-01-b"], "the first written keeps the plain number")
            #expect(record.numbering.collisions.map(\.number) == [1])
        }
        let third = try raise(lead, "A third")
        #expect(try lead.signOffFinding(third.short, engagement: nil).label == "NC-02")
    }

    // MARK: - Sign-off bound to content

    /// The law: an edit of a content field from any replica, before or after it learns of the
    /// sign-off, in any import order, leaves every replica saying the sign-off no longer stands,
    /// naming the editor; edits of other fields leave it standing.
    @Test func anEditOfWhatWasSignedVoidsTheSignOffOnEveryReplicaWhateverTheOrder() throws {
        var generator = SeededGenerator(seed: 22)
        for run in 0..<propertyRuns(8) {
            let scratch = TemporaryDirectory()
            let lead = try Replica.create(at: StoreLocation(directory: scratch.file("lead")), name: "lead", identity: testIdentity(1), clock: clock)
            let auditor = try Replica.create(at: StoreLocation(directory: scratch.file("auditor")), name: "auditor", identity: testIdentity(2), clock: clock)
            let engagement = try lead.createEngagement(EngagementDraft(client: "Helix", auditType: .stage2, endDate: "2026-12-03"))
            _ = try lead.addMember(auditor.card, role: .auditor, engagement: nil)
            try sync(lead, to: auditor)
            try auditor.use(engagement: engagement)
            let finding = try raise(auditor, "Logs kept 7 days")
            try sync(auditor, to: lead)

            let contentEdit = generator.chance(0.7)
            let editBeforeLearning = generator.chance(0.5)
            let edit: Replica.FindingEdit = switch Int.random(in: 0..<4, using: &generator) {
            case 0: .init(statement: "Logs kept 7 days, not 2 years")
            case 1: .init(objectiveEvidence: "retention_days: 7 in production")
            case 2: .init(refs: ["A.6.2.8", "9.1"])
            default: .init(gradeJustification: "A single control lapsed")
            }
            clock.advance(by: 10)
            try lead.signOffFinding(finding.short, engagement: nil)
            if !editBeforeLearning { try sync(lead, to: auditor) }
            clock.advance(by: 10)
            if contentEdit {
                _ = try auditor.editFinding(finding.short, edit, engagement: nil)
            } else {
                _ = try auditor.recordFollowUp(.correction, "Retention raised", finding: finding.short, engagement: nil)
            }
            let third = try Replica.create(at: StoreLocation(directory: scratch.file("third")), name: "third", identity: testIdentity(3), clock: clock)
            let all = try changes(of: lead) + changes(of: auditor)
            try third.store.apply(all.shuffled(using: &generator))
            if generator.chance(0.5) { try sync(auditor, to: lead); try sync(lead, to: auditor) } else { try sync(lead, to: auditor); try sync(auditor, to: lead) }

            for replica in [lead, auditor, third] {
                let record = try replica.record(of: engagement)
                let state = try #require(record.findings.first).signOffState
                if contentEdit {
                    guard case let .changedSinceSignOff(_, _, change) = state else {
                        Issue.record("run \(run): \(state) after a content edit"); continue
                    }
                    #expect(change?.by == auditor.identity.id, "run \(run): names the editor")
                    #expect(record.signOffSummary(of: record.findings[0]) { _ in "T" }.contains("then changed by auditor at T — needs a new sign-off"))
                } else {
                    #expect(state.stands, "run \(run): a correction does not void the sign-off")
                }
            }
            // A new sign-off binds the new content.
            if contentEdit {
                clock.advance(by: 10)
                try lead.signOffFinding(finding.short, engagement: nil)
                #expect(try lead.record(of: engagement).findings.first?.signOffState.stands == true)
            }
        }
    }

    // MARK: - After the audit

    @Test func theCorrectiveActionPlanIsFollowedToClosureAfterClosingAndNothingOfItIsLate() throws {
        let (lead, auditor, engagement) = try team()
        let finding = try raise(auditor, "Logs kept 7 days")
        try sync(auditor, to: lead)
        try lead.signOffFinding(finding.short, engagement: nil)
        _ = try lead.setNonconformityPolicy(majorDays: nil, minorDays: 60, engagement: nil)
        _ = try lead.closeEngagement(recommendation: .certifyAfterClosure, conclusion: nil, engagement: nil)
        try sync(lead, to: auditor)

        // The auditor transcribes the auditee's plan after closing.
        _ = try auditor.recordFollowUp(.correction, "Retention raised to 2 years", finding: "NC-01", engagement: nil)
        _ = try auditor.recordFollowUp(.rootCause, "The default was never reviewed", finding: "NC-01", engagement: nil)
        let action = try auditor.addCorrectiveAction(finding: "NC-01", action: "Review logging defaults", owner: "CTO", due: "2026-12-20", engagement: nil)
        #expect {
            _ = try auditor.verifyCorrectiveActions(finding: "NC-01", outcome: .accepted, reason: "ok", evidence: [], engagement: nil)
        } throws: { error in
            if case FieldAuditError.refused(.leadOnly(_, "verifies a nonconformity's corrective actions", .auditor)) = error { true } else { false }
        }
        try sync(auditor, to: lead)
        #expect {
            _ = try lead.verifyCorrectiveActions(finding: "NC-01", outcome: .accepted, reason: "ok", evidence: [], engagement: nil)
        } throws: { error in
            if case FieldAuditError.invalidInput = error { true } else { false }
        }
        var record = try lead.record(of: engagement)
        var followUp = try #require(record.followUps(today: "2026-12-21").first)
        #expect(followUp.state == .actionsOpen && followUp.overdueActions.map(\.id) == [action])
        #expect(followUp.deadline == Dates.adding(60, to: Dates.day(of: Int64(clock.now()))), "60 days from the closing day")

        _ = try auditor.completeCorrectiveAction(action.short, on: "2026-12-18", implementation: "retention_days: 730", evidence: [], engagement: nil)
        try sync(auditor, to: lead)
        _ = try lead.verifyCorrectiveActions(finding: "NC-01", outcome: .accepted, reason: "Configuration shows 730 days", evidence: [], engagement: nil)
        try sync(lead, to: auditor)

        for replica in [lead, auditor] {
            record = try replica.record(of: engagement)
            followUp = try #require(record.followUps(today: "2027-06-01").first)
            #expect(followUp.state == .closed && !followUp.isOverdue && followUp.overdueActions.isEmpty)
            #expect(record.findings.first?.status == .closed)
            #expect(try replica.status(engagement: nil).late.isEmpty, "the follow-up after closing is never late")
        }
        #expect(try lead.store.digest() == auditor.store.digest())
    }

    @Test func evidenceOfImplementationAddedAfterClosingIsNotLateOnAnyReplicaWhileOtherEvidenceIs() throws {
        let (lead, auditor, engagement) = try team()
        let offline = try replica("offline", seed: 3)
        _ = try lead.addMember(offline.card, role: .auditor, engagement: nil)
        let finding = try raise(auditor, "Logs kept 7 days")
        try sync(auditor, to: lead)
        try lead.signOffFinding(finding.short, engagement: nil)
        let action = try lead.addCorrectiveAction(finding: "NC-01", action: "Review logging defaults", owner: "CTO", due: "2030-01-31", engagement: nil)
        try sync(lead, to: offline)
        try offline.use(engagement: engagement)
        _ = try lead.closeEngagement(recommendation: .certifyAfterClosure, conclusion: nil, engagement: nil)
        try sync(lead, to: auditor)

        try Data("retention_days: 730".utf8).write(to: URL(fileURLWithPath: directory.file("logging.yaml")))
        try Data("a later record".utf8).write(to: URL(fileURLWithPath: directory.file("other.txt")))
        let before = try auditor.store.digest()
        for (target, ref) in [(nil, "A.6.2.8"), (finding.short, nil), (action.short, "A.6.2.8")] as [(String?, String?)] {
            #expect {
                _ = try auditor.addEvidence(files: [directory.file("other.txt")], target: target, ref: ref, description: nil, engagement: nil)
            } throws: { error in
                if case FieldAuditError.engagementClosed(_, isLead: false) = error { true } else { false }
            }
        }
        #expect(try auditor.store.digest() == before)
        let added = try auditor.addEvidence(files: [directory.file("logging.yaml")], target: action.short, ref: nil, description: "New configuration", engagement: nil)
        #expect {
            try auditor.linkEvidence([added[0].id.short], to: finding.short, engagement: nil)
        } throws: { error in
            if case FieldAuditError.engagementClosed = error { true } else { false }
        }
        try auditor.linkEvidence([added[0].id.short], to: action.short, engagement: nil)
        // An auditor who had not heard of the closing adds evidence to the finding: that is late.
        clock.advance(by: 10)
        _ = try offline.addEvidence(files: [directory.file("other.txt")], target: finding.short, ref: nil, description: nil, engagement: nil)
        try sync(auditor, to: lead)
        try sync(offline, to: lead)
        try sync(lead, to: auditor)

        for replica in [lead, auditor] {
            let record = try replica.record(of: engagement)
            #expect(record.evidence(linkedTo: action.description).map(\.id) == [added[0].id])
            let late = try replica.status(engagement: nil).late
            #expect(!late.contains { $0.entity == added[0].id || $0.entity == EvidenceLink.id(evidence: added[0].id, target: action.description) },
                    "evidence of implementation is never late")
            #expect(Set(late.map(\.kind)) == ["evidence", "link"], "the offline auditor's evidence and its link are late")
        }
        #expect(try lead.store.digest() == auditor.store.digest())
    }

    @Test func twoVerificationsMadeAtOnceShowAsAConflictAndDoNotCloseTheNonconformity() throws {
        let (lead, other, engagement) = try team(auditorRole: .lead)
        let finding = try raise(lead, "Logs kept 7 days")
        try lead.signOffFinding(finding.short, engagement: nil)
        let action = try lead.addCorrectiveAction(finding: "NC-01", action: "Fix", owner: "CTO", due: "2027-01-10", engagement: nil)
        _ = try lead.completeCorrectiveAction(action.short, on: "2027-01-05", implementation: nil, evidence: [], engagement: nil)
        try sync(lead, to: other)
        clock.advance(by: 10)
        _ = try lead.verifyCorrectiveActions(finding: "NC-01", outcome: .accepted, reason: "Looks fixed", evidence: [], engagement: nil)
        _ = try other.verifyCorrectiveActions(finding: "NC-01", outcome: .rejected, reason: "No evidence of review", evidence: [], engagement: nil)
        try sync(lead, to: other)
        try sync(other, to: lead)
        for replica in [lead, other] {
            let record = try replica.record(of: engagement)
            let followUp = try #require(record.followUps(today: "2027-01-06").first)
            #expect(followUp.verificationDisputed && followUp.state != .closed)
            #expect(record.conflicts.contains { $0.fields.contains(Finding.Field.verification.rawValue) })
        }
    }

    @Test func anOFICannotTakeACorrectiveActionPlan() throws {
        let (lead, _, _) = try team()
        let ofi = try raise(lead, .ofi, "Track training")
        #expect {
            _ = try lead.addCorrectiveAction(finding: ofi.short, action: "x", owner: "y", due: "2027-01-01", engagement: nil)
        } throws: { error in
            if case FieldAuditError.invalidInput(_, let reason) = error { reason.contains("not a major or minor nonconformity") } else { false }
        }
    }
}
