import Replication
import TestSupport
import Testing

@testable import BundleFormat

/// Encode-then-decode: every record comes back byte for byte, in order, with its header.
struct RoundTripTests {
    let team = Team()

    @Test(arguments: [(seed: 1, count: 0), (seed: 2, count: 1), (seed: 3, count: 57), (seed: 4, count: 3_000)])
    func randomChangeSetsComeBackByteForByte(seed: UInt64, count: Int) throws {
        // Given changes of every value type from three origins, some starting mid-history, with gaps
        var stream = team.stream(seed: seed, gapChance: 0.05, startSeqs: [1, 40, 1_000_000])
        let header = team.header(ranges: stream.ranges())
        let changes = stream.take(count)

        // When they are written and read back
        let bytes = try makeBundle(header: header, exporter: team.exporter, records: changes.map { .change($0) })
        let read = try readBundle(bytes)

        // Then everything matches
        #expect(read.header == header)
        #expect(read.records.map(fingerprint) == changes.map { fingerprint(.change($0)) })
        #expect(read.summary.changes == UInt64(count))
        #expect(read.summary.byteCount == UInt64(bytes.count))
    }

    @Test
    func anEmptyBundleWithNoRangesRoundTrips() throws {
        let header = BundleHeader(exporterKey: team.exporter.publicKey, createdAt: 0, engagements: [], ranges: [])
        let bytes = try makeBundle(header: header, exporter: team.exporter, records: [])
        let read = try readBundle(bytes)
        #expect(read.header == header)
        #expect(read.records.isEmpty)
        #expect(read.summary.changes == 0)
    }

    @Test
    func blobChunksAndCheckpointsComeBackInTheirPlaces() throws {
        // Given changes, an evidence file in three chunks (one of them empty-file blob) and checkpoints
        var stream = team.stream(seed: 9)
        let ranges = stream.ranges()
        let changes = stream.take(20)
        var generator = SeededGenerator(seed: 10)
        let file = generator.bytes(600_000)
        let digest = try BlobDigest(bytes: sha256(file))
        let empty = try BlobDigest(bytes: sha256([]))
        let last = changes.last!
        let checkpoint = Checkpoint.sign(seq: last.seq, hash: ChangeHash.of(last, after: .genesis), by: team.origins.first { $0.id == last.origin }!)
        let records: [BundleRecord] = changes.prefix(10).map { .change($0) } + [
            .blobChunk(BlobChunk(digest: digest, totalSize: 600_000, offset: 0, bytes: Array(file[0..<262_144]))),
            .blobChunk(BlobChunk(digest: digest, totalSize: 600_000, offset: 262_144, bytes: Array(file[262_144..<524_288]))),
            .checkpoint(checkpoint),
            .blobChunk(BlobChunk(digest: digest, totalSize: 600_000, offset: 524_288, bytes: Array(file[524_288...]))),
            .blobChunk(BlobChunk(digest: empty, totalSize: 0, offset: 0, bytes: [])),
        ] + changes.suffix(10).map { .change($0) }

        // When written and read
        let bytes = try makeBundle(header: team.header(ranges: ranges, includesEvidence: true), exporter: team.exporter, records: records)
        let read = try readBundle(bytes)

        // Then the records and the counts match
        #expect(read.records.map(fingerprint) == records.map(fingerprint))
        #expect(read.summary.blobChunks == 4)
        #expect(read.summary.blobBytes == 600_000)
        #expect(read.summary.checkpoints == 1)
    }

    @Test
    func namesKeepTheirExactUTF8BytesWhateverTheirUnicodeNormalisation() throws {
        // "café" precomposed and decomposed are equal Swift strings but different bytes: both must survive
        let engagement = team.engagements[0]
        let entity = testEntity(7)
        let names = ["caf\u{e9}", "cafe\u{301}", "caf\u{e9}", "cafe\u{301}"]
        let changes = names.enumerated().map { index, name in
            Change(
                origin: team.exporter.id, seq: UInt64(index + 1), stamp: Timestamp(rawValue: UInt64(index)), transaction: 1,
                engagement: engagement, kind: name, entity: entity, field: name, value: .text(name))
        }
        let header = team.header(ranges: [OriginRange(origin: team.exporter.id, after: 0, through: 4)])
        let read = try readBundle(try makeBundle(header: header, exporter: team.exporter, records: changes.map { .change($0) }))
        #expect(read.records.map(fingerprint) == changes.map { fingerprint(.change($0)) })
    }

    @Test
    func moreDistinctNamesThanTheTableHoldsStillRoundTrip() throws {
        // Given more distinct field names than the name table's capacity, revisited after eviction
        let count = BundleLayout.nameTableCapacity + 500
        let entities = (0..<3).map { testEntity(UInt64($0)) }
        let changes: [Change] = (0..<count * 2).map { (index: Int) -> Change in
            let seq = UInt64(index + 1)
            return Change(
                origin: team.exporter.id, seq: seq, stamp: Timestamp(rawValue: seq), transaction: seq,
                engagement: team.engagements[0], kind: "note", entity: entities[index % 3],
                field: "field-\(index % count)", value: .integer(Int64(index)))
        }
        let header = team.header(ranges: [OriginRange(origin: team.exporter.id, after: 0, through: UInt64(changes.count))])
        let read = try readBundle(try makeBundle(header: header, exporter: team.exporter, records: changes.map { .change($0) }))
        #expect(read.records.map(fingerprint) == changes.map { fingerprint(.change($0)) })
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func referenceTablesAgreeOnEveryReferenceWithEviction(capacity: Int) {
        // Given a random sequence of keys over a few more keys than the capacity
        var generator = SeededGenerator(seed: UInt64(capacity))
        var encoder = ReferenceEncoder<Int, Void>(capacity: capacity)
        var decoder = ReferenceDecoder<Int>(capacity: capacity)
        for _ in 0..<2_000 {
            let key = Int.random(in: 0..<(capacity + 3), using: &generator)
            // When the encoder codes it and the decoder resolves the code
            if let reference = encoder.reference(for: key) {
                #expect(reference >= 1 && reference <= UInt64(capacity))
                #expect(decoder.value(at: reference) == key)
            } else {
                decoder.insert(key)
            }
        }
        #expect(decoder.value(at: 0) == nil)
        #expect(decoder.value(at: UInt64(capacity) + 1) == nil)
    }

    @Test
    func varintsAndZigzagRoundTripAtTheEdges() throws {
        let values: [UInt64] = [0, 1, 127, 128, 16_383, 16_384, UInt64(UInt32.max), UInt64(Int64.max), .max]
        for value in values {
            var writer = ByteWriter()
            writer.write(varint: value)
            var cursor = ByteCursor(writer.bytes, place: .header(offset: 0))
            #expect(try cursor.varint("value") == value)
            #expect(cursor.isAtEnd)
        }
        for value: Int64 in [0, -1, 1, .min, .max, -64, 64] {
            #expect(Varint.unzigzag(Varint.zigzag(value)) == value)
        }
        #expect(Varint.zigzag(-1) == 1 && Varint.zigzag(1) == 2)
    }

    @Test(arguments: [[0x80, 0x00], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02], [0x80], Array(repeating: 0x80, count: 11)])
    func malformedVarintsAreRefused(bytes: [UInt8]) {
        var cursor = ByteCursor(bytes, place: .frame(number: 3, offset: 0))
        #expect(throws: BundleError.self) { try cursor.varint("value") }
    }

    @Test
    func theWriterRefusesRecordsTheHeaderDoesNotCoverAndKeepsGoing() throws {
        // Given a bundle covering seqs 1…5 of the exporter in the first engagement
        let header = BundleHeader(
            exporterKey: team.exporter.publicKey, createdAt: 0, engagements: [team.engagements[0]],
            ranges: [OriginRange(origin: team.exporter.id, after: 0, through: 5)])
        let writer = try BundleWriter(header: header, exporter: team.exporter, sink: MemorySink())
        func change(seq: UInt64, engagement: EntityID? = nil, origin: ReplicaID? = nil, transaction: UInt64 = 1) -> Change {
            Change(
                origin: origin ?? team.exporter.id, seq: seq, stamp: Timestamp(rawValue: seq), transaction: transaction,
                engagement: engagement ?? team.engagements[0], kind: "note", entity: testEntity(1), field: "text", value: .null)
        }

        // Then out-of-range seqs, other engagements, other origins, invalid changes and evidence are refused
        for refused in [change(seq: 6), change(seq: 2, engagement: team.engagements[1]), change(seq: 1, origin: team.auditor.id), change(seq: 2, transaction: 3)] {
            #expect(throws: BundleError.self) { try writer.append(refused) }
        }
        #expect(throws: BundleError.self) { try writer.appendBlobChunk(digest: try BlobDigest(bytes: sha256([1])), totalSize: 1, offset: 0, bytes: [1]) }

        // And the writer still makes a valid bundle of what it accepted
        try writer.append(change(seq: 1))
        try writer.finish()
        #expect(try readBundle(writer.sink.bytes).records.count == 1)
        #expect(throws: BundleError.self) { try writer.append(change(seq: 2)) }
    }

    @Test
    func aHeaderForAnotherIdentityIsRefused() {
        let header = team.header(ranges: [])
        #expect(throws: BundleError.self) { _ = try BundleWriter(header: header, exporter: team.auditor, sink: MemorySink()) }
    }

    @Test
    func theHeaderCanBeReadWithoutTheBody() throws {
        let header = team.header(ranges: [OriginRange(origin: team.auditor.id, after: 3, through: 9)], includesEvidence: true)
        let bytes = try makeBundle(header: header, exporter: team.exporter, records: [])
        let reader = try BundleReader(source: MemorySource(Array(bytes.prefix(14 + 200))))
        #expect(reader.header == header)
        #expect(reader.header.range(of: team.auditor.id) == OriginRange(origin: team.auditor.id, after: 3, through: 9))
        #expect(reader.header.range(of: team.exporter.id) == nil)
    }

    @Test
    func originRangesBringAPeerUpToTheExporter() {
        let peer = VersionVector([team.exporter.id: 4, team.auditor.id: 9])
        let exporter = VersionVector([team.exporter.id: 10, team.auditor.id: 9, team.expert.id: 2])
        let ranges = OriginRange.covering(from: peer, to: exporter)
        #expect(Set(ranges) == [
            OriginRange(origin: team.exporter.id, after: 4, through: 10), OriginRange(origin: team.expert.id, after: 0, through: 2),
        ])
    }
}

struct RedactedChangeTests {
    @Test func redactedChangesRoundTripBetweenFullChangesOfTheSameOrigin() throws {
        let team = Team()
        var stream = team.stream(seed: 77)
        let changes = (0..<6).map { _ in stream.next() }.filter { $0.origin == team.exporter.id }
        guard changes.count >= 2 else { return }
        let last = changes.last!
        let hidden = ChangeID(origin: last.origin, seq: last.seq + 1)
        let after = ChangeID(origin: last.origin, seq: last.seq + 2)
        let content = last.contentDigest
        var next = last
        next.seq = after.seq
        next.transaction = after.seq
        let records: [BundleRecord] = changes.map { .change($0) } + [.redacted(hidden, content), .change(next)]
        let ranges = [OriginRange(origin: team.exporter.id, after: changes[0].seq - 1, through: after.seq)]
        let bytes = try makeBundle(header: team.header(ranges: ranges), exporter: team.exporter, records: records)
        let read = try readBundle(bytes)
        #expect(read.records.map(fingerprint) == records.map(fingerprint))
        #expect(read.summary.changes == UInt64(records.count))
    }
}
