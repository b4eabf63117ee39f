import Replication
import TestSupport
import Testing

@testable import BundleFormat

/// Bundles that would cost a reader far more than they cost their sender (`Sync/PROTOCOL.md`
/// §17): checkpoints repeated thousands of times, checkpoints of origins the header does not
/// cover, redacted changes packed far denser than honest ones can be. Each is refused after a
/// bounded amount of work, counted in frames and signature checks, never timed.
struct CostlyBundleTests {
    let team = Team()

    /// A signed bundle whose header gives the exporter the range (0, `through`] and whose body
    /// `build` writes by hand.
    func crafted(through: UInt64 = 100, _ build: (BundleWriter<MemorySink>) throws -> Void) throws -> [UInt8] {
        let header = team.header(ranges: [OriginRange(origin: team.exporter.id, after: 0, through: through)])
        let writer = try BundleWriter(header: header, exporter: team.exporter, sink: MemorySink())
        try build(writer)
        return writer.sink.bytes
    }

    /// Reads `bytes` to its first error; returns the error and how many checkpoint signatures the
    /// reader verified on the way.
    func read(_ bytes: [UInt8]) throws -> (error: BundleError?, signatureChecks: Int) {
        let reader = try BundleReader(source: MemorySource(bytes))
        do {
            while try reader.next() != nil {}
            return (nil, reader.checkpointSignatureChecks)
        } catch {
            return (error, reader.checkpointSignatureChecks)
        }
    }

    @Test func twentyThousandCopiesOfOneCheckpointAreRefusedAtTheSeventeenthAfterOneSignatureCheck() throws {
        // Given 20,000 copies of one valid checkpoint (a 10 KiB file once compressed)
        let checkpoint = Checkpoint.sign(seq: 1, hash: .genesis, by: team.exporter)
        let bytes = try crafted { writer in
            for _ in 0..<20_000 { try writer.appendRawFrame(type: FrameType.checkpoint.rawValue, payload: FrameEncoder.encode(checkpoint)) }
            try writer.finishWithoutEndFrame()
        }
        #expect(bytes.count < 20_000)

        // When it is read
        let (error, checks) = try read(bytes)

        // Then the 17th copy is refused, past the limit of 16 per origin, and the signature was
        // verified once: a copy of a checkpoint already verified is not verified again
        guard case let .limitExceeded(what, found, limit, frame, _) = error else {
            Issue.record("expected limitExceeded, got \(String(describing: error))")
            return
        }
        #expect(what.contains("checkpoints signed by \(team.exporter.id.short)"))
        #expect(found == 17 && limit == BundleLayout.maximumCheckpointsPerOrigin && frame == 17)
        #expect(checks == 1)
        #expect(error!.description.contains("above the limit of 16"))
    }

    @Test func distinctCheckpointsOfOneOriginEachHaveTheirSignatureVerified() throws {
        let checkpoints = (1...3).map { Checkpoint.sign(seq: UInt64($0), hash: .genesis, by: team.exporter) }
        let bytes = try crafted { writer in
            for checkpoint in checkpoints + checkpoints { try writer.append(checkpoint) }
            try writer.finish()
        }
        let (error, checks) = try read(bytes)
        #expect(error == nil)
        #expect(checks == 3)
    }

    /// Reads a bundle (the exporter's range ending at `through`) whose one frame is `checkpoint`;
    /// returns why its frame 1 is malformed (`nil` if it is not) and the signatures checked.
    func readLone(_ checkpoint: Checkpoint, through: UInt64 = 100) throws -> (reason: String?, signatureChecks: Int) {
        let bytes = try crafted(through: through) { writer in
            try writer.appendRawFrame(type: FrameType.checkpoint.rawValue, payload: FrameEncoder.encode(checkpoint))
            try writer.finishWithoutEndFrame()
        }
        let (error, checks) = try read(bytes)
        guard case let .malformedFrame(1, _, reason) = error else { return (nil, checks) }
        return (reason, checks)
    }

    @Test func aCheckpointOfAnOriginWithoutARangeIsRefusedBeforeItsSignatureIsChecked() throws {
        let (reason, checks) = try readLone(Checkpoint.sign(seq: 1, hash: .genesis, by: testIdentity(299)))
        #expect(reason?.contains("no range in the header") == true)
        #expect(checks == 0)
    }

    @Test func aCheckpointBeyondItsOriginsRangeIsRefusedBeforeItsSignatureIsChecked() throws {
        let (reason, checks) = try readLone(Checkpoint.sign(seq: 6, hash: .genesis, by: team.exporter), through: 5)
        #expect(reason?.contains("beyond the origin's range") == true)
        #expect(checks == 0)
    }

    @Test func redactedChangesPackedDenserThanHonestOnesAreRefused() throws {
        // Given 100,000 redacted changes that all carry one digest: a small file
        let content = try ContentDigest(bytes: [UInt8](repeating: 7, count: 32))
        let count = 100_000
        let bytes = try crafted(through: UInt64(count)) { writer in
            for seq in 1...UInt64(count) { try writer.appendRedacted(ChangeID(origin: team.exporter.id, seq: seq), content: content) }
            try writer.finish()
        }
        let limit = BundleLayout.maximumRedactedChanges(inBundleOf: UInt64(bytes.count))
        #expect(limit < UInt64(count))

        // Then reading it is refused, naming the count, the limit and the size
        #expect(readingError(bytes) == .tooManyRedactedChanges(found: UInt64(count), limit: limit, bundleBytes: UInt64(bytes.count)))
    }

    @Test func honestRedactedChangesStayWithinTheLimit() throws {
        // Given 5,000 redacted changes, each with its own digest, as an exporter writes them
        var generator = SeededGenerator(seed: 5)
        let count = 5_000
        let bytes = try crafted(through: UInt64(count)) { writer in
            for seq in 1...UInt64(count) {
                try writer.appendRedacted(ChangeID(origin: team.exporter.id, seq: seq), content: try ContentDigest(bytes: generator.bytes(32)))
            }
            try writer.finish()
        }
        // Then the bundle reads, with room to spare
        #expect(readingError(bytes) == nil)
        #expect(BundleLayout.maximumRedactedChanges(inBundleOf: UInt64(bytes.count)) >= UInt64(count) * 3 / 2)
    }

    @Test func aFrameLengthLongerThanFourBytesIsMalformedNotAboveTheLimit() throws {
        // 80 80 80 80 00: a length that is 0 but goes on past the 4 bytes a length may take
        let bytes = try crafted { writer in
            try writer.appendRawBody([FrameType.change.rawValue, 0x80, 0x80, 0x80, 0x80, 0x00])
            try writer.finishWithoutEndFrame()
        }
        guard case let .malformedFrame(1, 0, reason) = readingError(bytes) else {
            Issue.record("expected malformedFrame in frame 1, got \(String(describing: readingError(bytes)))")
            return
        }
        #expect(reason.contains("past 4 bytes"))
        #expect(!readingError(bytes)!.description.contains("above the limit"))
    }
}
