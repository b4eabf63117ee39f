@testable import AuditModel
import Replication
import TestSupport
import Testing

/// The closing rule: which changes of a closed engagement are late.
struct ClosingTests {
    let engagement = testEntity(1)
    let finding = testEntity(2)
    let lead = testIdentity(1).id
    let auditor = testIdentity(2).id

    /// The engagement closed at `closedAt` with the lead holding `through`, and accepted up to `accepted`.
    func closing(through: VersionVector, accepted: VersionVector? = nil) throws -> Closing {
        var fields: [String: FieldState] = [:]
        var seq: UInt64 = 100
        var writes = Closing.writes(recommendation: .certify, conclusion: nil, at: 1_795_000_000_000, holding: through, signedBy: lead)
        if let accepted { writes += Closing.acceptanceWrites(holding: accepted, recommendation: nil) }
        for (field, value) in writes {
            seq += 1
            fields[field] = FieldState([VisibleValue(id: ChangeID(origin: lead, seq: seq), stamp: Timestamp(rawValue: seq), value: value)])
        }
        let snapshot = EntitySnapshot(id: engagement, kind: "engagement", engagement: engagement, deleted: false, fields: fields)
        return try #require(Engagement(snapshot).flatMap(Closing.init))
    }

    func change(by origin: ReplicaID, seq: UInt64, entity: EntityID? = nil, kind: String = "finding", field: String = "statement", in other: EntityID? = nil) -> Change {
        Change(
            origin: origin, seq: seq, stamp: Timestamp(rawValue: 1), transaction: seq, engagement: other ?? engagement, kind: kind,
            entity: entity ?? finding, field: field, value: .text("x"))
    }

    @Test func aChangeTheClosingDidNotHoldIsLateWhateverItsStamp() throws {
        let closed = try closing(through: VersionVector([lead: 100, auditor: 7]))
        #expect(closed.recommendation == .certify && closed.closedThrough[auditor] == 7)
        #expect(!closed.isLate(change(by: auditor, seq: 7)))
        #expect(closed.isLate(change(by: auditor, seq: 8)), "its stamp is the smallest there is, yet the lead had not seen it")
        #expect(closed.isLate(change(by: testIdentity(3).id, seq: 1)))
    }

    @Test func theClosingsOwnFieldsAndOtherEngagementsAreNeverLate() throws {
        let closed = try closing(through: VersionVector([lead: 100]))
        #expect(!closed.isLate(change(by: lead, seq: 101, entity: engagement, kind: "engagement", field: "recommendation")))
        #expect(closed.isLate(change(by: lead, seq: 102, entity: engagement, kind: "engagement", field: "scope")))
        #expect(!closed.isLate(change(by: auditor, seq: 1, in: testEntity(9))))
    }

    @Test func acceptanceCoversWhatTheLeadHeldWhenAccepting() throws {
        let closed = try closing(through: VersionVector([lead: 100, auditor: 7]), accepted: VersionVector([lead: 120, auditor: 12]))
        #expect(!closed.isLate(change(by: auditor, seq: 12)))
        #expect(closed.isLate(change(by: auditor, seq: 13)))
    }

    /// A link from `evidence` to `target`, as the state reads it.
    func link(_ evidence: EntityID, to target: EntityID, kind: String) throws -> EvidenceLink {
        var fields: [String: FieldState] = [:]
        for (index, (field, value)) in EvidenceLink.writes(evidence: evidence, target: target.description, targetKind: kind).enumerated() {
            let seq = UInt64(index + 1)
            fields[field] = FieldState([VisibleValue(id: ChangeID(origin: auditor, seq: seq), stamp: Timestamp(rawValue: seq), value: value)])
        }
        let id = EvidenceLink.id(evidence: evidence, target: target.description)
        return try #require(EvidenceLink(EntitySnapshot(id: id, kind: "link", engagement: engagement, deleted: false, fields: fields)))
    }

    @Test func evidenceLinkedToACorrectiveActionAndItsLinkAreNeverLateButOtherEvidenceIs() throws {
        let closed = try closing(through: VersionVector([lead: 100, auditor: 7]))
        let action = testEntity(3), implementation = testEntity(4), other = testEntity(5), forged = testEntity(6)
        let toAction = try link(implementation, to: action, kind: "action")
        let toFinding = try link(other, to: finding, kind: "finding")
        let forgedKind = try link(forged, to: testEntity(7), kind: "action")
        let exempt = Closing.implementationEvidence(links: [toAction, toFinding, forgedKind], actions: [action])
        #expect(exempt == [implementation, toAction.id], "only a link whose target is an action, and its evidence")

        for (seq, field) in ["digest", "name", "description", "deleted"].enumerated() {
            #expect(!closed.isLate(change(by: auditor, seq: UInt64(8 + seq), entity: implementation, kind: "evidence", field: field), implementationEvidence: exempt))
        }
        #expect(!closed.isLate(change(by: auditor, seq: 20, entity: toAction.id, kind: "link", field: "target"), implementationEvidence: exempt))
        #expect(closed.isLate(change(by: auditor, seq: 21, entity: other, kind: "evidence", field: "digest"), implementationEvidence: exempt))
        #expect(closed.isLate(change(by: auditor, seq: 22, entity: toFinding.id, kind: "link", field: "target"), implementationEvidence: exempt))
        #expect(closed.isLate(change(by: auditor, seq: 23, entity: forged, kind: "evidence", field: "digest"), implementationEvidence: exempt),
                "a link that only says `action` is not evidence of implementation")
        #expect(closed.isLate(change(by: auditor, seq: 24, entity: implementation, kind: "evidence", field: "digest")),
                "without the state's links, evidence is not known to be of implementation")
        #expect(closed.isLate(change(by: auditor, seq: 25, entity: implementation, kind: "finding", field: "statement"), implementationEvidence: exempt),
                "the exemption is of evidence and links, not of any entity with that id")
    }

    @Test func anOpenEngagementHasNoClosing() {
        let snapshot = EntitySnapshot(id: engagement, kind: "engagement", engagement: engagement, deleted: false, fields: [:])
        #expect(Engagement(snapshot).flatMap(Closing.init) == nil)
    }

    @Test func vectorsRoundTripThroughTheirJSONText() {
        let vector = VersionVector([lead: 3, auditor: 99])
        let text = Closing.encode(vector).text ?? ""
        #expect(text == "{\"\(min(lead, auditor).hex)\":\(lead < auditor ? 3 : 99),\"\(max(lead, auditor).hex)\":\(lead < auditor ? 99 : 3)}")
        #expect(Closing.decodeVector(text) == vector)
        #expect(Closing.decodeVector("not json") == nil)
    }
}
