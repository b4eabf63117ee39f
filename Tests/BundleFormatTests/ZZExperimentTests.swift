import Foundation
import Replication
import TestSupport
import Testing
@testable import BundleFormat

struct ZZExperimentTests {
    @Test(arguments: [0, 1, 2])
    func experiment(variant: Int) throws {
        let team = Team()
        let count = 50_000
        var stream = team.stream(seed: 42, mix: .englishText(bytes: 60))
        let header = team.header(ranges: stream.ranges())
        let writer = try BundleWriter(header: header, exporter: team.exporter, sink: CountingSink(), compressionLevel: variant == 1 ? 6 : 9)
        var gzip = try GzipCounter(level: 6)
        var textOnly = try GzipCounter(level: 9)
        var g = SeededGenerator(seed: 5)
        let syll = ["ka","ri","to","men","sa","lu","por","an","ex","qui","del","ver","ost","ip","ur","ne","gal","fo","mi","tre"]
        for _ in 0..<count {
            var change = stream.next()
            if variant == 2, case .text = change.value {
                var text = ""
                while text.utf8.count < 60 { text += (text.isEmpty ? "" : " ") + (0..<Int.random(in: 1...4, using: &g)).map { _ in syll.randomElement(using: &g)! }.joined() }
                change.value = .text(String(text.prefix(60)))
            }
            try writer.append(change)
            try gzip.append(Array(CompactnessBenchmarkTests().ndjsonLine(change).utf8))
            if case let .text(t) = change.value { try textOnly.append(Array(t.utf8)) }
        }
        try writer.finish()
        let n = try gzip.finish(), t = try textOnly.finish()
        print("variant \(variant): bundle \(Double(writer.sink.count)/Double(count)) ndjson \(Double(n)/Double(count)) textonly \(Double(t)/Double(count)) ratio \(Double(writer.sink.count)/Double(n))")
    }
}
