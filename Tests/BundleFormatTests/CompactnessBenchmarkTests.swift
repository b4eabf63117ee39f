import CZlib
import Foundation
import Replication
import TestSupport
import Testing

@testable import BundleFormat

/// Bytes per change against the obvious alternative, NDJSON compressed with gzip -6 (what the
/// issue measured at 66 bytes a change). A benchmark in the test suite only because it asserts
/// the bound the format was designed to: at most 0.6 of the gzipped NDJSON.
struct CompactnessBenchmarkTests {
    @Test
    func aBundleTakesAtMostSixTenthsOfGzippedNDJSON() throws {
        // Given 100,000 changes by three auditors with 60-byte English-like notes
        let team = Team()
        let count = 100_000
        var stream = team.stream(seed: 42, mix: .englishText(bytes: 60))
        let header = team.header(ranges: stream.ranges())
        let writer = try BundleWriter(header: header, exporter: team.exporter, sink: CountingSink())
        var gzip = try GzipCounter(level: 6)

        // When the same changes go into a bundle and into NDJSON + gzip -6
        for _ in 0..<count {
            let change = stream.next()
            try writer.append(change)
            try gzip.append(Array(ndjsonLine(change).utf8))
        }
        try writer.finish()
        let ndjsonBytes = try gzip.finish()
        let bundleBytes = writer.sink.count

        // Then the bundle is at most 0.6 of the NDJSON
        let ratio = Double(bundleBytes) / Double(ndjsonBytes)
        print(
            "bundle: \(String(format: "%.1f", Double(bundleBytes) / Double(count))) bytes/change; "
                + "NDJSON + gzip -6: \(String(format: "%.1f", Double(ndjsonBytes) / Double(count))) bytes/change; "
                + "ratio \(String(format: "%.2f", ratio))")
        #expect(ratio <= 0.6)
    }

    /// One change as a line of compact JSON, with every field a reader needs (hashes are derived).
    func ndjsonLine(_ change: Change) -> String {
        let supersedes = change.supersedes.map { #"{"origin":"\#($0.origin.hex)","seq":\#($0.seq)}"# }.joined(separator: ",")
        let value: String = switch change.value {
        case let .text(text): #"{"type":"text","value":"\#(text)"}"#
        case let .integer(integer): #"{"type":"integer","value":\#(integer)}"#
        default: #"{"type":"null"}"#
        }
        return #"{"origin":"\#(change.origin.hex)","seq":\#(change.seq),"stamp":\#(change.stamp.rawValue),"transaction":\#(change.transaction),"engagement":"\#(change.engagement)","kind":"\#(change.kind)","entity":"\#(change.entity)","field":"\#(change.field)","value":\#(value),"supersedes":[\#(supersedes)]}"# + "\n"
    }
}

/// Counts the bytes `gzip -6` would make of a stream, through zlib with a gzip wrapper.
struct GzipCounter {
    private let deflater: Deflater
    private var pending: [UInt8] = []
    private(set) var count = 0

    init(level: Int32) throws {
        deflater = try Deflater(level: level, windowBits: 31, memoryLevel: 8)
    }

    mutating func append(_ bytes: [UInt8]) throws {
        pending += bytes
        if pending.count >= 64 << 10 { try flush(finish: false) }
    }

    mutating func finish() throws -> Int {
        try flush(finish: true)
        return count
    }

    private mutating func flush(finish: Bool) throws {
        var total = 0
        try deflater.compress(pending, finish: finish) { (piece) throws(BundleError) in total += piece.count }
        count += total
        pending.removeAll(keepingCapacity: true)
    }
}
