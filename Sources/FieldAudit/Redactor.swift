import AuditModel
import Foundation

/// Masks secrets in a command's output before anything is stored (`evidence run --redact`).
///
/// Patterns are regular expressions (`NSRegularExpression`, ICU syntax). Output that is UTF-8
/// text is matched as text; other output byte by byte (each byte read as one Latin-1 character),
/// so masking never alters a byte outside a match. Each match becomes `Evidence.Run.mask`.
public struct Redactor: Sendable {
    /// The patterns, as given.
    public let patterns: [String]
    private let expressions: [NSRegularExpression]

    /// Compiles the patterns.
    ///
    /// - Throws: `FieldAuditError.invalidInput` naming a pattern that is not a regular expression,
    ///   or one that matches the empty string (it would mask between every character).
    public init(patterns: [String]) throws(FieldAuditError) {
        var expressions: [NSRegularExpression] = []
        for pattern in patterns {
            let expression: NSRegularExpression
            do { expression = try NSRegularExpression(pattern: pattern) } catch {
                throw .invalidInput(source: "--redact '\(DisplayText.shown(pattern))'", reason: "it is not a regular expression")
            }
            if expression.firstMatch(in: "", range: NSRange(location: 0, length: 0)) != nil {
                throw .invalidInput(source: "--redact '\(DisplayText.shown(pattern))'", reason: "it matches empty text, so it would mask everywhere")
            }
            expressions.append(expression)
        }
        self.patterns = patterns
        self.expressions = expressions
    }

    /// The command's words with every match masked (a secret typed on the command line, such as
    /// a bearer token, is masked as it is in the output), and how many matches each pattern masked.
    public func redact(arguments: [String]) -> (arguments: [String], redactions: [Evidence.Run.Redaction]) {
        var counts = Array(repeating: 0, count: patterns.count)
        let masked = arguments.map { word in
            var text = word
            for (index, expression) in expressions.enumerated() {
                let range = NSRange(text.startIndex..., in: text)
                counts[index] += expression.numberOfMatches(in: text, range: range)
                text = expression.stringByReplacingMatches(
                    in: text, range: range, withTemplate: NSRegularExpression.escapedTemplate(for: Evidence.Run.mask))
            }
            return text
        }
        return (masked, zip(patterns, counts).map { .init(pattern: $0, matches: $1) })
    }

    /// The output with every match of every pattern masked, pattern after pattern, and how many
    /// matches each pattern masked.
    public func redact(_ output: [UInt8]) -> (output: [UInt8], redactions: [Evidence.Run.Redaction]) {
        guard !expressions.isEmpty else { return (output, []) }
        let isText = String(validating: output, as: UTF8.self) != nil
        var text = isText ? String(decoding: output, as: UTF8.self) : String(output.map { Character(Unicode.Scalar($0)) })
        var redactions: [Evidence.Run.Redaction] = []
        for (pattern, expression) in zip(patterns, expressions) {
            let range = NSRange(text.startIndex..., in: text)
            let count = expression.numberOfMatches(in: text, range: range)
            if count > 0 {
                text = expression.stringByReplacingMatches(
                    in: text, range: range, withTemplate: NSRegularExpression.escapedTemplate(for: Evidence.Run.mask))
            }
            redactions.append(.init(pattern: pattern, matches: count))
        }
        let bytes = isText ? Array(text.utf8) : text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        return (bytes, redactions)
    }
}
