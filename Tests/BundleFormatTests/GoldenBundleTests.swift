import Crypto
import Foundation
import Replication
import TestSupport
import Testing

@testable import BundleFormat

/// The frozen v1 bundles of `Sync/vectors/v1/bundles/`: each `.fabundle` must decode to the content
/// its `.json` describes, forever. zlib's output may differ between zlib versions, so these tests
/// decode the frozen bytes and compare content; a separate test checks that today's writer makes a
/// bundle with the same content. `RECORD_SNAPSHOTS=1` rewrites both files, deliberately.
struct GoldenBundleTests {
    static let names = [
        "changes-and-checkpoints", "evidence", "sealed",
        "redacted", "several-checkpoints", "superseded-origin-without-range", "sealed-several-chunks",
        "forked-a", "forked-b",
    ]
    static let directory = "\(packageRoot)/Sync/vectors/v1/bundles"

    @Test(arguments: names)
    func aFrozenBundleDecodesToItsFrozenContent(name: String) throws {
        let bundleURL = URL(fileURLWithPath: "\(Self.directory)/\(name).fabundle")
        let jsonURL = URL(fileURLWithPath: "\(Self.directory)/\(name).json")
        let scenario = Self.scenario(name)
        if isRecordingSnapshots {
            let bytes = try scenario.encode()
            try Data(bytes).write(to: bundleURL)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try (encoder.encode(try scenario.describe(bytes)) + Data("\n".utf8)).write(to: jsonURL)
            return
        }
        // Given the frozen bytes and their frozen description
        let frozen = try JSONDecoder().decode(GoldenBundle.self, from: Data(contentsOf: jsonURL))
        let bytes = [UInt8](try Data(contentsOf: bundleURL))

        // When the bytes are decoded, then they are what the description says
        #expect(try scenario.describe(bytes) == frozen)
        #expect(frozen.summary.byteCount == String(bytes.count))
    }

    @Test(arguments: names)
    func todaysWriterMakesABundleWithTheFrozenContent(name: String) throws {
        guard !isRecordingSnapshots else { return }
        let scenario = Self.scenario(name)
        let frozen = try JSONDecoder().decode(
            GoldenBundle.self, from: Data(contentsOf: URL(fileURLWithPath: "\(Self.directory)/\(name).json")))
        var made = try scenario.describe(try scenario.encode())
        // The digest and size depend on zlib's output, which may differ between zlib versions.
        made.summary.digest = frozen.summary.digest
        made.summary.byteCount = frozen.summary.byteCount
        #expect(made == frozen)
    }

    @Test func theForkedPairAgreesOnSeqOneAndDiffersFromSeqTwoEachSignedByItsOrigin() throws {
        let (a, b) = try (Self.frozen("forked-a"), Self.frozen("forked-b"))
        let (changesA, changesB) = (a.records.compactMap(\.change), b.records.compactMap(\.change))
        let (checkpointA, checkpointB) = try (#require(a.records.compactMap(\.checkpoint).first), #require(b.records.compactMap(\.checkpoint).first))
        // Seq 1: the same change; seq 2: two different changes with one id, hence two chain hashes
        #expect(changesA.count == 2 && changesB.count == 2)
        #expect(changesA[0] == changesB[0])
        #expect(changesA[1].origin == changesB[1].origin && changesA[1].seq == "2" && changesB[1].seq == "2")
        #expect(changesA[1].content != changesB[1].content && changesA[1].hash != changesB[1].hash)
        // Both signed by the origin itself, at seq 2, each over its own chain
        #expect(checkpointA.signerPublicKey == checkpointB.signerPublicKey && checkpointA.origin == changesA[1].origin)
        #expect(checkpointA.seq == "2" && checkpointA.hash == changesA[1].hash && checkpointB.hash == changesB[1].hash)
    }

    static func frozen(_ name: String) throws -> GoldenBundle {
        try JSONDecoder().decode(GoldenBundle.self, from: Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name).json")))
    }

    // MARK: - Scenarios

    /// What a golden bundle holds and how it was made.
    struct Scenario {
        var name: String
        var description: String
        var exporter: ReplicaIdentity
        var header: BundleHeader
        var records: [BundleRecord]
        var sealing: (recipients: [ReplicaIdentity], seed: UInt64)?
        var openWith: ReplicaIdentity?

        func encode() throws -> [UInt8] {
            var generator = SeededGenerator(seed: sealing?.seed ?? 0)
            let bundleSealing = try sealing.map { sealing throws(BundleError) in
                try BundleSealing(recipients: sealing.recipients.map { AgreementKey.derive(from: $0).publicKey }, using: &generator)
            }
            return try makeBundle(header: header, exporter: exporter, records: records, sealing: bundleSealing)
        }

        /// Decodes `bytes` into the language-neutral description, with the state digest after
        /// applying every change and each checkpoint checked against the re-derived chain.
        func describe(_ bytes: [UInt8]) throws -> GoldenBundle {
            let read = try readBundle(bytes, agreementKey: openWith.map(AgreementKey.derive))
            var state = ReplicatedState()
            var heads: [ReplicaID: (seq: UInt64, hash: ChangeHash)] = [:]
            var hashes: [ChangeID: ChangeHash] = [:]
            var records: [GoldenBundle.Record] = []
            for record in read.records {
                switch record {
                case let .change(change):
                    let head = heads[change.origin] ?? (0, .genesis)
                    let previous: ChangeHash? = head.seq + 1 == change.seq ? head.hash : nil
                    if let previous {
                        heads[change.origin] = (change.seq, ChangeHash.of(change, after: previous))
                        hashes[change.id] = heads[change.origin]!.hash
                    }
                    try state.apply(change)
                    records.append(GoldenBundle.Record(type: "change", change: ChangeJSON(change, previous: previous)))
                case let .blobChunk(chunk):
                    records.append(GoldenBundle.Record(type: "blobChunk", blobChunk: .init(
                        digest: chunk.digest.hex, totalSize: String(chunk.totalSize), offset: String(chunk.offset), bytes: Hex.encode(chunk.bytes))))
                case let .checkpoint(checkpoint):
                    #expect(hashes[ChangeID(origin: checkpoint.origin, seq: checkpoint.seq)] == checkpoint.hash,
                            "checkpoint \(checkpoint) does not match the chain of the bundle's changes")
                    records.append(GoldenBundle.Record(type: "checkpoint", checkpoint: .init(
                        origin: checkpoint.origin.hex, signerPublicKey: Hex.encode(checkpoint.signerPublicKey), seq: String(checkpoint.seq),
                        hash: checkpoint.hash.hex, signature: Hex.encode(checkpoint.signature))))
                case let .redacted(id, content):
                    let head = heads[id.origin] ?? (0, .genesis)
                    if head.seq + 1 == id.seq {
                        heads[id.origin] = (id.seq, ChangeHash.link(head.hash, content))
                        hashes[id] = heads[id.origin]!.hash
                    }
                    records.append(GoldenBundle.Record(type: "redacted", redacted: .init(origin: id.origin.hex, seq: String(id.seq), content: content.hex)))
                }
            }
            let header = read.header
            return GoldenBundle(
                name: name, description: description, file: "\(name).fabundle",
                openWithPrivateKey: openWith.map { Hex.encode($0.privateKeyBytes) },
                header: .init(
                    formatVersion: Int(BundleLayout.formatVersion), exporter: header.exporter.hex,
                    exporterPublicKey: Hex.encode(header.exporterPublicKey), createdAt: String(header.createdAt),
                    capabilities: header.capabilities.map { .init(name: $0.name, required: $0.isRequired) },
                    engagements: header.engagements.map(\.description),
                    ranges: header.ranges.map { .init(origin: $0.origin.hex, after: String($0.after), through: String($0.through)) },
                    includesEvidence: header.includesEvidence,
                    sealedFor: header.seal?.recipients.map { Hex.encode($0.recipient) } ?? []),
                records: records,
                summary: .init(
                    changes: String(read.summary.changes), blobChunks: String(read.summary.blobChunks),
                    blobBytes: String(read.summary.blobBytes), checkpoints: String(read.summary.checkpoints),
                    digest: Hex.encode(read.summary.digest), byteCount: String(read.summary.byteCount)),
                stateDigest: state.digest().hex)
        }
    }

    static let lead = testIdentity(101)
    static let auditor = testIdentity(102)
    static let engagement = testEntity(501, milliseconds: 1_764_000_000_000)

    /// The golden scenarios: fixed identities, fixed wall times, every value type.
    static func scenario(_ name: String) -> Scenario {
        var state = ReplicatedState()
        var clocks: [ReplicaID: (seq: UInt64, clock: HybridLogicalClock)] = [:]
        var changes: [Change] = []
        var now: UInt64 = 1_764_050_400_000
        func command(_ identity: ReplicaIdentity, _ writes: [(EntityID, String, String, Value)]) {
            now += 60_000
            let held = clocks[identity.id] ?? (0, HybridLogicalClock())
            var writer = ChangeWriter(origin: identity.id, lastSeq: held.seq, clock: held.clock, now: now)
            for (entity, kind, field, value) in writes {
                let key = FieldKey(entity: entity, field: field)
                let change = writer.write(value, to: key, kind: kind, engagement: engagement, over: state.state(of: key))
                try! state.apply(change)
                changes.append(change)
            }
            clocks[identity.id] = (held.seq + UInt64(writer.written.count), writer.clock)
        }
        func checkpoint(_ identity: ReplicaIdentity) -> BundleRecord {
            .checkpoint(Checkpoint.sign(seq: state.vector[identity.id], hash: state.head(of: identity.id), by: identity))
        }
        /// A checkpoint of `identity`'s change `seq`, its hash derived from the changes written.
        func checkpoint(_ identity: ReplicaIdentity, at seq: UInt64) -> BundleRecord {
            var hash = ChangeHash.genesis
            for change in changes where change.origin == identity.id && change.seq <= seq { hash = ChangeHash.of(change, after: hash) }
            return .checkpoint(Checkpoint.sign(seq: seq, hash: hash, by: identity))
        }
        func header(_ exporter: ReplicaIdentity, evidence: Bool = false) -> BundleHeader {
            BundleHeader(
                exporterKey: exporter.publicKey, createdAt: now + 1_000, engagements: [engagement],
                ranges: OriginRange.covering(from: VersionVector(), to: state.vector), includesEvidence: evidence)
        }
        let finding = testEntity(502, milliseconds: 1_764_050_460_000)
        let note = testEntity(503, milliseconds: 1_764_050_520_000)
        let evidence = testEntity(504, milliseconds: 1_764_050_580_000)
        let file = Array(String(repeating: "Management review minutes, 2 March 2026: AI objectives reviewed; risk owners named. ", count: 8).utf8)
        let fileDigest = try! BlobDigest(bytes: sha256(file))

        switch name {
        case "changes-and-checkpoints":
            command(lead, [
                (engagement, "engagement", "title", .text("Stage 2 audit — Example Ltd")),
                (engagement, "engagement", "standard", .text("ISO/IEC 42001:2023")),
            ])
            command(lead, [
                (finding, "finding", "statement", .text("Risk register incomplete")),
                (finding, "finding", "grade", .text("minor")),
                (finding, "finding", "clauses", .json(#"["6.1.2", "A.5.2"]"#)),
            ])
            command(auditor, [
                (note, "note", "text", .text("Interviewed the head of compliance; the AI policy is approved.")),
                (note, "note", "sampleSize", .integer(12)),
                (note, "note", "errorRate", .real(0.25)),
                (note, "note", "attachmentHeader", .bytes([0x25, 0x50, 0x44, 0x46])),
                (note, "note", "reviewedBy", .null),
            ])
            command(auditor, [(finding, "finding", "statement", .text("Risk register lacks owners for two AI systems"))])
            command(lead, [(finding, "finding", Change.deletedField, .bool(false))])
            return Scenario(
                name: name, description: "Two origins, every value type but blob, a superseding edit, a checkpoint per origin.",
                exporter: lead, header: header(lead), records: changes.map { .change($0) } + [checkpoint(lead), checkpoint(auditor)])
        case "evidence":
            command(auditor, [
                (evidence, "evidence", "file", .blob(fileDigest)),
                (evidence, "evidence", "name", .text("management-review-2026-03.txt")),
            ])
            let chunks: [BundleRecord] = stride(from: 0, to: file.count, by: 256).map { offset in
                .blobChunk(BlobChunk(digest: fileDigest, totalSize: UInt64(file.count), offset: UInt64(offset), bytes: Array(file[offset..<min(offset + 256, file.count)])))
            }
            return Scenario(
                name: name, description: "An evidence file referenced by a blob value, carried in three chunks, and a checkpoint.",
                exporter: auditor, header: header(auditor, evidence: true),
                records: changes.map { .change($0) } + chunks + [checkpoint(auditor)])
        case "redacted":
            command(lead, [(engagement, "engagement", "title", .text("Stage 2 audit — Example Ltd"))])
            command(lead, [(finding, "finding", "statement", .text("Withheld: written in an engagement the peer is not on"))])
            command(lead, [(note, "note", "text", .text("Opening meeting held; scope confirmed."))])
            return Scenario(
                name: name,
                description: "Change 2 of the lead withheld as a redacted frame (its content digest only) between two full changes; the checkpoint covers all three.",
                exporter: lead, header: header(lead),
                records: [.change(changes[0]), .redacted(changes[1].id, changes[1].contentDigest), .change(changes[2]), checkpoint(lead)])
        case "several-checkpoints":
            command(lead, [(engagement, "engagement", "title", .text("Stage 2 audit — Example Ltd"))])
            command(lead, [
                (finding, "finding", "statement", .text("Risk register incomplete")),
                (finding, "finding", "grade", .text("minor")),
            ])
            return Scenario(
                name: name,
                description: "Three checkpoints of one origin: at the chain's end (seq 3), then older ones at seq 1 and 2; the highest covers the chain (PROTOCOL §15).",
                exporter: lead, header: header(lead),
                records: changes.map { .change($0) } + [checkpoint(lead), checkpoint(lead, at: 1), checkpoint(lead, at: 2)])
        case "superseded-origin-without-range":
            command(lead, [(finding, "finding", "statement", .text("Risk register incomplete"))])
            command(auditor, [(finding, "finding", "statement", .text("Risk register lacks owners for two AI systems"))])
            let ranges = [OriginRange(origin: auditor.id, after: 0, through: 1)]
            return Scenario(
                name: name,
                description: "The auditor's edit supersedes the lead's change, whose origin has no range in the header: supersedes origin code r + 1 with the 16-byte origin (PROTOCOL §13.4 field 9).",
                exporter: auditor,
                header: BundleHeader(exporterKey: auditor.publicKey, createdAt: now + 1_000, engagements: [engagement], ranges: ranges),
                records: [.change(changes[1]), checkpoint(auditor)])
        case "forked-a", "forked-b":
            command(auditor, [(note, "note", "text", .text("Interviewed the head of compliance; the AI policy is approved."))])
            command(auditor, [(finding, "finding", "statement", .text(name == "forked-a" ? "Risk register incomplete" : "Risk register complete"))])
            return Scenario(
                name: name,
                description: "One of a forked pair (forked-a, forked-b): the auditor's seq 1 is the same in both, its seq 2 differs, and each bundle's checkpoint, signed by the auditor, covers its own seq 2. An importer that holds one and then reads the other quarantines the auditor from seq 2, keeping both versions as evidence (PROTOCOL §21.1).",
                exporter: auditor, header: header(auditor), records: changes.map { .change($0) } + [checkpoint(auditor)])
        case "sealed-several-chunks":
            var generator = SeededGenerator(seed: 70_000)
            command(lead, [(evidence, "evidence", "preview", .bytes(generator.bytes(70_000)))])
            return Scenario(
                name: name,
                description: "A body sealed for the lead and the auditor whose zlib stream (over 65,536 bytes: 70,000 random bytes) spans two sealed chunks; openWithPrivateKey is the auditor's (test) Ed25519 key.",
                exporter: lead, header: header(lead), records: changes.map { .change($0) } + [checkpoint(lead)],
                sealing: ([lead, auditor], 7_007), openWith: auditor)
        default:
            command(lead, [
                (finding, "finding", "statement", .text("Confidential: supplier AI model has no documented validation")),
                (finding, "finding", "grade", .text("major")),
            ])
            return Scenario(
                name: name, description: "A body sealed for the lead and the auditor; openWithPrivateKey is the auditor's (test) Ed25519 key.",
                exporter: lead, header: header(lead), records: changes.map { .change($0) } + [checkpoint(lead)],
                sealing: ([lead, auditor], 4_242), openWith: auditor)
        }
    }
}

/// The language-neutral description of a golden bundle. Integers are decimal strings; keys,
/// digests, signatures and bytes are lowercase hex; changes are spelled as in the merge vectors.
struct GoldenBundle: Codable, Equatable {
    struct Header: Codable, Equatable {
        struct Capability: Codable, Equatable {
            var name: String
            var required: Bool
        }
        struct Range: Codable, Equatable {
            var origin: String
            var after: String
            var through: String
        }
        var formatVersion: Int
        var exporter: String
        var exporterPublicKey: String
        var createdAt: String
        var capabilities: [Capability]
        var engagements: [String]
        var ranges: [Range]
        var includesEvidence: Bool
        /// The recipients' X25519 public keys, for sealed bundles.
        var sealedFor: [String]
    }
    struct BlobChunkJSON: Codable, Equatable {
        var digest: String
        var totalSize: String
        var offset: String
        var bytes: String
    }
    struct CheckpointJSON: Codable, Equatable {
        var origin: String
        var signerPublicKey: String
        var seq: String
        var hash: String
        var signature: String
    }
    struct Record: Codable, Equatable {
        var type: String
        var change: ChangeJSON?
        var blobChunk: BlobChunkJSON?
        var checkpoint: CheckpointJSON?
        var redacted: RedactedJSON?
    }
    struct RedactedJSON: Codable, Equatable {
        var origin: String
        var seq: String
        var content: String
    }
    struct Summary: Codable, Equatable {
        var changes: String
        var blobChunks: String
        var blobBytes: String
        var checkpoints: String
        var digest: String
        var byteCount: String
    }
    var name: String
    var description: String
    var file: String
    /// For sealed bundles: a recipient's Ed25519 private key (a test key), from which its X25519 key derives.
    var openWithPrivateKey: String?
    var header: Header
    var records: [Record]
    var summary: Summary
    /// The state digest (`Sync/PROTOCOL.md` §8) after applying every change of the bundle to an empty replica.
    var stateDigest: String
}
