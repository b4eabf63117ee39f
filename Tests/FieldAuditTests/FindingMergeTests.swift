import AuditModel
import AuditStore
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// One finding from several auditors' observations: a merge is a replicated field of the merged
/// finding, read at query time, so merges and edits made on several laptops converge in every
/// arrival order, and cycles resolve the same way everywhere.
struct FindingMergeTests: ClockedReplicas {
    let directory = TemporaryDirectory()
    let clock = ManualClock()

    /// A lead (Ada), an auditor (Ben) and, with `secondLead`, a second lead (Cy), all holding the same state.
    func team(secondLead: Bool = false) throws -> (ada: Replica, ben: Replica, cy: Replica?, engagement: EntityID) {
        let ada = try replica("Ada", seed: 1)
        let ben = try replica("Ben", seed: 2)
        let cy = secondLead ? try replica("Cy", seed: 3) : nil
        let engagement = try ada.createEngagement(
            EngagementDraft(client: "Helix Diagnostics Ltd", auditType: .stage2, startDate: "2026-12-01", endDate: "2026-12-03"))
        _ = try ada.addMember(ben.card, role: .auditor, engagement: nil)
        if let cy { _ = try ada.addMember(cy.card, role: .lead, engagement: nil) }
        for other in [ben, cy].compactMap({ $0 }) {
            try sync(ada, to: other)
            try other.use(engagement: engagement)
        }
        return (ada, ben, cy, engagement)
    }

    @discardableResult
    func raise(_ replica: Replica, _ statement: String, ref: String, evidence: String? = nil) throws -> EntityID {
        clock.advance(by: 10)
        var linked: [String] = []
        if let evidence {
            let path = directory.file("\(replica.name)-\(evidence)")
            try Data("evidence \(evidence)".utf8).write(to: URL(fileURLWithPath: path))
            linked = try replica.addEvidence(files: [path], target: nil, ref: nil, description: nil, engagement: nil).map(\.id.description)
        }
        return try replica.raiseFinding(
            grade: .minor, refs: [ref], statement: statement, evidence: linked, objectiveEvidence: "\(statement): seen by \(replica.name)",
            systems: [], gradeJustification: "One control lapsed", engagement: nil)
    }

    func merge(_ replica: Replica, keep: EntityID, _ others: [EntityID], reason: String? = nil) throws -> Replica.FindingMerge {
        clock.advance(by: 10)
        return try replica.mergeFindings(keep: keep.description, others: others.map(\.description), reason: reason, engagement: nil)
    }

    // MARK: - What a merge does

    @Test func theKeptFindingGainsTheOthersRequirementsEvidenceAndAuthorsAndTheMergedOneIsNoLongerCounted() throws {
        let (ada, ben, _, engagement) = try team()
        let kept = try raise(ada, "Logs kept 7 days in radiology", ref: "A.6.2.8", evidence: "radiology.txt")
        let other = try raise(ben, "Logs kept 7 days in pathology", ref: "A.6.2.6", evidence: "pathology.txt")
        try sync(ben, to: ada)

        let merge = try merge(ada, keep: kept, [other], reason: "the same retention default")
        #expect(merge.kept.mergedFrom == [other])
        #expect(merge.kept.refs == ["A.6.2.8", "A.6.2.6"])
        #expect(merge.kept.contributors == ["Ada", "Ben"])
        #expect(merge.merged.map(\.mergedInto) == [kept])

        let record = try ada.record(of: engagement)
        #expect(record.findings.map(\.id) == [kept], "the merged finding is not counted on its own")
        #expect(record.mergedFindings.map(\.id) == [other])
        #expect(record.mergedFindings.first?.mergeReason == "the same retention default")
        let keptFinding = try #require(record.findings.first)
        #expect(Set(record.evidence(behind: keptFinding).map(\.name)) == ["Ada-radiology.txt", "Ben-pathology.txt"])
        #expect(keptFinding.objectiveEvidence?.contains("seen by Ben") == true)
        // A corrective action recorded on the merged finding follows the kept one.
        let action = try ben.addCorrectiveAction(finding: other.short, action: "Review the default", owner: "CTO", due: "2027-01-31", engagement: nil)
        try sync(ben, to: ada)
        let after = try ada.record(of: engagement)
        #expect(try after.followUps(today: "2026-12-03").map { $0.actions.map(\.id) } == [[action]])
                // Nothing was deleted: the merged finding keeps its own fields and can still be named.
        let merged = try ada.finding(named: other.short, in: record)
        #expect(merged.refs == ["A.6.2.6"] && merged.mergedInto == kept)
    }

    @Test func aMergeVoidsTheKeptFindingsSignOffAndTheMergedNumberStaysReserved() throws {
        let (ada, ben, _, engagement) = try team()
        let kept = try raise(ada, "Logs kept 7 days", ref: "A.6.2.8")
        let other = try raise(ben, "Logs kept 7 days too", ref: "A.6.2.8")
        try sync(ben, to: ada)
        #expect(try ada.signOffFinding(kept.short, engagement: nil).label == "NC-01")
        #expect(try ada.signOffFinding(other.short, engagement: nil).label == "NC-02")

        let merge = try merge(ada, keep: kept, [other])
        guard case let .changedSinceSignOff(_, _, change) = merge.kept.signOffState else {
            Issue.record("the merge should void the sign-off, got \(merge.kept.signOffState)")
            return
        }
        #expect(change?.by == ada.identity.id, "the merge is the change that voided it")
        #expect(merge.labels[other] == "NC-02", "the merged nonconformity keeps its number")
        let record = try ada.record(of: engagement)
        #expect(record.numbering.next == 3, "NC-02 is never reused")
        // Signing off again binds the merged content; an edit to the merged finding voids it again.
        clock.advance(by: 10)
        _ = try ada.signOffFinding("NC-01", engagement: nil)
        #expect(try ada.record(of: engagement).findings.first { $0.id == kept }?.signOffState.stands == true)
        try sync(ada, to: ben)
        clock.advance(by: 10)
        _ = try ben.editFinding(other.short, .init(statement: "Logs kept 7 days, 5 on weekends"), engagement: nil)
        try sync(ben, to: ada)
        #expect(try ada.record(of: engagement).findings.first { $0.id == kept }?.signOffState.stands == false)
    }

    // MARK: - Convergence

    @Test func anEditToAMergedFindingMadeOfflineStaysVisibleOnTheKeptFindingInEveryArrivalOrder() throws {
        let (ada, ben, _, engagement) = try team()
        let kept = try raise(ada, "Logs kept 7 days in radiology", ref: "A.6.2.8")
        let other = try raise(ben, "Logs kept 7 days in pathology", ref: "A.6.2.6")
        try sync(ben, to: ada)
        try sync(ada, to: ben)
        let before = Set(try changes(of: ada).map(\.id))

        // Offline, at once: Ada merges; Ben adds a requirement and an evidence file to his finding.
        _ = try merge(ada, keep: kept, [other])
        clock.advance(by: 10)
        _ = try ben.editFinding(other.short, .init(refs: ["A.6.2.6", "A.8.2"]), engagement: nil)
        let path = directory.file("pathology-config.txt")
        try Data("retention_days: 7".utf8).write(to: URL(fileURLWithPath: path))
        _ = try ben.addEvidence(files: [path], target: other.description, ref: nil, description: nil, engagement: nil)

        let all = try changes(of: ada) + changes(of: ben).filter { !before.contains($0.id) }
        var unique: [ChangeID: Change] = [:]
        for change in all { unique[change.id] = change }
        let base = unique.values.filter { before.contains($0.id) }.sorted { $0.id < $1.id }
        let concurrent = unique.values.filter { !before.contains($0.id) }
        var expected: (refs: [String], contributors: [String], evidence: Set<String>, digest: String)?
        var generator = SeededGenerator(seed: 22)
        for run in 0..<propertyRuns(12) {
            let peer = try replica("peer-\(run)", seed: 100 + UInt64(run))
            try peer.store.apply(base)
            // One change at a time, in a random order, some twice.
            var order = concurrent.shuffled(using: &generator)
            order += order.filter { _ in generator.chance(0.2) }
            for change in order { try peer.store.apply([change]) }
            let record = try peer.record(of: engagement)
            #expect(record.findings.map(\.id) == [kept], "run \(run)")
            let finding = try #require(record.findings.first)
            let seen = (finding.refs, finding.contributors, Set(record.evidence(behind: finding).map(\.name)), finding.contentDigest)
            #expect(seen.0.contains("A.8.2"), "Ben's edit after the merge shows on the kept finding (run \(run))")
            #expect(seen.2.contains("pathology-config.txt"), "Ben's evidence shows on the kept finding (run \(run))")
            if let expected {
                #expect(seen.0 == expected.refs && seen.1 == expected.contributors && seen.2 == expected.evidence && seen.3 == expected.digest, "run \(run)")
            } else {
                expected = seen
            }
        }
        try sync(ben, to: ada)
        #expect(try ada.record(of: engagement).findings.first?.refs == expected?.refs, "the lead's replica agrees with every peer")
    }

    @Test func twoLeadsMergingEachOthersFindingAtOnceKeepTheLeastIdOnEveryReplica() throws {
        let (ada, ben, cy, engagement) = try team(secondLead: true)
        let cy_ = try #require(cy)
        let first = try raise(ada, "Logs kept 7 days", ref: "A.6.2.8")
        let second = try raise(ben, "Logs kept 7 days too", ref: "A.6.2.6")
        for source in [ada, ben] { for target in [ada, ben, cy_] where target !== source { try sync(source, to: target) } }
        #expect(first < second)

        // Offline: Ada keeps the second, Cy keeps the first: a cycle once both arrive.
        _ = try merge(ada, keep: second, [first])
        _ = try merge(cy_, keep: first, [second])
        try sync(cy_, to: ada)
        try sync(ada, to: cy_)
        try sync(ada, to: ben)
        for replica in [ada, ben, cy_] {
            let record = try replica.record(of: engagement)
            #expect(record.findings.map(\.id) == [first], "\(replica.name) keeps the least id")
            #expect(record.mergedFindings.map(\.id) == [second])
            #expect(record.findings.first?.refs == ["A.6.2.8", "A.6.2.6"])
        }
    }

    @Test func chainsAndCyclesEndAtTheSameFindingWhateverTheOrderOfTheEdges() throws {
        var generator = SeededGenerator(seed: 2222)
        for run in 0..<propertyRuns(200) {
            let ids = (0..<8).map { index in try! EntityID(bytes: [UInt8](repeating: 0, count: 15) + [UInt8(index)]) }
            var edges: [EntityID: EntityID] = [:]
            for id in ids where generator.chance(0.6) { edges[id] = ids.randomElement(using: &generator)! }
            edges = edges.filter { $0.key != $0.value }
            let ends = FindingMerges.ends(of: edges)
            for (node, end) in ends {
                #expect(ends[end] == nil, "an end is itself kept (run \(run))")
                #expect(node != end, "run \(run)")
                // Following the edges from a node reaches its end unless a cycle was broken on the way.
                var walk = node
                var steps = 0
                while walk != end, let next = edges[walk], steps < ids.count { walk = next; steps += 1 }
                #expect(walk == end || ends[walk] == nil, "run \(run)")
            }
            // A two-cycle keeps its least id.
            for (a, b) in edges where edges[b] == a && a < b {
                #expect(ends[a] == nil && ends[b] == a, "run \(run)")
            }
            // The same edges in another insertion order end the same way.
            var shuffled: [EntityID: EntityID] = [:]
            for (key, value) in edges.shuffled(using: &generator) { shuffled[key] = value }
            #expect(FindingMerges.ends(of: shuffled) == ends, "run \(run)")
        }
    }

    // MARK: - Bad input

    @Test func aBadMergeIsRefusedWithAClearErrorAndWritesNothing() throws {
        let (ada, ben, _, engagement) = try team()
        let kept = try raise(ada, "Logs kept 7 days", ref: "A.6.2.8")
        let other = try raise(ben, "Logs kept 7 days too", ref: "A.6.2.6")
        let third = try raise(ben, "Logs kept 7 days again", ref: "A.6.2.6")
        try sync(ben, to: ada)
        try sync(ada, to: ben)
        _ = try merge(ada, keep: kept, [other])
        let elsewhere = try ada.createEngagement(
            EngagementDraft(client: "Other Client plc", auditType: .stage2, startDate: "2026-12-01", endDate: "2026-12-03"))
        let foreign = try raise(ada, "Elsewhere", ref: "A.6.2.8")
        try ada.use(engagement: engagement)
        let vector = try ada.store.vector()

        func refusal(_ body: () throws -> Replica.FindingMerge) -> FieldAuditError? {
            do { _ = try body(); return nil } catch let error as FieldAuditError { return error } catch { return nil }
        }
        let itself = refusal { try merge(ada, keep: kept, [kept]) }
        #expect(itself?.category == .invalidInput && "\(itself!)".contains("cannot be merged into itself"))
        let unknown = refusal { try ada.mergeFindings(keep: kept.short, others: ["deadbeef"], reason: nil, engagement: nil) }
        #expect(unknown.map { if case .notFound = $0 { true } else { false } } == true)
        let again = refusal { try merge(ada, keep: kept, [other]) }
        #expect(again?.category == .invalidInput && "\(again!)".contains("already merged into"))
        let intoMerged = refusal { try merge(ada, keep: other, [third]) }
        #expect(intoMerged?.category == .invalidInput && "\(intoMerged!)".contains("merge into that one instead"))
        let across = refusal { try merge(ada, keep: kept, [foreign]) }
        #expect(across?.category == .invalidInput && "\(across!)".contains("a merge stays within one engagement"))
        let signOff = refusal { _ = try ada.signOffFinding(other.short, engagement: nil); return try merge(ada, keep: kept, []) }
        #expect(signOff?.category == .invalidInput && "\(signOff!)".contains("sign off"), "a merged finding is signed off through the kept one")
        let none = refusal { try merge(ada, keep: kept, []) }
        #expect(none?.category == .invalidInput && "\(none!)".contains("names no finding to merge"))
                #expect(try ada.store.vector() == vector, "nothing was written")

        let byAuditor = refusal { try merge(ben, keep: other, [third]) }
        #expect(byAuditor?.category == .notPermitted && "\(byAuditor!)".contains("merges findings"))
        #expect(try ben.record(of: engagement).mergedFindings.isEmpty)
        _ = elsewhere
    }
}
