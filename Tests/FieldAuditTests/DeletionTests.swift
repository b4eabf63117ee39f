import AuditModel
import AuditStore
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// Delete and restore: changes to an entity's `deleted` field, decided by the roster (an auditor
/// deletes what it recorded, a lead anything), converging with concurrent edits like any field.
struct DeletionTests {
    /// Two replicas of one team and their helpers (`team()`, `sync(_:to:)`, the clock).
    let work = TeamWorkTests()

    func team() throws -> (lead: Replica, auditor: Replica, engagement: EntityID) { try work.team() }
    func sync(_ source: Replica, to destination: Replica) throws { try work.sync(source, to: destination) }

    func test(by replica: Replica, _ ref: String = "A.6.2.8") throws -> EntityID {
        try replica.recordTest(
            ref: ref, method: .inspection, result: .conforming, sample: nil, sampleSize: nil, population: nil, systems: [],
            conclusion: "Logs kept", engagement: nil)
    }

    @Test func anAuditorDeletesWhatItRecordedButNotWhatTheLeadRecorded() throws {
        let (lead, auditor, engagement) = try team()
        let system = try lead.addSystem(name: "TriageNet", purpose: nil, role: .provider, riskClass: .high, engagement: nil)
        try sync(lead, to: auditor)
        let before = try auditor.store.digest()
        #expect {
            try auditor.delete(.system, "TriageNet", reason: "duplicate", engagement: nil)
        } throws: { error in
            guard case let FieldAuditError.refused(.notAuthor(_, kind, role)) = error else { return false }
            return kind == "system" && role == .auditor
                && "\(error)".contains("only its author or a lead may do") && "\(error)".contains("Ask its author or a lead")
        }
        #expect(try auditor.store.digest() == before, "nothing written")

        let own = try test(by: auditor)
        let (deleted, changed) = try auditor.delete(.test, own.short, reason: "recorded twice", engagement: nil)
        #expect(changed && deleted.reason == "recorded twice" && deleted.deletedBy == "auditor")
        #expect(try auditor.record(of: engagement).tests.isEmpty)
        #expect(try auditor.deletedEntities(.test, engagement: nil).map(\.id) == [own])
        #expect(system == (try lead.record(of: engagement).systems.first?.id))
    }

    @Test func aLeadDeletesAnAuditorsEntityAndRestoresIt() throws {
        let (lead, auditor, engagement) = try team()
        let own = try test(by: auditor)
        try sync(auditor, to: lead)
        #expect(try lead.delete(.test, own.short, reason: "out of scope", engagement: nil).changed)
        #expect(try lead.record(of: engagement).tests.isEmpty)
        #expect(try !lead.delete(.test, own.short, reason: "again", engagement: nil).changed, "deleting a deleted entity changes nothing")
        #expect(try lead.restore(.test, own.short, engagement: nil).changed)
        #expect(try lead.record(of: engagement).tests.map(\.id) == [own])
        try sync(lead, to: auditor)
        #expect(try auditor.record(of: engagement).tests.map(\.id) == [own])
        // The history keeps both: the deletion and the restoration are changes like any other.
        let fields = try lead.store.history(of: own).map(\.field)
        #expect(fields.filter { $0 == Change.deletedField }.count == 2 && fields.contains(Replica.deletionReasonField))
    }

    @Test func anAuditorsDeletionOfAnotherMembersEntityIsRefusedOnImportAsItIsLocally() throws {
        let sync = SyncTests()
        let (lead, ben, cara) = try sync.team()
        let engagement = try lead.engagementID(nil)
        let system = try lead.addSystem(name: "TriageNet", purpose: nil, role: .provider, riskClass: .high, engagement: nil)
        _ = try cara.importBundle(at: try sync.bundle(from: lead, for: cara))
        let own = try test(by: cara)
        _ = try lead.importBundle(at: try sync.bundle(from: cara, for: lead))
        _ = try ben.importBundle(at: try sync.bundle(from: lead, for: ben))
        // Locally, through the roster: refused before anything is written.
        #expect(throws: FieldAuditError.self) { try ben.set(.bool(true), field: Change.deletedField, of: own, kind: "test", engagement: engagement) }
        // A modified client writes the deletions directly into its store, past the local rules.
        try ben.store.write(as: ben.identity.id) { transaction in
            try transaction.delete(system, kind: "system", engagement: engagement)
        }
        let before = try lead.store.digest()
        #expect {
            _ = try lead.importBundle(at: try sync.bundle(from: ben, for: lead))
        } throws: { error in
            guard case let FieldAuditError.unauthorized(.notAuthor(_, kind, role), _) = error else { return false }
            return kind == "system" && role == .auditor
        }
        #expect(try lead.store.digest() == before)
        // Cara deleting her own test travels and is accepted.
        _ = try cara.delete(.test, own.short, reason: "recorded twice", engagement: nil)
        _ = try lead.importBundle(at: try sync.bundle(from: cara, for: lead))
        #expect(try lead.record(of: engagement).tests.isEmpty)
    }

    @Test func theTeamIsNotDeletedThroughDelete() throws {
        let (lead, _, _) = try team()
        #expect(throws: FieldAuditError.self) { try lead.delete(.member, "auditor", reason: "x", engagement: nil) }
    }

    /// Law: a deletion, a restoration and an edit of the same entity made on two replicas in any
    /// interleaving, exchanged in any order, leave both replicas with the same state, the edit
    /// kept whatever the deletion's fate.
    @Test func concurrentDeletesRestoresAndEditsConvergeWhateverTheOrder() throws {
        for seed in 0..<UInt64(propertyRuns(12)) {
            var generator = SeededGenerator(seed: seed)
            let run = TeamWorkTests()
            let clock = run.clock
            let (lead, auditor, engagement) = try run.team()
            let target = try test(by: auditor)
            try sync(auditor, to: lead)
            var lastConclusion: [String] = []
            for step in 0..<8 {
                clock.advance(by: Int64.random(in: 0...3, using: &generator))
                let actor = Bool.random(using: &generator) ? lead : auditor
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: _ = try actor.delete(.test, target.short, reason: "step \(step)", engagement: nil)
                case 1: _ = try actor.restore(.test, target.short, engagement: nil)
                default:
                    let text = "conclusion \(seed).\(step)"
                    try actor.set(.text(text), field: ControlTest.Field.conclusion.rawValue, of: target, kind: "test", engagement: engagement)
                    lastConclusion.append(text)
                }
                if generator.chance(0.3) { try sync(lead, to: auditor) }
                if generator.chance(0.3) { try sync(auditor, to: lead) }
            }
            if Bool.random(using: &generator) {
                try sync(lead, to: auditor); try sync(auditor, to: lead)
            } else {
                try sync(auditor, to: lead); try sync(lead, to: auditor)
            }
            #expect(try lead.store.digest() == auditor.store.digest(), "seed \(seed)")
            let leadView = try lead.fields(of: target), auditorView = try auditor.fields(of: target)
            #expect(leadView[Change.deletedField]?.values.map(\.value) == auditorView[Change.deletedField]?.values.map(\.value), "seed \(seed)")
            // No edit is lost to a deletion: the conclusion's visible values are among those written.
            let visible = leadView[ControlTest.Field.conclusion.rawValue]?.values.compactMap(\.value.text) ?? []
            #expect(visible.allSatisfy { lastConclusion.contains($0) || $0 == "Logs kept" }, "seed \(seed)")
            // Restoring shows the entity with every edit it received while deleted.
            if leadView[Change.deletedField]?.winner.value.isTrue == true {
                _ = try lead.restore(.test, target.short, engagement: nil)
                try sync(lead, to: auditor)
                #expect(try auditor.record(of: engagement).tests.map(\.id) == [target], "seed \(seed)")
                #expect(try lead.store.digest() == auditor.store.digest(), "seed \(seed)")
            }
        }
    }
    /// Law: who may delete an entity is judged alike whatever a replica holds. Ben records tests;
    /// Cara edits one of them and records and deletes her own; then, past her local rules, she
    /// deletes the test of Ben's she edited. Each replica's work travels as bundles of its own
    /// changes, imported by fresh replicas in random orders (a refused bundle is retried after the
    /// others): every replica reaches the same state and the same verdict on every bundle, Cara's
    /// forged deletion refused even where her edit arrived before Ben's test. (Reading the creator
    /// as the author of the least stamp held, a replica holding only her edit judged her its creator.)
    @Test(arguments: ReplicaBackend.allCases)
    func theCreatorsRightToDeleteIsJudgedAlikeInEveryArrivalOrder(backend: ReplicaBackend) throws {
        try backend.run { try creatorsRightIsJudgedAlikeInEveryArrivalOrder() }
    }

    private func creatorsRightIsJudgedAlikeInEveryArrivalOrder() throws {
        let sync = SyncTests()
        let (lead, ben, cara) = try sync.team()
        let engagement = try lead.engagementID(nil)
        /// A bundle of `source`'s own changes that `peer` lacks (nothing of other origins).
        func own(_ source: Replica, after: UInt64 = 0) throws -> String {
            var holds = try source.store.vector()
            holds[source.identity.id] = after
            var request = ExportRequest()
            request.peerHolds = holds
            let path = sync.directory.file("\(source.name)-\(after).fabundle")
            _ = try source.export(request, to: try OutputFile.resolve(path, defaultName: "x", force: false))
            return path
        }
        let bensTest = try test(by: ben)
        _ = try cara.importBundle(at: try sync.bundle(from: ben, for: cara))
        try cara.set(.text("Logs kept 7 days, not 2 years"), field: ControlTest.Field.conclusion.rawValue, of: bensTest, kind: "test", engagement: engagement)
        let carasTest = try test(by: cara, "A.6.2.6")
        _ = try cara.delete(.test, carasTest.short, reason: "recorded twice", engagement: nil)
        let caraFirst = try cara.store.vector()[cara.identity.id]
        #expect(throws: FieldAuditError.self) { _ = try cara.delete(.test, bensTest.short, reason: "not hers", engagement: nil) }
        var bundles = [try own(lead), try own(ben), try own(cara)]
        try cara.store.write(as: cara.identity.id) { transaction in try transaction.delete(bensTest, kind: "test", engagement: engagement) }
        bundles.append(try own(cara, after: caraFirst))

        var outcomes = Set<[String]>()
        var digests = Set<StateDigest>()
        for seed in 0..<UInt64(propertyRuns(8)) {
            var generator = SeededGenerator(seed: seed)
            let target = try sync.replica("target-\(seed)", seed: 40 + seed)
            _ = try target.trust(lead.card)
            var verdicts = Array(repeating: "pending", count: bundles.count)
            var pending = Array(bundles.indices).shuffled(using: &generator)
            var progressed = true
            while progressed && !pending.isEmpty {
                progressed = false
                for index in pending {
                    do {
                        _ = try target.importBundle(at: bundles[index])
                        verdicts[index] = "accepted"
                        pending.removeAll { $0 == index }
                        progressed = true
                    } catch let FieldAuditError.unauthorized(refusal, _) {
                        verdicts[index] = "\(refusal)"
                    } catch {
                        verdicts[index] = "waiting: \(error)"
                    }
                }
            }
            outcomes.insert(verdicts)
            digests.insert(try target.store.digest())
            #expect(verdicts[0] == "accepted" && verdicts[1] == "accepted" && verdicts[2] == "accepted", "seed \(seed): \(verdicts)")
            #expect(verdicts[3].contains("deletes or restores a test another member recorded"), "seed \(seed): \(verdicts)")
        }
        #expect(outcomes.count == 1 && digests.count == 1, "\(outcomes)")
        // The order that misled the old rule: Cara's edit before Ben's test.
        let misled = try sync.replica("misled", seed: 90)
        _ = try misled.trust(lead.card)
        for index in [0, 2] { _ = try misled.importBundle(at: bundles[index]) }
        #expect(throws: FieldAuditError.self) { _ = try misled.importBundle(at: bundles[3]) }
    }
}
