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
