import Crypto
import Foundation
import Replication
import TestSupport

@testable import BundleFormat

/// What the generated values look like.
enum ValueMix {
    /// Every value type, with edge cases: extremes, NaN, empty and non-ASCII text, larger bytes.
    case everyType
    /// English-like text of exactly `bytes` bytes, as field notes are.
    case englishText(bytes: Int)
}

/// A repeatable stream of plausible changes from several origins: commands of 1–5 changes by a
/// random origin, entities reused for a while, later writes superseding earlier ones. The same
/// seed gives the same changes, so a test can write a stream and check a second copy against what
/// it reads without holding either.
struct ChangeStream {
    private(set) var generator: SeededGenerator
    let origins: [ReplicaIdentity]
    let engagements: [EntityID]
    let mix: ValueMix
    /// Probability that a seq is skipped (a gap the bundle does not fill).
    let gapChance: Double
    private var lastSeq: [UInt64]
    private var lastStamp: [UInt64]
    private var recent: [(entity: EntityID, kind: String, engagement: EntityID)] = []
    private var lastWrite: [FieldKey: ChangeID] = [:]
    private var pending: [Change] = []
    private var entityCounter: UInt64 = 0

    /// Origins outside any test bundle's ranges.
    static let foreignOrigins = (900...902).map { testIdentity(UInt64($0)).id }
    static let kinds = ["finding", "note", "test", "interview", "evidence", "engagement"]
    static let fields = [
        "statement", "title", "grade", "requirement", "method", "result", "conclusion", "sample",
        "population", "discussed", "objectiveEvidence", "deleted",
    ]
    static let words = """
        the risk register is incomplete for two of the ai systems in scope and the organisation has \
        not defined impact assessment criteria management review minutes record the objectives but \
        no evidence of monitoring was available supplier controls annex a control data quality \
        training records interview with the head of compliance confirmed that the policy is approved \
        sample of twelve changes inspected three lacked approval observation opportunity for \
        improvement nonconformity minor major documented information retained responsibilities \
        lifecycle verification validation deployment human oversight logging incident response
        """.split(separator: " ").map(String.init)

    /// A stream from `origins` (with `startSeqs[i]` the first seq of origin `i`, default 1).
    init(
        seed: UInt64, origins: [ReplicaIdentity], engagements: [EntityID], mix: ValueMix = .everyType,
        startSeqs: [UInt64]? = nil, gapChance: Double = 0
    ) {
        generator = SeededGenerator(seed: seed)
        self.origins = origins
        self.engagements = engagements
        self.mix = mix
        self.gapChance = gapChance
        lastSeq = (startSeqs ?? origins.map { _ in 1 }).map { $0 - 1 }
        lastStamp = origins.map { _ in 1_764_000_000_000 << 16 }
    }

    /// The ranges a header needs to cover this stream: from each origin's start to `through`.
    func ranges(through: UInt64 = UInt64(Int64.max)) -> [OriginRange] {
        zip(origins, lastSeq).map { OriginRange(origin: $0.id, after: $1, through: through) }
    }

    /// The next change.
    mutating func next() -> Change {
        if pending.isEmpty { writeCommand() }
        return pending.removeFirst()
    }

    /// The next `count` changes.
    mutating func take(_ count: Int) -> [Change] {
        (0..<count).map { _ in next() }
    }

    private mutating func writeCommand() {
        let index = Int.random(in: origins.indices, using: &generator)
        let origin = origins[index].id
        if generator.chance(gapChance) { lastSeq[index] += 1 }
        let transaction = lastSeq[index] + 1
        lastStamp[index] += UInt64.random(in: 0...3_000, using: &generator) << 16 + UInt64.random(in: 1...3, using: &generator)
        for _ in 0..<Int.random(in: 1...5, using: &generator) {
            let (entity, kind, engagement) = pickEntity()
            let field = Self.fields.randomElement(using: &generator)!
            let key = FieldKey(entity: entity, field: field)
            lastSeq[index] += 1
            lastStamp[index] += 1
            var supersedes: [ChangeID] = []
            if let previous = lastWrite[key] { supersedes.append(previous) }
            if case .everyType = mix, generator.chance(0.1) {
                // Now and then also a change of an origin the bundle may not cover.
                supersedes.append(ChangeID(origin: Self.foreignOrigins.randomElement(using: &generator)!, seq: UInt64.random(in: 1...9, using: &generator)))
            }
            let change = Change(
                origin: origin, seq: lastSeq[index], stamp: Timestamp(rawValue: lastStamp[index]),
                transaction: transaction, engagement: engagement, kind: kind, entity: entity, field: field,
                value: field == Change.deletedField ? .bool(generator.chance(0.5)) : randomValue(), supersedes: supersedes)
            lastWrite[key] = change.id
            pending.append(change)
        }
    }

    private mutating func pickEntity() -> (EntityID, String, EntityID) {
        if recent.isEmpty || generator.chance(0.2) {
            entityCounter += 1
            let entity = EntityID.make(milliseconds: 1_764_000_000_000 + entityCounter, using: &generator)
            let picked = (entity, Self.kinds.randomElement(using: &generator)!, engagements.randomElement(using: &generator)!)
            recent.append(picked)
            if recent.count > 50 { recent.removeFirst() }
            return picked
        }
        return recent.randomElement(using: &generator)!
    }

    private mutating func randomValue() -> Value {
        switch mix {
        case let .englishText(bytes):
            var text = ""
            while text.utf8.count < bytes { text += (text.isEmpty ? "" : " ") + Self.words.randomElement(using: &generator)! }
            return .text(String(text.prefix(bytes)))
        case .everyType:
            switch Int.random(in: 0..<7, using: &generator) {
            case 0: return .null
            case 1: return .integer([0, 1, -1, .max, .min, Int64.random(in: .min ... .max, using: &generator)].randomElement(using: &generator)!)
            case 2: return .real([0, -0.0, .nan, .infinity, -.infinity, 1e-308, Double.random(in: -1e9...1e9, using: &generator)].randomElement(using: &generator)!)
            case 3: return .text(["", "Risk register incomplete", "café", "cafe\u{301}", "日本語のメモ 🙂", "line\nbreak\u{0}nul"].randomElement(using: &generator)!)
            case 4: return .bytes(generator.bytes(generator.chance(0.05) ? 3_000 : Int.random(in: 0...40, using: &generator)))
            case 5: return .blob(try! BlobDigest(bytes: generator.bytes(32)))
            default: return .json(#"{"sample": 12, "population": [1, 2, 3], "note": "as written"}"#)
            }
        }
    }
}

/// A change as bytes: its canonical encoding after genesis, so changes compare byte for byte (and
/// NaN reals, which never compare equal as values, compare as bit patterns).
func fingerprint(_ change: Change) -> [UInt8] {
    change.canonicalEncoding()
}

/// A record as comparable bytes.
func fingerprint(_ record: BundleRecord) -> [UInt8] {
    switch record {
    case let .change(change): [1] + fingerprint(change)
    case let .blobChunk(chunk): [2] + chunk.digest.bytes + withUnsafeBytes(of: chunk.offset) { Array($0) } + chunk.bytes
    case let .checkpoint(checkpoint): [3] + Checkpoint.message(origin: checkpoint.origin, seq: checkpoint.seq, hash: checkpoint.hash) + checkpoint.signature
    case let .redacted(id, content): [5] + id.origin.bytes + withUnsafeBytes(of: id.seq) { Array($0) } + content.bytes
    }
}

/// A small team and its bundle header.
struct Team {
    let exporter = testIdentity(201)
    let auditor = testIdentity(202)
    let expert = testIdentity(203)
    let engagements = [testEntity(301), testEntity(302)]

    var origins: [ReplicaIdentity] { [exporter, auditor, expert] }

    func header(ranges: [OriginRange], includesEvidence: Bool = false, capabilities: [BundleCapability] = []) -> BundleHeader {
        BundleHeader(
            exporterKey: exporter.publicKey, createdAt: 1_764_000_123_456, engagements: engagements, ranges: ranges,
            includesEvidence: includesEvidence, capabilities: capabilities)
    }

    func stream(seed: UInt64, mix: ValueMix = .everyType, gapChance: Double = 0, startSeqs: [UInt64]? = nil) -> ChangeStream {
        ChangeStream(seed: seed, origins: origins, engagements: engagements, mix: mix, startSeqs: startSeqs, gapChance: gapChance)
    }
}

/// Writes a bundle of `records` into memory.
func makeBundle(
    header: BundleHeader, exporter: ReplicaIdentity, records: [BundleRecord], sealing: BundleSealing? = nil
) throws -> [UInt8] {
    let writer = try BundleWriter(header: header, exporter: exporter, sink: MemorySink(), sealing: sealing)
    for record in records { try writer.append(record) }
    try writer.finish()
    return writer.sink.bytes
}

extension BundleWriter {
    /// Appends any record.
    func append(_ record: BundleRecord) throws {
        switch record {
        case let .change(change): try append(change)
        case let .blobChunk(chunk): try appendBlobChunk(digest: chunk.digest, totalSize: chunk.totalSize, offset: chunk.offset, bytes: chunk.bytes)
        case let .checkpoint(checkpoint): try append(checkpoint)
        case let .redacted(id, content): try appendRedacted(id, content: content)
        }
    }
}

/// Everything a bundle holds, read in one pass.
struct ReadBundle {
    var header: BundleHeader
    var records: [BundleRecord]
    var summary: BundleSummary
}

/// Reads a whole bundle from `source`.
func readBundle<Source: ByteSource>(_ source: Source, agreementKey: AgreementKey? = nil) throws(BundleError) -> ReadBundle {
    let reader = try BundleReader(source: source, agreementKey: agreementKey)
    var records: [BundleRecord] = []
    while let record = try reader.next() { records.append(record) }
    return ReadBundle(header: reader.header, records: records, summary: reader.summary!)
}

/// Reads a whole bundle held in memory.
func readBundle(_ bytes: [UInt8], agreementKey: AgreementKey? = nil) throws(BundleError) -> ReadBundle {
    try readBundle(MemorySource(bytes), agreementKey: agreementKey)
}

/// The error reading `bytes` throws, or `nil` if it reads cleanly. Any error other than a
/// `BundleError` is a bug and is returned as `.io` with its description, so tests see it.
func readingError(_ bytes: [UInt8], agreementKey: AgreementKey? = nil) -> BundleError? {
    do {
        _ = try readBundle(bytes, agreementKey: agreementKey)
        return nil
    } catch {
        return error
    }
}

/// A source that hands out its bytes in pieces of random size (1 … `maximum`), as a pipe may.
struct ChunkedSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    private var generator: SeededGenerator
    private let maximum: Int

    init(_ bytes: [UInt8], seed: UInt64, maximum: Int) {
        self.bytes = bytes
        self.generator = SeededGenerator(seed: seed)
        self.maximum = maximum
    }

    mutating func read(upTo count: Int) throws(BundleError) -> [UInt8] {
        let size = min(count, Int.random(in: 1...maximum, using: &generator), bytes.count - position)
        defer { position += size }
        return Array(bytes[position..<position + size])
    }
}

/// A sink that only counts, remembering the largest piece it was handed.
struct CountingSink: ByteSink {
    private(set) var count = 0
    private(set) var largestWrite = 0

    mutating func write(_ bytes: ArraySlice<UInt8>) throws(BundleError) {
        count += bytes.count
        largestWrite = max(largestWrite, bytes.count)
    }
}

/// The SHA-256 of `bytes`, as 32 bytes.
func sha256(_ bytes: [UInt8]) -> [UInt8] {
    Array(SHA256.hash(data: bytes))
}
