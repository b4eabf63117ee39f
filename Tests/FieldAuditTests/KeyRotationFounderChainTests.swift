import AuditModel
@testable import AuditStore
@testable import BundleFormat
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// The founder chain as a reviewer attacked it (issue 19): a made-up root naming the real lead, a
/// founder's record naming a key that cannot be founder, a retired founder key as a signer, and a
/// rotation record's id taken by another entity.
struct KeyRotationFounderChainTests {
    let sync = SyncTests()

    /// The founding lead rotates its own key; the rotation bundle goes nowhere.
    func rotateFounder(_ lead: Replica, seed: UInt64) throws -> (lead: Replica, summary: KeyRotationSummary) {
        let path = sync.directory.file("founder-rotation-\(UUID().uuidString.prefix(6)).fabundle")
        let (rotated, summary) = try lead.rotateKey(exporting: ExportRequest(), to: try OutputFile.resolve(path, defaultName: "x", force: false), newIdentity: testIdentity(seed))
        return (rotated, summary)
    }

    /// Writes `fields` on `entity` as `author`'s own changes, past the local rules, as a modified
    /// client would.
    func forge(in replica: Replica, _ fields: FieldWrites, entity: EntityID, kind: EntityKind, engagement: EntityID) throws {
        try replica.store.write(as: replica.identity.id) { transaction in
            for (field, value) in fields {
                try transaction.set(value, field, of: entity, kind: kind.rawValue, engagement: engagement)
            }
        }
    }

    /// `replica`'s own rotation record in `engagement` naming `successor`, forged.
    func forgeRotation(of replica: Replica, naming successor: IdentityCard, engagement: EntityID) throws {
        let successorID = ReplicaID(publicKey: try successor.verifiedKey())
        try forge(
            in: replica,
            KeyRotation.writes(replica: replica.identity.id, successor: successorID, name: "x", publicKey: successor.publicKey, agreementKey: successor.agreementKey),
            entity: KeyRotation.id(engagement: engagement, replica: replica.identity.id), kind: .keyRotation, engagement: engagement)
    }

    /// Given a stranger S holding the real engagement (root: the lead, never rotated), S claims to
    /// found it (`lead` = S, superseding the lead's claim), puts itself on the team, and writes its
    /// own rotation record naming the real lead: the chain [S, lead] ends at a trusted key that has
    /// written in the engagement.
    func madeUpRoot() throws -> (lead: Replica, insider: Replica, stranger: Replica, engagement: EntityID) {
        let (lead, ben, _) = try sync.team()
        let engagement = try lead.engagementID(nil)
        let stranger = try sync.replica("stranger", seed: 60)
        _ = try stranger.trust(lead.card)
        _ = try stranger.importBundle(at: try sync.bundle(from: lead, all: true))
        let strangerID = stranger.identity.id
        try forge(in: stranger, [(Engagement.Field.lead.rawValue, .text(strangerID.hex))], entity: engagement, kind: .engagement, engagement: engagement)
        try forge(
            in: stranger,
            TeamMember.writes(replica: strangerID, name: "S", publicKey: stranger.card.publicKey, agreementKey: stranger.card.agreementKey, role: .lead),
            entity: TeamMember.id(engagement: engagement, replica: strangerID), kind: .member, engagement: engagement)
        try forgeRotation(of: stranger, naming: lead.card, engagement: engagement)
        return (lead, ben, stranger, engagement)
    }

    @Test func aMadeUpRootWhoseRecordNamesTheRealLeadIsNotAcceptedOnTrustInTheLead() throws {
        let (lead, _, stranger, engagement) = try madeUpRoot()
        let snapshots = try stranger.store.snapshots(engagement: engagement, kinds: Roster.kinds)
        let claim = try #require(snapshots.first { $0.id == engagement }.flatMap(Roster.foundingClaim))
        #expect(claim == stranger.identity.id)
        // The chain forms, and ends at the trusted lead, who wrote in the engagement...
        #expect(Roster(engagement: engagement, founder: claim, snapshots: snapshots).founders.map(\.replica) == [claim, lead.identity.id])
        // ...but the lead never confirmed succeeding the stranger: the root is refused.
        #expect(!Roster.acceptsRoot(claim, engagement: engagement, snapshots: snapshots, trusts: { $0 == lead.identity.id }))
        #expect(Roster.acceptsRoot(lead.identity.id, engagement: engagement, snapshots: snapshots, trusts: { $0 == lead.identity.id }))
    }

    /// The stranger's whole bundle, signed by an insider on the real team (Ben), or the same with
    /// its copy of the lead's own founding claim as a redacted frame, so that no change it carries
    /// is refused by the made-up roster itself (a successor's claim to found is refused).
    @Test(arguments: [false, true])
    func aNewcomerTrustingTheLeadRefusesTheMadeUpRootsBundleAndRecordsNoFounder(leadsClaimRedacted: Bool) throws {
        let (lead, insider, stranger, engagement) = try madeUpRoot()
        let newcomer = try sync.replica("newcomer", seed: 61)
        _ = try newcomer.trust(lead.card)
        let bundle = try sync.remade(try sync.bundle(from: stranger, all: true), by: insider.identity) {
            leadsClaimRedacted && $0.origin == lead.identity.id && $0.kind == EntityKind.engagement.rawValue && $0.field == Engagement.Field.lead.rawValue
        }
        let before = try newcomer.store.digest()
        #expect {
            _ = try newcomer.importBundle(at: bundle)
        } throws: { error in
            guard case let FieldAuditError.untrustedFounder(refused, founder, _) = error else { return false }
            return refused == engagement && founder == stranger.identity.id
        }
        #expect(try newcomer.store.digest() == before && newcomer.store.founder(of: engagement) == nil)
        // The real lead's bundle is still accepted, rooted at the lead.
        _ = try newcomer.importBundle(at: try sync.bundle(from: lead, all: true))
        #expect(try newcomer.store.founder(of: engagement) == lead.identity.id)
    }

    @Test func aNewcomerTrustingAnyLaterFounderKeyAcceptsTheRealChainEachLinkConfirmedByItsSuccessor() throws {
        let (lead, _, _) = try sync.team()
        let engagement = try lead.engagementID(nil)
        let (second, _) = try rotateFounder(lead, seed: 62)
        let (third, _) = try rotateFounder(second, seed: 63)
        let snapshots = try third.store.snapshots(engagement: engagement, kinds: Roster.kinds)
        #expect(Roster.confirms(second.identity.id, succeeding: lead.identity.id, engagement: engagement, snapshots: snapshots))
        #expect(Roster.confirms(third.identity.id, succeeding: second.identity.id, engagement: engagement, snapshots: snapshots))
        #expect(!Roster.confirms(third.identity.id, succeeding: lead.identity.id, engagement: engagement, snapshots: snapshots))
        for (seed, trusted) in [(64, second), (65, third)] as [(UInt64, Replica)] {
            let newcomer = try sync.replica("newcomer-\(seed)", seed: seed)
            _ = try newcomer.trust(trusted.card)
            _ = try newcomer.importBundle(at: try sync.bundle(from: third, all: true))
            #expect(try newcomer.store.founder(of: engagement) == lead.identity.id)
            #expect(try newcomer.roster(of: engagement).founder == third.identity.id)
        }
    }

    @Test func aFoundersRecordNamingTheCentralRepositoryMakesItNoFounder() throws {
        let (lead, ben, _) = try sync.team()
        let engagement = try lead.engagementID(nil)
        let central = try sync.replica("central", seed: 66)
        #expect(try lead.file(with: central.card, engagement: nil) == .filed)
        try forgeRotation(of: lead, naming: central.card, engagement: engagement)
        let roster = try lead.roster(of: engagement)
        #expect(roster.founders.map(\.replica) == [lead.identity.id] && roster.founder == lead.identity.id)
        #expect(roster.members[central.identity.id]?.role == .central)
        // The lead still writes as founder; a teammate judges alike.
        _ = try lead.addNote("still the founder", ref: "5.1", engagement: nil)
        _ = try ben.importBundle(at: try sync.bundle(from: lead, all: true))
        #expect(try ben.roster(of: engagement).founder == lead.identity.id)
    }

    /// Ben's key retired by its own record only, or continued under the new key by the lead too.
    @Test(arguments: [false, true])
    func aFoundersRecordNamingAMembersRetiredKeyMakesItNoFounder(continued: Bool) throws {
        let (lead, ben, cara) = try sync.team()
        let engagement = try lead.engagementID(nil)
        let oldBen = ben.identity.id
        let path = sync.directory.file("ben-rotation.fabundle")
        var request = ExportRequest(peer: lead.identity.id)
        request.peerHolds = try ben.peerVector(of: lead.identity.id)
        let (newBen, _) = try ben.rotateKey(exporting: request, to: try OutputFile.resolve(path, defaultName: "x", force: false), newIdentity: testIdentity(67))
        _ = try lead.importBundle(at: path)
        if continued { _ = try lead.rotateMember(oldBen, to: nil, engagement: nil) }
        try forgeRotation(of: lead, naming: ben.card, engagement: engagement)
        let roster = try lead.roster(of: engagement)
        #expect(roster.founders.map(\.replica) == [lead.identity.id] && roster.founder == lead.identity.id)
        #expect(roster.members[oldBen]?.retiredAfter != nil)
        #expect(!continued || roster.members[newBen.identity.id]?.succeeds == oldBen)
        // A teammate who gets it all judges alike.
        _ = try cara.importBundle(at: try sync.bundle(from: lead, all: true))
        #expect(try cara.roster(of: engagement).founder == lead.identity.id)
    }

    @Test func aRetiredFounderKeyIsKnownOnlyAsTheMemberItWas() throws {
        let (lead, _, _) = try sync.team()
        let engagement = try lead.engagementID(nil)
        let oldKey = lead.identity.id
        let (newLead, _) = try rotateFounder(lead, seed: 70)
        let snapshots = try newLead.store.snapshots(engagement: engagement, kinds: Roster.kinds)
        let roster = Roster(engagement: engagement, founder: oldKey, snapshots: snapshots)
        #expect(roster.isKnownSigner(newLead.identity.id))
        // Its own member entity, removed after its record's point, still makes it known (§22.3).
        #expect(roster.isKnownSigner(oldKey) && roster.members[oldKey]?.removedAfter != nil)
        // Without it, a key of the chain that retired is not a known signer.
        let withoutMember = Roster(
            engagement: engagement, founder: oldKey,
            snapshots: snapshots.filter { $0.id != TeamMember.id(engagement: engagement, replica: oldKey) })
        #expect(withoutMember.isFounderKey(oldKey) && !withoutMember.isKnownSigner(oldKey))
        #expect(withoutMember.isKnownSigner(newLead.identity.id))
    }

    @Test func keyRotateRefusesBeforeWritingAnythingWhenARecordsIDIsTaken() throws {
        let (lead, ben, cara) = try sync.team()
        let first = try lead.engagementID(nil)
        let second = try lead.createEngagement(EngagementDraft(client: "Second Client Ltd", auditType: .stage2))
        for auditor in [ben, cara] {
            _ = try lead.addMember(auditor.card, role: .auditor, engagement: second.description)
        }
        for auditor in [ben, cara] { _ = try auditor.importBundle(at: try sync.bundle(from: lead, for: auditor)) }
        // Cara, past her local rules, writes a note whose id is Ben's rotation record's in each engagement.
        for engagement in [first, second] {
            try forge(in: cara, [("text", .text("squatting"))], entity: KeyRotation.id(engagement: engagement, replica: ben.identity.id), kind: .note, engagement: engagement)
        }
        _ = try ben.importBundle(at: try sync.bundle(from: cara, for: ben))
        let before = try ben.store.digest()
        let path = sync.directory.file("ben-rotation.fabundle")
        #expect {
            _ = try ben.rotateKey(exporting: ExportRequest(peer: lead.identity.id), to: try OutputFile.resolve(path, defaultName: "x", force: false), newIdentity: testIdentity(71))
        } throws: { error in
            guard case FieldAuditError.notPermitted(_, _, let rule) = error else { return false }
            return rule.contains("already taken by a note entity written by replica \(cara.identity.id.short)") && rule.contains("team rotate")
        }
        #expect(try ben.store.digest() == before, "no record written in any engagement")
        #expect(try Replica.open(at: ben.location, clock: sync.clock).identity.id == ben.identity.id, "the key is unchanged")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// A copy of the founder's key (a thief's) and the restored founder both rotate from the same
    /// seq; Cara follows the thief's successor, then gets the real lead's work: the bundle is
    /// refused, but its proof of the fork is kept, so she follows the thief's key no more.
    @Test func aBundleRefusedByARosterFollowingTheThiefStillLeavesItsForkProof() throws {
        let (lead, _, cara) = try sync.team()
        let engagement = try lead.engagementID(nil)
        let oldKey = lead.identity.id
        let thief = try sync.replica("thief", seed: 1)
        _ = try thief.importBundle(at: try sync.bundle(from: lead, all: true))
        let (thiefsKey, _) = try rotateFounder(thief, seed: 80)
        let (newLead, _) = try rotateFounder(lead, seed: 81)
        _ = try cara.importBundle(at: try sync.bundle(from: thiefsKey, all: true))
        #expect(try cara.roster(of: engagement).founder == thiefsKey.identity.id)
        #expect(try cara.store.forkedOrigins().isEmpty)

        _ = try newLead.addNote("the real lead's note", ref: "5.1", engagement: nil)
        #expect {
            _ = try cara.importBundle(at: try sync.bundle(from: newLead, all: true))
        } throws: { error in
            guard case let FieldAuditError.forkKeptFromRefusedBundle(origins, refused) = error, case .unauthorized = refused else { return false }
            return origins == [oldKey] && (error as? FieldAuditError)?.category == .notPermitted && "\(error)".contains("signed two different histories")
        }
        #expect(try cara.store.forkedOrigins().map(\.origin) == [oldKey])
        let roster = try cara.roster(of: engagement)
        #expect(roster.founder == oldKey && roster.founders.count == 1, "both versions of the old key's record set aside")
        #expect(try !cara.record(of: engagement).notes.map(\.text).contains("the real lead's note"), "nothing else imported")
    }
}
