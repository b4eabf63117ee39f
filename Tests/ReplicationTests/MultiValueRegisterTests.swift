import Replication
import TestSupport
import Testing

struct MultiValueRegisterTests {
    let team = Team()

    @Test func concurrentWritesAreBothKeptAndShownAsAConflict() throws {
        // Given a statement both auditors have seen
        var lead = ReplicatedState()
        let original = team.write(.text("Risk register incomplete"), by: team.lead, in: lead, now: 1_000)
        try lead.apply(original)
        var auditor = ReplicatedState()
        try auditor.apply(original)

        // When each edits it without seeing the other's edit
        let leadEdit = team.write(.text("Risk register lacks owners"), by: team.lead, in: lead, now: 2_000)
        let auditorEdit = team.write(.text("Risk register lacks dates"), by: team.auditor, in: auditor, now: 1_500)
        try lead.applyAll([leadEdit, auditorEdit])
        try auditor.applyAll([auditorEdit, leadEdit])

        // Then both values are visible on both replicas, in the same order, winner first
        let state = try #require(lead.state(of: team.statement))
        #expect(state.isConflict)
        #expect(state.values.map(\.value) == [.text("Risk register lacks owners"), .text("Risk register lacks dates")])
        #expect(auditor.state(of: team.statement) == state)
        #expect(lead.conflicts == [team.statement])
    }

    @Test func theWinnerIsTheGreatestStampThenOriginNeverTheLocalSideOrTheValue() throws {
        var state = ReplicatedState()
        let low = team.write(.text("zzz"), by: team.lead, in: state, now: 1_000)
        let high = team.write(.text("aaa"), by: team.auditor, in: state, now: 1_001)
        try state.applyAll([low, high])
        #expect(state.state(of: team.statement)?.winner.value == .text("aaa"))

        // Equal stamps: the greater origin wins, whoever is local
        var tie = ReplicatedState()
        let first = team.write(.text("one"), by: team.lead, in: tie, now: 5_000)
        let second = team.write(.text("two"), by: team.auditor, in: tie, now: 5_000)
        try tie.applyAll([first, second])
        let greater = max(team.lead.id, team.auditor.id) == team.lead.id ? Value.text("one") : .text("two")
        #expect(tie.state(of: team.statement)?.winner.value == greater)
    }

    @Test func aWriteThatSupersedesEveryVisibleValueResolvesTheConflict() throws {
        var state = ReplicatedState()
        let empty = ReplicatedState()
        let a = team.write(.text("A"), by: team.lead, in: empty, now: 1_000)
        let b = team.write(.text("B"), by: team.auditor, in: empty, now: 1_000)
        try state.applyAll([a, b])
        #expect(state.state(of: team.statement)?.isConflict == true)

        let resolution = team.write(.text("A and B"), by: team.expert, in: state, now: 3_000)
        #expect(resolution.supersedes == [a.id, b.id].sorted())
        try state.apply(resolution)
        #expect(state.state(of: team.statement)?.values.map(\.value) == [.text("A and B")])
        #expect(state.conflicts.isEmpty)

        // A replica that hears of the resolution before one of the conflicting writes agrees
        var late = ReplicatedState()
        try late.applyAll([resolution, b, a])
        #expect(late.digest() == state.digest())
    }

    @Test func deleteRestoreAndConcurrentEditMergeByTheSameRule() throws {
        var base = ReplicatedState()
        let created = team.write(.text("Draft"), by: team.lead, in: base, now: 1_000)
        try base.apply(created)

        // The lead deletes the finding while the auditor edits it
        let deletion = team.write(.bool(true), Change.deletedField, by: team.lead, in: base, now: 2_000)
        let edit = team.write(.text("Draft, with evidence"), by: team.auditor, in: base, now: 2_100)
        var merged = base
        try merged.applyAll([deletion, edit])
        #expect(merged.isDeleted(team.finding))
        #expect(merged.state(of: team.statement)?.winner.value == .text("Draft, with evidence"))

        // A restore brings it back with the edit kept
        let restore = team.write(.bool(false), Change.deletedField, by: team.auditor, in: merged, now: 3_000)
        try merged.apply(restore)
        #expect(!merged.isDeleted(team.finding))
        #expect(merged.state(of: team.statement)?.winner.value == .text("Draft, with evidence"))
    }

    @Test func aValueSupersededBeforeItArrivesNeverBecomesVisible() throws {
        var author = ReplicatedState()
        let first = team.write(.text("first"), by: team.lead, in: author, now: 1_000)
        try author.apply(first)
        let second = team.write(.text("second"), by: team.lead, in: author, now: 2_000)

        var receiver = ReplicatedState()
        try receiver.apply(second)
        try receiver.apply(first)
        #expect(receiver.state(of: team.statement)?.values.map(\.value) == [.text("second")])
    }

    @Test func theSameIdWithDifferentContentIsRefused() throws {
        var state = ReplicatedState()
        let change = team.write(.text("true"), by: team.lead, in: state, now: 1_000)
        try state.apply(change)
        var forged = change
        forged.value = .text("forged")
        #expect(throws: ReplicationError.equivocation(change.id)) { try state.apply(forged) }
        #expect(try state.apply(change) == .duplicate)
    }

    @Test func anEntityKeepsItsKindAndEngagement() throws {
        var state = ReplicatedState()
        let change = team.write(.text("x"), by: team.lead, in: state, now: 1_000)
        try state.apply(change)
        var other = team.write(.text("y"), by: team.auditor, in: state, now: 1_000)
        other.kind = "note"
        #expect(throws: ReplicationError.self) { try state.apply(other) }
        #expect(state.changes.count == 1)
    }
}
