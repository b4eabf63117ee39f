import FieldAudit
import Foundation
import TestSupport
import Testing

/// The laws of `--redact`: every match is masked and counted, and not one byte outside a match
/// changes, for text and for binary output alike.
struct RedactorTests {
    /// Random bytes (binary, never UTF-8 by design of the 0xFF bytes) or random ASCII-and-accents text.
    func filler(_ generator: inout SeededGenerator, text: Bool) -> [UInt8] {
        let count = Int.random(in: 0...40, using: &generator)
        guard text else { return generator.bytes(count).map { $0 == UInt8(ascii: "S") ? 0xFF : $0 } }
        let alphabet = Array("abc xyz\n\té€-=:".unicodeScalars)
        return Array(String(String.UnicodeScalarView((0..<count).map { _ in alphabet.randomElement(using: &generator)! })).utf8)
    }

    @Test func secretsPlantedAnywhereAreAllMaskedAndCountedAndNothingElseChanges() throws {
        let redactor = try Redactor(patterns: ["SECRET-[0-9]+"])
        var generator = SeededGenerator(seed: 22)
        for round in 0..<400 {
            let text = round.isMultiple(of: 2)
            var input: [UInt8] = [], expected: [UInt8] = []
            let secrets = Int.random(in: 0...4, using: &generator)
            for index in 0...secrets {
                let piece = filler(&generator, text: text)
                input += piece
                expected += piece
                guard index < secrets else { break }
                input += Array("SECRET-\(UInt32.random(in: 0...UInt32.max, using: &generator))".utf8)
                expected += Array("[REDACTED]".utf8)
                // A digit right after the secret would join it: keep them apart.
                input += [UInt8(ascii: " ")]
                expected += [UInt8(ascii: " ")]
            }
            let (output, redactions) = redactor.redact(input)
            #expect(output == expected, "round \(round)")
            #expect(redactions == [.init(pattern: "SECRET-[0-9]+", matches: secrets)], "round \(round)")
        }
    }

    @Test func aPatternThatNeverMatchesLeavesAnyOutputByteForByte() throws {
        let redactor = try Redactor(patterns: ["never-\u{1F600}-matches"])
        var generator = SeededGenerator(seed: 7)
        for length in [0, 1, 2, 3, 255, 4096] {
            let input = generator.bytes(length)
            #expect(redactor.redact(input).output == input, "\(length) bytes")
        }
    }

    @Test func theArgvIsMaskedWithTheSameCounts() throws {
        let redactor = try Redactor(patterns: ["Bearer \\S+", "pw=\\w+"])
        let (arguments, redactions) = redactor.redact(arguments: ["curl", "-H", "Authorization: Bearer abc.def", "https://x/?pw=hunter2&pw=x"])
        #expect(arguments == ["curl", "-H", "Authorization: [REDACTED]", "https://x/?[REDACTED]&[REDACTED]"])
        #expect(redactions.map(\.matches) == [1, 2])
    }

    @Test func aPatternThatIsNotARegularExpressionOrMatchesNothingAtAllIsRefused() {
        for pattern in ["(unclosed", "[z-a]", "a*", "^"] {
            #expect(throws: FieldAuditError.self, "\(pattern)") { try Redactor(patterns: [pattern]) }
            do {
                _ = try Redactor(patterns: [pattern])
            } catch {
                guard case let .invalidInput(source, _) = error else { Issue.record("\(error)"); continue }
                #expect(source.contains(pattern))
            }
        }
    }
}
