import Replication
import TestSupport
import Testing

@testable import BundleFormat

/// Damaged, truncated, tampered and malformed bundles: each gets a `BundleError` that says what
/// and where, never a crash, never a silently accepted record.
struct HostileBundleTests {
    let team = Team()

    /// A bundle with every kind of record: 60 changes, two evidence chunks, two checkpoints.
    func sampleRecords() -> (header: BundleHeader, records: [BundleRecord]) {
        var stream = team.stream(seed: 77)
        let header = team.header(ranges: stream.ranges(), includesEvidence: true)
        let changes = stream.take(60)
        let file = Array("objective evidence: signed management review minutes, 2026-03-02".utf8)
        let digest = try! BlobDigest(bytes: sha256(file))
        var records: [BundleRecord] = changes.prefix(30).map { .change($0) }
        records.append(.blobChunk(BlobChunk(digest: digest, totalSize: UInt64(file.count), offset: 0, bytes: Array(file.prefix(40)))))
        records.append(.blobChunk(BlobChunk(digest: digest, totalSize: UInt64(file.count), offset: 40, bytes: Array(file.dropFirst(40)))))
        records += changes.suffix(30).map { .change($0) }
        for identity in [team.exporter, team.auditor] {
            let last = changes.last { $0.origin == identity.id }!
            records.append(.checkpoint(Checkpoint.sign(seq: last.seq, hash: ChangeHash.of(last, after: .genesis), by: identity)))
        }
        return (header, records)
    }

    func sampleBundle() throws -> [UInt8] {
        let sample = sampleRecords()
        return try makeBundle(header: sample.header, exporter: team.exporter, records: sample.records)
    }

    /// A signed bundle whose body `build` writes by hand.
    func crafted(evidence: Bool = false, _ build: (BundleWriter<MemorySink>) throws -> Void) throws -> [UInt8] {
        let header = team.header(ranges: [OriginRange(origin: team.exporter.id, after: 0, through: 100)], includesEvidence: evidence)
        let writer = try BundleWriter(header: header, exporter: team.exporter, sink: MemorySink())
        try build(writer)
        return writer.sink.bytes
    }

    // MARK: - Damage anywhere

    @Test
    func theSampleBundleReadsCleanly() throws {
        let sample = sampleRecords()
        let read = try readBundle(try sampleBundle())
        #expect(read.records.map(fingerprint) == sample.records.map(fingerprint))
    }

    @Test(arguments: 0..<4)
    func everyBitFlipAnywhereIsRefused(seed: UInt64) throws {
        // Given a valid bundle
        let bytes = try sampleBundle()
        var generator = SeededGenerator(seed: 1_000 + seed)
        for _ in 0..<100 {
            // When one random bit of it flips
            var damaged = bytes
            let offset = Int.random(in: damaged.indices, using: &generator)
            damaged[offset] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
            // Then reading it fails with a BundleError
            #expect(readingError(damaged) != nil, "a flip at byte \(offset) of \(bytes.count) was accepted")
        }
    }

    @Test
    func aBundleCutAtAnyByteIsRefused() throws {
        let bytes = try sampleBundle()
        for length in 0..<bytes.count {
            #expect(readingError(Array(bytes.prefix(length))) != nil, "a bundle cut to \(length) bytes was accepted")
        }
    }

    @Test
    func aSignedBodyCutAtAnyFrameBoundaryIsRefused() throws {
        // Given bundles whose body stops after k frames, properly compressed and signed
        let sample = sampleRecords()
        for kept in 0...sample.records.count {
            let writer = try BundleWriter(header: sample.header, exporter: team.exporter, sink: MemorySink())
            for record in sample.records.prefix(kept) { try writer.append(record) }
            try writer.finishWithoutEndFrame()
            // Then the reader names the last whole frame
            #expect(readingError(writer.sink.bytes) == .incompleteBody(afterFrame: kept, reason: "the body ends without an end frame"))
        }
    }

    @Test
    func bytesAfterTheTrailerAreRefused() throws {
        let bytes = try sampleBundle()
        #expect(readingError(bytes + [0]) == .trailingBytes(offset: bytes.count))
    }

    @Test
    func afterAnErrorTheReaderKeepsReportingIt() throws {
        var bytes = try sampleBundle()
        bytes[bytes.count - 1] ^= 0xff
        let reader = try BundleReader(source: MemorySource(bytes))
        let first = #expect(throws: BundleError.self) { while try reader.next() != nil {} }
        let second = #expect(throws: BundleError.self) { _ = try reader.next() }
        #expect(first == second)
    }

    // MARK: - Header

    @Test
    func aNewerFormatVersionIsRefusedNamingBothVersionsBeforeAnythingElseIsRead() throws {
        // Given the first ten bytes of a version-2 bundle, and nothing after them
        let bytes = Array(try sampleBundle().prefix(10))
        let newer = Array(bytes.prefix(8)) + [0, 2]

        // Then the version is the error, not the missing header
        let error = readingError(newer)
        #expect(error == .unsupportedVersion(found: 2, newestSupported: 1))
        #expect(error?.description.contains("version 2 is newer than this build reads (up to 1)") == true)
        #expect(readingError(Array(bytes.prefix(8)) + [0, 0]) == .unsupportedVersion(found: 0, newestSupported: 1))
    }

    @Test
    func aFileThatIsNotABundleIsNamedAsSuch() {
        #expect(readingError(Array("PK\u{3}\u{4} a zip file".utf8)) == .notABundle(found: Array("PK\u{3}\u{4} a z".utf8)))
        #expect(readingError([]) == .truncated(what: "the magic", offset: 0))
        #expect(readingError(Array("FABUN".utf8)) == .truncated(what: "the magic", offset: 5))
    }

    @Test
    func anUnknownRequiredCapabilityIsRefusedAndAnUnknownOptionalOneIgnored() throws {
        let required = team.header(ranges: [], capabilities: [BundleCapability(name: "merkle-index-v3", isRequired: true)])
        let optional = team.header(ranges: [], capabilities: [BundleCapability(name: "progress-hints", isRequired: false)])
        #expect(readingError(try makeBundle(header: required, exporter: team.exporter, records: [])) == .unsupportedCapability("merkle-index-v3"))
        #expect(try readBundle(try makeBundle(header: optional, exporter: team.exporter, records: [])).header == optional)
    }

    @Test
    func anExporterIdThatIsNotDerivedFromTheKeyIsRefused() throws {
        // Header fields start at byte 14: flags (2), capability count (1), key (32), then the id
        var bytes = try makeBundle(header: team.header(ranges: []), exporter: team.exporter, records: [])
        bytes[14 + 3 + 32] ^= 0x01
        guard case .exporterMismatch(_, let derived) = readingError(bytes) else {
            Issue.record("expected exporterMismatch")
            return
        }
        #expect(derived == team.exporter.id)
    }

    @Test
    func anOversizedHeaderLengthIsRefusedWithoutReadingIt() throws {
        var bytes = try sampleBundle()
        bytes.replaceSubrange(10..<14, with: [0xff, 0xff, 0xff, 0xff])
        #expect(readingError(bytes) == .malformedHeader(reason: "the header length 4294967295 is above the limit of 4194304", offset: 10))
    }

    // MARK: - Trailer

    @Test
    func aTrailerSignedByAnotherKeyIsRefused() throws {
        var bytes = try sampleBundle()
        let digest = Array(bytes[(bytes.count - 96)..<(bytes.count - 64)])
        bytes.replaceSubrange((bytes.count - 64)..., with: team.auditor.sign(BundleLayout.bundleSignatureDomain + digest))
        #expect(readingError(bytes) == .badSignature(exporter: team.exporter.id))
    }

    @Test
    func anAlteredDigestIsRefused() throws {
        var bytes = try sampleBundle()
        bytes[bytes.count - 70] ^= 0x10
        guard case .digestMismatch = readingError(bytes) else {
            Issue.record("expected digestMismatch")
            return
        }
    }

    // MARK: - Frames

    @Test
    func aForgedCheckpointIsRefusedByTheWriterAndTheReader() throws {
        // Given a checkpoint that claims the exporter's key but is signed by the auditor
        let hash = try ChangeHash(bytes: [UInt8](repeating: 7, count: 32))
        let message = Checkpoint.message(origin: team.exporter.id, seq: 3, hash: hash)
        let forged = try Checkpoint(
            signerPublicKey: Array(team.exporter.publicKey.rawRepresentation), seq: 3, hash: hash, signature: team.auditor.sign(message))
        #expect(!forged.isValid)
        #expect(throws: BundleError.forgedCheckpoint(origin: team.exporter.id, seq: 3, frame: nil)) {
            try forged.verify(publicKey: team.exporter.publicKey)
        }

        // Then the writer refuses it, and a reader refuses it when it is smuggled in
        #expect(throws: BundleError.self) { _ = try crafted { try $0.append(forged) } }
        let bytes = try crafted { writer in
            try writer.appendRawFrame(type: FrameType.checkpoint.rawValue, payload: FrameEncoder.encode(forged))
            try writer.finishWithoutEndFrame()
        }
        #expect(readingError(bytes) == .forgedCheckpoint(origin: team.exporter.id, seq: 3, frame: 1))
    }

    @Test
    func anUnknownFrameTypeIsRefused() throws {
        let bytes = try crafted { writer in
            try writer.append(Checkpoint.sign(seq: 1, hash: .genesis, by: team.exporter))
            try writer.appendRawFrame(type: 9, payload: [1, 2, 3])
            try writer.finish()
        }
        guard case .unknownFrameType(9, frame: 2, _) = readingError(bytes) else {
            Issue.record("expected unknownFrameType(9) in frame 2, got \(String(describing: readingError(bytes)))")
            return
        }
    }

    @Test
    func anOversizedFrameLengthIsRefusedWithoutReadingIt() throws {
        // 16 MiB + 1 as a varint: 0x81 0x80 0x80 0x08
        let bytes = try crafted { writer in
            try writer.appendRawBody([FrameType.change.rawValue, 0x81, 0x80, 0x80, 0x08])
            try writer.finishWithoutEndFrame()
        }
        #expect(readingError(bytes) == .limitExceeded(what: "frame length", found: 16_777_217, limit: 16_777_216, frame: 1, offset: 0))
    }

    @Test
    func aBadVarintInsideAChangeIsRefused() throws {
        let bytes = try crafted { writer in
            try writer.appendRawFrame(type: FrameType.change.rawValue, payload: [0] + [UInt8](repeating: 0xff, count: 10) + [0x7f])
            try writer.finish()
        }
        guard case let .malformedFrame(1, 0, reason) = readingError(bytes) else {
            Issue.record("expected malformedFrame in frame 1")
            return
        }
        #expect(reason.contains("seq delta: varint"))
    }

    /// A change payload by hand: origin 0, seq 1, stamp 0, transaction 1, a new entity.
    func handmadeChange(kind: [UInt8], seqDelta: Int64 = 1, supersedes: [UInt8] = [0]) -> [UInt8] {
        var writer = ByteWriter()
        writer.write(varint: 0)
        writer.write(zigzag: seqDelta)
        writer.write(zigzag: 0)
        writer.write(zigzag: 0)
        writer.write(varint: 0)
        writer.write(varint: 0)  // new entity
        writer.write(zigzag: 0)
        writer.write(raw: [UInt8](repeating: 0xab, count: 10))
        writer.write(varint: 0)  // kind, written in full
        writer.write(varintPrefixed: kind)
        writer.write(varint: 0)  // engagement 0
        writer.write(varint: 0)  // field, written in full
        writer.write(varintPrefixed: Array("title".utf8))
        writer.write(Value.Tag.null.rawValue)
        writer.write(raw: supersedes)
        return writer.bytes
    }

    @Test
    func aHandmadeChangeFrameReads() throws {
        let bytes = try crafted { writer in
            try writer.appendRawFrame(type: FrameType.change.rawValue, payload: handmadeChange(kind: Array("note".utf8)))
            try writer.appendRawFrame(type: FrameType.end.rawValue, payload: [1, 0, 0, 0])
            try writer.finishWithoutEndFrame()
        }
        let read = try readBundle(bytes)
        guard case let .change(change) = read.records.first else {
            Issue.record("expected a change")
            return
        }
        #expect(change.kind == "note" && change.seq == 1 && change.field == "title")
    }

    @Test
    func invalidUTF8InANameIsRefused() throws {
        let bytes = try crafted { writer in
            try writer.appendRawFrame(type: FrameType.change.rawValue, payload: handmadeChange(kind: [0xc3, 0x28]))
            try writer.finish()
        }
        guard case let .malformedFrame(1, _, reason) = readingError(bytes) else {
            Issue.record("expected malformedFrame in frame 1")
            return
        }
        #expect(reason.contains("entity kind is not valid UTF-8"))
    }

    @Test
    func aChangeOutsideTheHeadersRangesIsRefused() throws {
        let bytes = try crafted { writer in
            try writer.appendRawFrame(type: FrameType.change.rawValue, payload: handmadeChange(kind: Array("note".utf8), seqDelta: 101))
            try writer.finish()
        }
        #expect(readingError(bytes) == .outsideHeader(
            frame: 1, change: ChangeID(origin: team.exporter.id, seq: 101),
            reason: "its seq is outside \(OriginRange(origin: team.exporter.id, after: 0, through: 100))"))
    }

    @Test
    func anAbsurdSupersedesCountIsRefusedWithoutAllocating() throws {
        var huge = ByteWriter()
        huge.write(varint: UInt64(Int64.max))
        let bytes = try crafted { writer in
            try writer.appendRawFrame(type: FrameType.change.rawValue, payload: handmadeChange(kind: Array("note".utf8), supersedes: huge.bytes))
            try writer.finish()
        }
        guard case .limitExceeded(what: "supersedes count", _, _, frame: 1, _) = readingError(bytes) else {
            Issue.record("expected limitExceeded, got \(String(describing: readingError(bytes)))")
            return
        }
    }

    @Test
    func aBlobChunkInABundleWithoutEvidenceIsRefused() throws {
        let chunk = BlobChunk(digest: try BlobDigest(bytes: sha256([1])), totalSize: 1, offset: 0, bytes: [1])
        let bytes = try crafted(evidence: false) { writer in
            try writer.appendRawFrame(type: FrameType.blobChunk.rawValue, payload: FrameEncoder.encode(chunk))
            try writer.finish()
        }
        guard case .malformedFrame(1, _, _) = readingError(bytes) else {
            Issue.record("expected malformedFrame")
            return
        }
    }

    @Test
    func anEndFrameWhoseCountsDisagreeIsRefused() throws {
        let bytes = try crafted { writer in
            try writer.append(Checkpoint.sign(seq: 1, hash: .genesis, by: team.exporter))
            try writer.appendRawFrame(type: FrameType.end.rawValue, payload: [0, 0, 0, 0])
            try writer.finishWithoutEndFrame()
        }
        guard case .incompleteBody(afterFrame: 2, _) = readingError(bytes) else {
            Issue.record("expected incompleteBody after frame 2")
            return
        }
    }

    @Test
    func framesAfterTheEndFrameAreRefused() throws {
        let bytes = try crafted { writer in
            try writer.appendRawFrame(type: FrameType.end.rawValue, payload: [0, 0, 0, 0])
            try writer.append(Checkpoint.sign(seq: 1, hash: .genesis, by: team.exporter))
            try writer.finishWithoutEndFrame()
        }
        #expect(readingError(bytes) == .incompleteBody(afterFrame: 1, reason: "data follows the end frame"))
    }
}
