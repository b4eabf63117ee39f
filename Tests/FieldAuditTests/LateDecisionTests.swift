import AuditModel
import AuditStore
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// Late changes decided one by one, and reopening: change records like any other, so replicas
/// that hold the same changes agree, whatever the order they came in; concurrent decisions are
/// kept as a conflict, never one silently winning.
struct LateDecisionTests: ClockedReplicas {
    let directory = TemporaryDirectory()
    let clock = ManualClock()

    /// A lead, an auditor and a second lead; the first lead closes, the auditor keeps working
    /// unaware, and the first lead learns of it.
    func closedWithLateWork(_ tag: UInt64 = 0) throws -> (lead: Replica, auditor: Replica, second: Replica, engagement: EntityID) {
        let lead = try replica("lead-\(tag)", seed: 1), auditor = try replica("auditor-\(tag)", seed: 2), second = try replica("second-\(tag)", seed: 3)
        let engagement = try lead.createEngagement(EngagementDraft(client: "Helix", auditType: .stage2))
        _ = try lead.addMember(auditor.card, role: .auditor, engagement: nil)
        _ = try lead.addMember(second.card, role: .lead, engagement: nil)
        try sync(lead, to: auditor)
        try sync(lead, to: second)
        try auditor.use(engagement: engagement)
        try second.use(engagement: engagement)
        clock.advance(by: 1_000)
        _ = try lead.closeEngagement(recommendation: .doNotCertify, conclusion: nil, engagement: nil)
        for index in 0..<4 {
            clock.advance(by: 1_000)
            _ = try auditor.addNote("late note \(index)", ref: "7.2", engagement: nil)
        }
        try sync(auditor, to: lead)
        try sync(lead, to: second)
        return (lead, auditor, second, engagement)
    }

    @Test func decisionsAndReopeningsConvergeWhateverTheOrderTheChangesArriveIn() throws {
        for seed in 1...UInt64(propertyRuns(4)) {
            var generator = SeededGenerator(seed: seed)
            let (lead, _, second, engagement) = try closedWithLateWork(seed)
            let late = try lead.lateChanges(in: try lead.record(of: engagement))
            #expect(late.count == 12, "four notes of three fields each")
            // The lead decides about a random half, in random groups; the other lead decides
            // about some others concurrently; then the first lead reopens.
            let shuffled = late.shuffled(using: &generator)
            for group in stride(from: 0, to: 6, by: 2) {
                clock.advance(by: 1_000)
                let verdict: LateVerdict = generator.chance(0.5) ? .accepted : .rejected
                _ = try lead.decideLateChanges(shuffled[group..<group + 2].map(\.change), verdict: verdict, reason: "reason \(group)", engagement: nil)
            }
            _ = try second.decideLateChanges([shuffled[6].change, shuffled[0].change], verdict: .rejected, reason: "the second lead's", engagement: nil)
            clock.advance(by: 1_000)
            _ = try lead.reopenEngagement(reason: "more work", engagement: nil)

            // Every change of all three, applied to fresh replicas in random orders, chunks and duplicates.
            let all = try changes(of: lead) + changes(of: second)
            var digests = Set<String>(), listings = Set<String>()
            for trial in 0..<3 {
                let fresh = try replica("fresh-\(seed)-\(trial)", seed: 10 + UInt64(trial))
                var pending = all.shuffled(using: &generator)
                pending += pending.prefix(Int.random(in: 0...pending.count, using: &generator))
                while !pending.isEmpty {
                    let take = Int.random(in: 1...pending.count, using: &generator)
                    try fresh.store.apply(Array(pending.prefix(take)))
                    pending.removeFirst(take)
                }
                digests.insert(try fresh.store.digest().hex)
                let record = try fresh.record(of: engagement)
                listings.insert(record.lateDecisions.map { "\($0.change)=\($0.verdict?.rawValue ?? "?")" }.sorted().joined(separator: ",")
                    + "|" + record.reopenings.map(\.reason).joined(separator: ",") + "|" + record.engagement.status.rawValue
                    + "|" + record.conflicts.map { "\($0.kind):\($0.fields)" }.sorted().joined(separator: ","))
            }
            try sync(second, to: lead)
            #expect(digests == [try lead.store.digest().hex], "seed \(seed)")
            #expect(listings.count == 1, "seed \(seed): \(listings)")
            let record = try lead.record(of: engagement)
            #expect(record.engagement.status == .active && record.reopenings.map(\.reason) == ["more work"])
            #expect(record.conflicts.contains { $0.kind == "lateDecision" }, "seed \(seed): two leads decided about one change concurrently: kept as a conflict")
        }
    }

    @Test func aRejectedLateChangeIsKeptAndNoLongerAwaitsADecision() throws {
        let (lead, _, _, engagement) = try closedWithLateWork()
        let late = try lead.lateChanges(in: try lead.record(of: engagement))
        #expect { try lead.decideLateChanges([late[0].change], verdict: .rejected, reason: " ", engagement: nil) } throws: { error in
            guard case .model(.missing) = error as? FieldAuditError else { return false }
            return true
        }
        let rejected = try lead.decideLateChanges([late[0].change], verdict: .rejected, reason: "After the closing meeting", engagement: nil)
        #expect(rejected.first?.decision?.verdict == .rejected && rejected.first?.decision?.reason == "After the closing meeting")
        let record = try lead.record(of: engagement)
        #expect(try lead.lateChanges(in: record).count == late.count - 1)
        #expect(try lead.lateChanges(in: record, includingDecided: true).count == late.count, "a rejected change is still listed, as rejected")
        #expect(record.notes.count == 4, "nothing is deleted")
        #expect(try lead.status(engagement: nil).late.count == late.count - 1)
        #expect { try lead.decideLateChanges(["ffffffff:1"], verdict: .accepted, reason: nil, engagement: nil) } throws: { error in
            guard case .notFound(kind: "late change", id: "ffffffff:1") = error as? FieldAuditError else { return false }
            return true
        }
    }

    @Test func onlyALeadDecidesOrReopens() throws {
        let (lead, auditor, _, _) = try closedWithLateWork()
        try sync(lead, to: auditor)
        let change = try #require(try auditor.lateChanges(in: try auditor.record(of: try auditor.engagementID(nil))).first)
        #expect { try auditor.decideLateChanges([change.change], verdict: .accepted, reason: nil, engagement: nil) } throws: { error in
            guard case .refused(.leadOnly(_, "decides about the engagement's closing", .auditor)) = error as? FieldAuditError else { return false }
            return true
        }
        #expect { try auditor.reopenEngagement(reason: "please", engagement: nil) } throws: { error in
            guard case .refused(.leadOnly) = error as? FieldAuditError else { return false }
            return true
        }
    }
}
