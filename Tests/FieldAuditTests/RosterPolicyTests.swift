import AuditModel
import AuditStore
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// One authorisation rule, local and on import: every action of every standing on a team is tried
/// on the author's own replica and, as the author's bundle, on a peer's; both must give the same
/// answer (allowed, or refused with the same refusal), and it must be the roster's (`Roster`).
struct RosterPolicyTests {
    /// Where the author stands in the engagement.
    enum Standing: String, CaseIterable, Sendable {
        case founder, promotedLead, auditor, expert, observer, removedMember, stranger
        /// The central repository the engagement is filed with (role `central`).
        case filedCentral

        /// The seed of the author's identity (the founder's is 1).
        var seed: UInt64 { UInt64(Self.allCases.firstIndex(of: self)!) + 1 }
    }

    /// What the author tries.
    enum Action: String, CaseIterable, Sendable {
        case changeTheTeam, editTheEngagement, signAFindingOff, captureANote, captureATest, captureAFinding
        /// Writes a key rotation record other than the author's own (the peer's key's).
        case writeAnotherKeysRotationRecord
        /// Writes a field of its own key rotation record, then writes it again over the first
        /// value: a record is written once.
        case rewriteOwnKeyRotationRecord
    }

    /// An answer, without the change it names.
    enum Verdict: Equatable {
        case allowed, founderOnly, leadOnly, observer, removed, notOnRoster, centralRepository, notAuthor, notOwnKeyRotation, rewritesKeyRotation

        init(_ refusal: Roster.Refusal?) {
            switch refusal {
            case nil: self = .allowed
            case .founderOnly: self = .founderOnly
            case .leadOnly: self = .leadOnly
            case .observer: self = .observer
            case .centralRepository: self = .centralRepository
            case .removed: self = .removed
            case .notOnRoster: self = .notOnRoster
            case .notAuthor: self = .notAuthor
            case .retired: self = .removed
            case .notOwnKeyRotation: self = .notOwnKeyRotation
            case .rewritesKeyRotation: self = .rewritesKeyRotation
            case .unknownFounder: Issue.record("the founder should be known"); self = .notOnRoster
            }
        }
    }

    /// The roster's table, one verdict per action in `Action.allCases` order.
    static let table: [Standing: [Verdict]] = [
        .founder: [.allowed, .allowed, .allowed, .allowed, .allowed, .allowed, .notOwnKeyRotation, .rewritesKeyRotation],
        .promotedLead: [.founderOnly, .allowed, .allowed, .allowed, .allowed, .allowed, .notOwnKeyRotation, .rewritesKeyRotation],
        .auditor: [.founderOnly, .leadOnly, .leadOnly, .allowed, .allowed, .allowed, .notOwnKeyRotation, .rewritesKeyRotation],
        .expert: [.founderOnly, .leadOnly, .leadOnly, .allowed, .allowed, .allowed, .notOwnKeyRotation, .rewritesKeyRotation],
        .observer: [.founderOnly, .observer, .observer, .observer, .observer, .observer, .notOwnKeyRotation, .rewritesKeyRotation],
        .removedMember: Array(repeating: .removed, count: Action.allCases.count),
        .stranger: Array(repeating: .notOnRoster, count: Action.allCases.count),
        .filedCentral: [.founderOnly] + Array(repeating: .centralRepository, count: Action.allCases.count - 1),
    ]

    @Test(arguments: Standing.allCases, Action.allCases)
    func theAuthorsReplicaAndItsPeersGiveTheSameAnswer(standing: Standing, action: Action) throws {
        let world = try World(author: standing)
        let expected = try #require(Self.table[standing]?[Action.allCases.firstIndex(of: action)!])

        // Locally: the author's replica refuses before commit, or writes.
        let local = try refusal { try world.perform(action) }
        // A modified client writes the same change past the local rules, so peers get to judge it.
        if local != nil { try world.forge(action) }
        let digest = try world.peer.store.digest()
        let imported = try refusal { _ = try world.peer.importBundle(at: try world.sync.bundle(from: world.author, all: true)) }

        #expect(Verdict(local) == expected, "locally")
        #expect(Verdict(imported) == expected, "on import")
        #expect(local == imported, "the same refusal, naming the same change")
        if imported != nil { #expect(try world.peer.store.digest() == digest) }
    }

    @Test func aBundleWithAnAllowedNoteAndARefusedSignOffNamesTheSignOffItsAuthorsRoleAndTheRule() throws {
        // Given an auditor's bundle: a note (allowed), then a sign-off forged past the local rules
        let world = try World(author: .auditor)
        try world.perform(.captureANote)
        try world.forge(.signAFindingOff)
        let signOff = try #require(try world.author.store.changes(of: world.author.identity.id).first { $0.field == Finding.Field.signedOffBy.rawValue }?.id)

        // When a peer imports it
        let path = try world.sync.bundle(from: world.author, all: true)
        #expect {
            _ = try world.peer.importBundle(at: path)
        } throws: { error in
            // Then the refusal names the sign-off (the note is not blamed), the auditor's role and the rule
            guard case let FieldAuditError.unauthorized(refusal, _) = error else { return false }
            let message = "\(error)"
            return refusal == .leadOnly(signOff, what: "signs a finding off", role: .auditor)
                && message.contains("change \(signOff) signs a finding off, which only a lead may do; its author is an auditor")
                && !message.contains("not on the team")
        }
    }

    /// The refusal `body` meets, locally or on import; `nil` when it succeeds.
    private func refusal(_ body: () throws -> Void) throws -> Roster.Refusal? {
        do {
            try body()
            return nil
        } catch let FieldAuditError.refused(refusal) {
            return refusal
        } catch let FieldAuditError.unauthorized(refusal, _) {
            return refusal
        }
    }

    /// A founder's engagement with every standing on its team, a finding to sign off, the author's
    /// replica and a peer's, both holding the founder's kickoff.
    struct World {
        let sync = SyncTests()
        let founder: Replica, author: Replica, peer: Replica
        let engagement: EntityID, finding: EntityID
        let newcomer = IdentityCard(name: "Nell Newcomer", identity: testIdentity(20))

        init(author standing: Standing) throws {
            founder = try sync.replica("founder", seed: Standing.founder.seed)
            engagement = try founder.createEngagement(EngagementDraft(client: "Helix Diagnostics Ltd", auditType: .stage2))
            func card(_ standing: Standing) -> IdentityCard {
                IdentityCard(name: standing.rawValue, identity: testIdentity(standing.seed))
            }
            for (member, role) in [(Standing.promotedLead, TeamRole.auditor), (.auditor, .auditor), (.expert, .expert), (.observer, .observer), (.removedMember, .auditor), (.filedCentral, .central)] {
                _ = try founder.addMember(card(member), role: role, engagement: nil)
            }
            #expect(try founder.addMember(card(.promotedLead), role: .lead, engagement: nil).outcome == .roleChanged(from: .auditor, to: .lead))
            _ = try founder.removeMember(testIdentity(Standing.removedMember.seed).id, engagement: nil)
            finding = try founder.raiseFinding(
                grade: .ofi, refs: ["7.2"], statement: "Track training", evidence: [], objectiveEvidence: nil, systems: [], engagement: nil)
            let kickoff = try sync.bundle(from: founder, all: true)
            peer = try sync.replica("peer", seed: 30)
            author = standing == .founder ? founder : try sync.replica(standing.rawValue, seed: standing.seed)
            for replica in standing == .founder ? [peer] : [author, peer] {
                _ = try replica.trust(founder.card)
                _ = try replica.importBundle(at: kickoff)
                try replica.use(engagement: engagement)
            }
        }

        /// Tries the action through the author's replica, as its commands do.
        func perform(_ action: Action) throws {
            switch action {
            case .changeTheTeam:
                _ = try author.addMember(newcomer, role: .auditor, engagement: nil)
            case .editTheEngagement:
                try author.set(.text("AI triage and imaging"), field: Engagement.Field.scope.rawValue, of: engagement, kind: "engagement", engagement: engagement)
            case .signAFindingOff:
                _ = try author.signOffFinding(finding.description, engagement: nil)
            case .captureANote:
                _ = try author.addNote("Risk register reviewed quarterly", ref: "6.1.2", engagement: nil)
            case .captureATest:
                _ = try author.recordTest(
                    ref: "A.6.2.8", method: .inspection, result: .conforming, sample: nil, sampleSize: nil, population: nil,
                    systems: [], conclusion: nil, engagement: nil)
            case .captureAFinding:
                _ = try author.raiseFinding(
                    grade: .ofi, refs: ["7.2"], statement: "Track training", evidence: [], objectiveEvidence: nil, systems: [], engagement: nil)
            case .writeAnotherKeysRotationRecord:
                try author.write(in: engagement) { writer in
                    try writer.put([(KeyRotation.Field.replica.rawValue, .text("x"))], entity: KeyRotation.id(engagement: engagement, replica: peer.identity.id), kind: .keyRotation)
                }
            case .rewriteOwnKeyRotationRecord:
                try author.write(in: engagement) { writer in
                    let own = KeyRotation.id(engagement: engagement, replica: author.identity.id)
                    try writer.put([(KeyRotation.Field.name.rawValue, .text("first"))], entity: own, kind: .keyRotation)
                    try writer.put([(KeyRotation.Field.name.rawValue, .text("second"))], entity: own, kind: .keyRotation)
                }
            }
        }

        /// Writes the action's changes straight into the author's store, past every local rule.
        func forge(_ action: Action) throws {
            let (writes, entity, kind): (FieldWrites, EntityID, EntityKind)
            switch action {
            case .changeTheTeam:
                let replica = try #require(try? ReplicaID(hex: newcomer.replicaID))
                writes = TeamMember.writes(replica: replica, name: newcomer.name, publicKey: newcomer.publicKey, agreementKey: newcomer.agreementKey, role: .auditor)
                (entity, kind) = (TeamMember.id(engagement: engagement, replica: replica), .member)
            case .editTheEngagement:
                (writes, entity, kind) = ([(Engagement.Field.scope.rawValue, .text("AI triage and imaging"))], engagement, .engagement)
            case .signAFindingOff:
                writes = [(Finding.Field.signedOffBy.rawValue, .text(author.identity.id.hex)), (Finding.Field.signedOffAt.rawValue, .integer(1))]
                (entity, kind) = (finding, .finding)
            case .captureANote:
                (writes, entity, kind) = (try Note.writes(text: "Risk register reviewed quarterly", interview: nil, ref: "6.1.2", at: 1), testEntity(21), .note)
            case .captureATest:
                let draft = ControlTest.Draft(
                    ref: "A.6.2.8", method: .inspection, result: .conforming, sample: nil, sampleSize: nil, population: nil, systems: [], conclusion: nil)
                (writes, entity, kind) = (try draft.writes(tester: author.name), testEntity(22), .test)
            case .captureAFinding:
                let draft = Finding.Draft(grade: .ofi, refs: ["7.2"], statement: "Track training", evidence: [], objectiveEvidence: nil, systems: [])
                (writes, entity, kind) = (try draft.writes(raisedBy: author.name), testEntity(23), .finding)
            case .writeAnotherKeysRotationRecord:
                (writes, entity, kind) = ([(KeyRotation.Field.replica.rawValue, .text("x"))], KeyRotation.id(engagement: engagement, replica: peer.identity.id), .keyRotation)
            case .rewriteOwnKeyRotationRecord:
                // The second write supersedes the first, as a local write does.
                writes = [(KeyRotation.Field.name.rawValue, .text("first")), (KeyRotation.Field.name.rawValue, .text("second"))]
                (entity, kind) = (KeyRotation.id(engagement: engagement, replica: author.identity.id), .keyRotation)
            }
            try author.store.write(as: author.identity.id) { transaction in
                for (field, value) in writes {
                    try transaction.set(value, field, of: entity, kind: kind.rawValue, engagement: engagement)
                }
            }
        }
    }
}
