import Foundation
import Replication
import TestSupport
import Testing

@testable import BundleFormat

/// Bundles stream: the reader copes with any split of its input, and neither side holds more than
/// a bounded amount, whatever the bundle's size.
struct StreamingTests {
    let team = Team()

    func sample(seed: UInt64, count: Int) throws -> (records: [BundleRecord], bytes: [UInt8]) {
        var stream = team.stream(seed: seed, gapChance: 0.02)
        let header = team.header(ranges: stream.ranges())
        let records = stream.take(count).map { BundleRecord.change($0) }
        return (records, try makeBundle(header: header, exporter: team.exporter, records: records))
    }

    @Test
    func aReaderFedOneByteAtATimeReadsTheSameRecords() throws {
        let (records, bytes) = try sample(seed: 5, count: 400)
        let read = try readBundle(ChunkedSource(bytes, seed: 1, maximum: 1))
        #expect(read.records.map(fingerprint) == records.map(fingerprint))
        #expect(read.summary.byteCount == UInt64(bytes.count))
    }

    @Test(arguments: [(seed: 2, maximum: 7), (seed: 3, maximum: 100), (seed: 4, maximum: 5_000), (seed: 5, maximum: 200_000)])
    func aReaderFedRandomPiecesReadsTheSameRecords(seed: UInt64, maximum: Int) throws {
        let (records, bytes) = try sample(seed: 6, count: 3_000)
        let read = try readBundle(ChunkedSource(bytes, seed: seed, maximum: maximum))
        #expect(read.records.map(fingerprint) == records.map(fingerprint))
    }

    @Test
    func twoHundredThousandChangesStreamThroughAFileInBoundedMemory() throws {
        // Given a bundle of 200,000 changes written straight to a file, never held in memory
        let count = 200_000
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bundle-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("large.fabundle")
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)

        var written = team.stream(seed: 11, mix: .englishText(bytes: 60))
        let header = team.header(ranges: written.ranges())
        let output = try FileHandle(forWritingTo: url)
        let writer = try BundleWriter(header: header, exporter: team.exporter, sink: FileHandleSink(output))
        for _ in 0..<count { try writer.append(written.next()) }
        let summary = try writer.finish()
        try output.close()

        // When it is read back from the file
        let input = try FileHandle(forReadingFrom: url)
        defer { try? input.close() }
        let reader = try BundleReader(source: FileHandleSource(input))
        var expected = team.stream(seed: 11, mix: .englishText(bytes: 60))
        var read = 0
        while let record = try reader.next() {
            guard case let .change(change) = record, fingerprint(change) == fingerprint(expected.next()) else {
                Issue.record("record \(read + 1) differs from what was written")
                return
            }
            read += 1
        }

        // Then every change came back, and the reader never buffered more than a few chunks
        #expect(read == count)
        #expect(reader.summary == summary)
        #expect(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int == Int(summary.byteCount))
        #expect(reader.peakBufferedBytes <= 4 * BundleLayout.streamChunkLength, "buffered \(reader.peakBufferedBytes) bytes")
    }

    @Test
    func theWriterHandsTheSinkSmallPiecesWhateverTheBundleSize() throws {
        var stream = team.stream(seed: 12, mix: .englishText(bytes: 60))
        let writer = try BundleWriter(header: team.header(ranges: stream.ranges()), exporter: team.exporter, sink: CountingSink())
        for _ in 0..<30_000 { try writer.append(stream.next()) }
        try writer.finish()
        #expect(writer.sink.largestWrite <= BundleLayout.streamChunkLength)
        #expect(writer.sink.count > 4 * BundleLayout.streamChunkLength)
    }
}
