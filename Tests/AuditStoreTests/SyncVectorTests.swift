@testable import AuditStore
import Foundation
import Replication
import TestSupport
import Testing

/// The frozen merge cases of `Sync/vectors/v1/`: their canonical encodings, chain hashes, visible
/// values and state digests must never change. `RECORD_SNAPSHOTS=1` rewrites them, deliberately.
struct SyncVectorTests {
    struct MergeCase: Codable, Equatable {
        struct Field: Codable, Equatable {
            var entity: String
            var field: String
            /// Visible values, winner first, as change ids `origin:seq`.
            var visible: [String]
        }

        var name: String
        var description: String
        /// Changes in the order their origins wrote them, with canonical bytes and chain hashes.
        var changes: [ChangeJSON]
        /// The fields and their visible values after applying every change, in any order.
        var fields: [Field]
        /// Entities whose `deleted` winner is true.
        var deleted: [String]
        /// The version vector: origin → highest gap-free seq.
        var vector: [String: String]
        /// The state digest after applying every change.
        var stateDigest: String
    }

    static let cases = ["concurrent-edit", "resolution", "delete-restore", "superseded-before-arrival"]

    @Test(arguments: cases)
    func mergeCaseMatchesItsFrozenVector(name: String) throws {
        let path = "\(packageRoot)/Sync/vectors/v1/\(name).json"
        let computed = try Self.make(name)
        if isRecordingSnapshots {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try (encoder.encode(computed) + Data("\n".utf8)).write(to: URL(fileURLWithPath: path))
            return
        }
        let frozen = try JSONDecoder().decode(MergeCase.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(frozen == computed)

        // Read independently from the file: the stored changes reproduce the stored hashes and digest
        var previous: [String: ChangeHash] = [:]
        var changes: [Change] = []
        for json in frozen.changes {
            let change = try json.change()
            let before = previous[json.origin] ?? .genesis
            #expect(Hex.encode(change.canonicalEncoding()) == json.canonical)
            #expect(change.contentDigest.hex == json.content)
            let hash = ChangeHash.of(change, after: before)
            #expect(hash.hex == json.hash)
            previous[json.origin] = hash
            changes.append(change)
        }
        for order in [changes, changes.reversed(), changes.shuffled()] {
            let store = try Store.inMemory()
            try store.apply(order)
            #expect(try store.digest().hex == frozen.stateDigest)
        }
    }

    /// Builds a merge case from scratch with fixed identities and clocks.
    static func make(_ name: String) throws -> MergeCase {
        let lead = testIdentity(1), auditor = testIdentity(2)
        let engagement = try EntityID("01934b2e-0000-7000-8000-000000000001")
        let finding = try EntityID("01934b2e-0000-7000-8000-0000000000f1")
        var states: [ReplicaID: ReplicatedState] = [lead.id: ReplicatedState(), auditor.id: ReplicatedState()]
        var written: [Change] = []
        let base: UInt64 = 1_733_000_000_000

        func write(_ value: Value, _ field: String = "statement", by identity: ReplicaIdentity, at offset: UInt64) throws {
            var state = states[identity.id]!
            let lastSeq = state.changes.keys.filter { $0.origin == identity.id }.map(\.seq).max() ?? 0
            let last = state.changes.values.map(\.stamp).max() ?? .zero
            var writer = ChangeWriter(origin: identity.id, lastSeq: lastSeq, clock: HybridLogicalClock(last: last), now: base + offset)
            let key = FieldKey(entity: finding, field: field)
            let change = writer.write(value, to: key, kind: "finding", engagement: engagement, over: state.state(of: key))
            try state.apply(change)
            states[identity.id] = state
            written.append(change)
        }
        func sync(_ from: ReplicaIdentity, to: ReplicaIdentity) throws {
            for change in states[from.id]!.changes.values.sorted(by: { $0.id < $1.id }) { try states[to.id]!.apply(change) }
        }

        let description: String
        switch name {
        case "concurrent-edit":
            description = "Lead and auditor both edit a statement they have both seen: two visible values, winner first."
            try write(.text("Risk register incomplete"), by: lead, at: 0)
            try sync(lead, to: auditor)
            try write(.text("Risk register lacks owners"), by: lead, at: 1_000)
            try write(.text("Risk register lacks review dates"), by: auditor, at: 900)
        case "resolution":
            description = "A write that supersedes both conflicting values resolves the conflict."
            try write(.text("A"), by: lead, at: 0)
            try write(.text("B"), by: auditor, at: 0)
            try sync(auditor, to: lead)
            try write(.text("A and B"), by: lead, at: 2_000)
        case "delete-restore":
            description = "Delete by one, concurrent edit by the other, then a restore: the edit survives."
            try write(.text("Draft"), by: lead, at: 0)
            try write(.integer(2), "grade", by: lead, at: 10)
            try sync(lead, to: auditor)
            try write(.bool(true), Change.deletedField, by: lead, at: 1_000)
            try write(.text("Draft with evidence"), by: auditor, at: 1_100)
            try write(.real(0.25), "sampleRatio", by: auditor, at: 1_200)
            try sync(lead, to: auditor)
            try write(.bool(false), Change.deletedField, by: auditor, at: 3_000)
            try write(.json(#"{"systems":["triage-model"]}"#), "systems", by: auditor, at: 3_010)
            try write(.blob(try BlobDigest(hex: String(repeating: "ab", count: 32))), "evidence", by: auditor, at: 3_020)
            try write(.bytes([0, 1, 2, 255]), "raw", by: auditor, at: 3_030)
            try write(.null, "note", by: auditor, at: 3_040)
        case "superseded-before-arrival":
            description = "The author's second write arrives before its first; the first never becomes visible. Apply in any order."
            try write(.text("first"), by: lead, at: 0)
            try write(.text("second"), by: lead, at: 1_000)
            try write(.text("third"), by: lead, at: 2_000)
        default:
            throw CocoaError(.fileNoSuchFile)
        }

        var merged = ReplicatedState()
        for change in written { try merged.apply(change) }
        var previous: [ReplicaID: ChangeHash] = [:]
        let changes = written.map { change in
            defer { previous[change.origin] = ChangeHash.of(change, after: previous[change.origin] ?? .genesis) }
            return ChangeJSON(change, previous: previous[change.origin] ?? .genesis)
        }
        let keys = Set(written.map(\.fieldKey)).sorted()
        return MergeCase(
            name: name, description: description, changes: changes,
            fields: keys.compactMap { key in
                merged.state(of: key).map { state in
                    MergeCase.Field(entity: key.entity.description, field: key.field, visible: state.values.map { "\($0.id.origin.hex):\($0.id.seq)" })
                }
            },
            deleted: merged.isDeleted(finding) ? [finding.description] : [],
            vector: Dictionary(uniqueKeysWithValues: merged.vector.sorted.map { ($0.origin.hex, String($0.seq)) }),
            stateDigest: merged.digest().hex)
    }
}
