import Foundation
import Replication
import TestSupport
import Testing

struct ChangeTests {
    let team = Team()

    func change(seq: UInt64 = 1, transaction: UInt64 = 1, field: String = "statement", supersedes: [ChangeID] = []) -> Change {
        Change(
            origin: team.lead.id, seq: seq, stamp: Timestamp(milliseconds: 1_000, counter: 0), transaction: transaction,
            engagement: team.engagement, kind: "finding", entity: team.finding, field: field, value: .text("x"),
            supersedes: supersedes)
    }

    @Test func validationNamesTheBrokenRule() throws {
        try change().validate()
        #expect(throws: ReplicationError.self) { try change(seq: 0, transaction: 0).validate() }
        #expect(throws: ReplicationError.self) { try change(seq: 2, transaction: 3).validate() }
        #expect(throws: ReplicationError.self) { try change(field: "").validate() }
        #expect(throws: ReplicationError.self) { try change(field: String(repeating: "f", count: 256)).validate() }
        #expect(throws: ReplicationError.self) {
            try change(seq: 2, transaction: 1, supersedes: [ChangeID(origin: team.lead.id, seq: 2)]).validate()
        }
    }

    @Test func aSupersededIDWhoseSeqNoChangeCanHaveIsInvalid() throws {
        try change(seq: 2, transaction: 1, supersedes: [ChangeID(origin: team.auditor.id, seq: UInt64(Int64.max))]).validate()
        for seq in [0, UInt64(Int64.max) + 1, .max] {
            #expect(Comment(rawValue: "superseded seq \(seq)")) {
                try change(seq: 2, transaction: 1, supersedes: [ChangeID(origin: team.auditor.id, seq: seq)]).validate()
            } throws: { error in
                "\(error)".contains("outside 1 ..< 2^63")
            }
        }
    }

    @Test func supersedesIsSortedAndDeduplicated() {
        let a = ChangeID(origin: team.lead.id, seq: 3)
        let b = ChangeID(origin: team.auditor.id, seq: 1)
        #expect(change(seq: 5, supersedes: [a, b, a]).supersedes == [a, b].sorted())
    }

    @Test func theHashCoversEveryFieldOfTheRecordAndThePreviousHash() {
        let base = change()
        let hash = ChangeHash.of(base, after: .genesis)
        var variants: [Change] = []
        var copy = base
        copy.stamp = Timestamp(rawValue: base.stamp.rawValue + 1); variants.append(copy); copy = base
        copy.transaction = 1; copy.seq = 2; variants.append(copy); copy = base
        copy.engagement = testEntity(99); variants.append(copy); copy = base
        copy.kind = "note"; variants.append(copy); copy = base
        copy.entity = testEntity(98); variants.append(copy); copy = base
        copy.field = "grade"; variants.append(copy); copy = base
        copy.value = .json("\"x\""); variants.append(copy); copy = base
        copy.value = .bytes(Array("x".utf8)); variants.append(copy); copy = base
        copy.supersedes = [ChangeID(origin: team.auditor.id, seq: 1)]; variants.append(copy); copy = base
        copy.origin = team.auditor.id; variants.append(copy)
        for variant in variants {
            #expect(ChangeHash.of(variant, after: .genesis) != hash, "hash ignores a change to \(variant)")
        }
        #expect(ChangeHash.of(base, after: hash) != hash)
        #expect(ChangeHash.of(base, after: .genesis) == hash)
    }
}

struct ExactEqualityTests {
    @Test func valuesCompareAsTheirEncodingsDo() {
        #expect(Value.real(.nan) == .real(.nan))
        #expect(Value.real(0.0) != .real(-0.0))
        #expect(Value.text("caf\u{E9}") != .text("cafe\u{301}"))  // same in Swift's String ==, different bytes
        #expect(Set([Value.text("caf\u{E9}"), .text("cafe\u{301}")]).count == 2)
        #expect(Value.text("x") != .json("x"))
    }

    @Test func aChangeHoldingNaNIsADuplicateNotAnEquivocation() throws {
        let team = Team()
        var state = ReplicatedState()
        let change = team.write(.real(.nan), "ratio", by: team.lead, in: state, now: 1_000)
        try state.apply(change)
        #expect(try state.apply(change) == .duplicate)
    }

    @Test func fieldNamesThatDifferOnlyInNormalisationAreDifferentFields() {
        let entity = testEntity(1)
        #expect(FieldKey(entity: entity, field: "r\u{E9}sum\u{E9}") != FieldKey(entity: entity, field: "re\u{301}sume\u{301}"))
    }
}
