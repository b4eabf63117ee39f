import AuditModel
import AuditStore
import FieldAudit
import Foundation
import Replication

/// The sync benchmark's steps: make a replica with N changes of its own, append more, and dump
/// them as NDJSON for the gzip and zstd comparison. `Benchmarks/run-sync` times the real
/// `fieldaudit export` and `import` commands around them.
enum SyncCommands {
    /// Words for note-like values (about 60 bytes each): audit prose compresses as prose does.
    static let words = """
        risk register reviewed quarterly owner model drift logging retention evidence sample \
        policy board approved training record supplier contract impact assessment fairness \
        monitoring dashboard incident response human oversight triage accuracy validation \
        release checklist data quality lineage consent documentation interview observed
        """.split(separator: " ").map(String.init)

    /// `populate DIR --changes N [--append]`: creates a replica in DIR (or opens it with
    /// `--append`) and writes N changes of its own into one engagement, 10,000 per transaction,
    /// over N/10 entities and 5 fields.
    static func populate(directory: String, changes count: Int, append: Bool) throws {
        let location = StoreLocation(directory: directory)
        let replica: Replica
        let engagement: EntityID
        if append {
            replica = try Replica.open(at: location)
            engagement = try replica.engagementID(nil)
        } else {
            replica = try Replica.create(at: location, name: "Bench Lead", identity: benchIdentity(7))
            engagement = try replica.createEngagement(EngagementDraft(client: "Bench Ltd", auditType: .stage2))
        }
        var generator = SeededGenerator(seed: append ? 2 : 1)
        let entities = (0..<max(1, count / 10)).map { _ in replica.makeEntityID() }
        let fields = ["text", "statement", "conclusion", "sample", "ref"]
        let start = ContinuousClock.now
        var written = 0
        // The store itself, as the bench measures it: a second connection to the replica's file.
        let store = try Store.open(at: location.database, searchableFields: Searchable.fields)
        while written < count {
            let batch = min(10_000, count - written)
            try store.write(as: replica.identity.id) { transaction in
                for _ in 0..<batch {
                    let entity = entities.randomElement(using: &generator)!
                    let field = fields.randomElement(using: &generator)!
                    try transaction.set(.text(sentence(&generator)), field, of: entity, kind: "note", engagement: engagement)
                }
            }
            written += batch
        }
        let elapsed = ContinuousClock.now - start
        log("wrote \(count) changes in \(elapsed)")
    }

    /// A note-like sentence of about 60 bytes.
    static func sentence(_ generator: inout SeededGenerator) -> String {
        var text = ""
        while text.utf8.count < 56 { text += (text.isEmpty ? "" : " ") + words.randomElement(using: &generator)! }
        return text
    }

    /// `ndjson DIR`: every change of the replica in DIR as one JSON object per line, on standard output.
    static func ndjson(directory: String) throws {
        let replica = try Replica.open(at: StoreLocation(directory: directory))
        let store = try Store.open(at: replica.location.database, searchableFields: Searchable.fields)
        let output = FileHandle.standardOutput
        var buffer = Data()
        for head in try store.originHeads() {
            try store.forEachLink(of: head.origin, after: 0, through: head.contiguous) { link in
                guard case let .change(change, _) = link else { return }
                let object: [String: Any] = [
                    "origin": change.origin.hex, "seq": change.seq, "stamp": change.stamp.rawValue, "txn": change.transaction,
                    "engagement": change.engagement.description, "kind": change.kind, "entity": change.entity.description,
                    "field": change.field, "value": change.value.description,
                    "supersedes": change.supersedes.map { ["origin": $0.origin.hex, "seq": $0.seq] },
                ]
                buffer += try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) + Data("\n".utf8)
                if buffer.count > 1 << 20 {
                    output.write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
        }
        output.write(buffer)
    }

    /// `rebuild DIR`: the state of the replica in DIR rebuilt from its log, timed; its digest
    /// before and after compared (the peak memory is the process's, measured by the caller).
    static func rebuild(directory: String) throws {
        let replica = try Replica.open(at: StoreLocation(directory: directory))
        let store = try Store.open(at: replica.location.database, searchableFields: Searchable.fields)
        let before = try store.digest()
        let count = try store.changeCount()
        let start = ContinuousClock.now
        try store.rebuild()
        let duration = ContinuousClock.now - start
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let unchanged = try store.digest() == before
        print("rebuild changes=\(count) seconds=\(String(format: "%.3f", seconds)) rate=\(Int(Double(count) / seconds)) digest_unchanged=\(unchanged)")
    }
}
