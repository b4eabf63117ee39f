import Replication
import TestSupport
import Testing

struct VersionVectorTests {
    let team = Team()

    @Test func theVectorAdvertisesOnlyTheGapFreePrefix() throws {
        var author = ReplicatedState()
        var changes: [Change] = []
        for index in 0..<5 {
            let change = team.write(.integer(Int64(index)), by: team.lead, in: author, now: 1_000 + UInt64(index))
            try author.apply(change)
            changes.append(change)
        }
        var receiver = ReplicatedState()
        try receiver.applyAll([changes[0], changes[1], changes[3], changes[4]])
        #expect(receiver.vector[team.lead.id] == 2)
        #expect(receiver.state(of: team.statement)?.winner.value == .integer(4))

        try receiver.apply(changes[2])
        #expect(receiver.vector[team.lead.id] == 5)
        #expect(receiver.head(of: team.lead.id) == author.head(of: team.lead.id))
        #expect(receiver.digest() == author.digest())
    }

    @Test func mergingTakesThePointwiseMaximum() {
        let a = VersionVector([team.lead.id: 3, team.auditor.id: 1])
        let b = VersionVector([team.lead.id: 2, team.expert.id: 4])
        let merged = a.merging(b)
        #expect(merged[team.lead.id] == 3 && merged[team.auditor.id] == 1 && merged[team.expert.id] == 4)
        #expect(merged.dominates(a) && merged.dominates(b) && !a.dominates(b))
        #expect(merged.contains(ChangeID(origin: team.expert.id, seq: 4)))
        #expect(!merged.contains(ChangeID(origin: team.expert.id, seq: 5)))
    }
}
