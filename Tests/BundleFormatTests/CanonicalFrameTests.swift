import Replication
import TestSupport
import Testing

@testable import BundleFormat

/// Every change has one encoding in a frame (`Sync/PROTOCOL.md` §13.4): a reader refuses the
/// choices a writer must not make, so independent writers produce the same bytes.
struct CanonicalFrameTests {
    let team = Team()

    /// A bundle whose only range is the exporter's (0, 100] and whose body is `frames`, each a
    /// change frame payload written by hand.
    func bundle(_ frames: [[UInt8]]) throws -> [UInt8] {
        let header = team.header(ranges: [OriginRange(origin: team.exporter.id, after: 0, through: 100)])
        let writer = try BundleWriter(header: header, exporter: team.exporter, sink: MemorySink())
        for frame in frames { try writer.appendRawFrame(type: FrameType.change.rawValue, payload: frame) }
        try writer.finishWithoutEndFrame()
        return writer.sink.bytes
    }

    /// Change 2 of the exporter: a new note entity (time 1 ms), field "text", null, then `supersedes`.
    func firstChange(supersedes: [UInt8]) -> [UInt8] {
        [0, 4, 0xd0, 0x0f, 0, 0, 0, 2] + [UInt8](repeating: 0x11, count: 10) + [0, 4] + Array("note".utf8) + [0]
            + [0, 4] + Array("text".utf8) + [0] + supersedes
    }

    func reason(_ bytes: [UInt8], frame: Int) -> String? {
        guard case let .malformedFrame(found, _, reason) = readingError(bytes), found == frame else { return nil }
        return reason
    }

    @Test func aSupersededOriginWithARangeWrittenInFullIsRefused() throws {
        // code r + 1 = 2, then the exporter's 16 bytes and seq 1: the exporter has range 0
        let bytes = try bundle([firstChange(supersedes: [1, 2] + team.exporter.id.bytes + [1])])
        #expect(reason(bytes, frame: 1)?.contains("has a range in the header") == true)
    }

    @Test func theChangesOwnOriginWrittenAsItsRangeCodeIsRefused() throws {
        // code 1 (range 0, the change's own origin), seq 1: own-origin ids are written with code 0
        let bytes = try bundle([firstChange(supersedes: [1, 1, 1])])
        #expect(reason(bytes, frame: 1)?.contains("written as code 0") == true)
    }

    @Test func theCanonicalCodesRead() throws {
        // code 0 with seq delta 1 (zigzag 2), and a foreign origin written in full (code 2)
        let foreign = testIdentity(299).id
        let own: [UInt8] = [0, 2], other: [UInt8] = [2] + foreign.bytes + [5]
        let foreignFirst = ChangeID(origin: foreign, seq: 5) < ChangeID(origin: team.exporter.id, seq: 1)
        let bytes = try bundle([firstChange(supersedes: [2] + (foreignFirst ? other + own : own + other))])
        guard case let .incompleteBody(afterFrame: 1, _) = readingError(bytes) else {
            Issue.record("expected the change to decode and the body to end without an end frame, got \(String(describing: readingError(bytes)))")
            return
        }
    }

    @Test func anEntityCodeThatRepeatsTheKindAndEngagementItEnteredWithIsRefused() throws {
        // Frame 2: seq 3, same ms, counter + 1, transaction 3, entity 2·1 + 1 with kind "note"
        // (name reference 2) and engagement 0, which the entity entered the table with
        let second: [UInt8] = [0, 2, 0, 2, 0, 3, 2, 0, 1, 0, 0]
        let bytes = try bundle([firstChange(supersedes: [0]), second])
        #expect(reason(bytes, frame: 2)?.contains("repeats the kind and engagement") == true)
        // With code 2 (the table's kind and engagement), it reads
        let plain: [UInt8] = [0, 2, 0, 2, 0, 2, 1, 0, 0]
        guard case .incompleteBody(afterFrame: 2, _) = readingError(try bundle([firstChange(supersedes: [0]), plain])) else {
            Issue.record("expected both changes to decode")
            return
        }
    }
}
