/// How text written by someone else is shown to a person: the one escaping rule of every place
/// that writes stored or received text to a terminal or a log (`fieldaudit`'s `Terminal`, the
/// central repository's request log).
///
/// Notes, names, statements, file names, a client's request path: all arrive from other laptops
/// and are hostile when shown. A terminal could act on control characters (an escape sequence
/// rewrites the screen), and bidirectional formatting characters make text read in another order
/// than it is stored; both are shown as visible, unambiguous escapes instead.
public enum DisplayText {
    /// `text` with every control character (C0, DEL, C1), bidirectional formatting character and
    /// line or paragraph separator escaped (`\e`, `\t`, `\r`, `\0`, `\n`, `\u{7F}`, `\u{202E}`),
    /// and `\` doubled, so every escape reads back unambiguously. A bidirectional override shows
    /// as its escape, in place: the flag the reader sees.
    ///
    /// With `multiline`, line breaks stay line breaks, each following line indented by `indent`;
    /// otherwise they show as `\n`.
    public static func shown(_ text: String, multiline: Bool = false, indent: String = "  ") -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar == "\n" && multiline {
                result += "\n" + indent
            } else if scalar == "\\" {
                result += "\\\\"
            } else if isHazard(scalar) {
                result += escape(scalar)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `text` with every control character except the line feed escaped as `shown` does, but
    /// backslashes left alone: a last line of defence for whole messages.
    public static func guarded(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 != "\n" && isHazard($0) }) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar != "\n" && isHazard(scalar) { result += escape(scalar) } else { result.unicodeScalars.append(scalar) }
        }
        return result
    }

    /// Whether a terminal could act on `scalar` rather than show it: C0 and C1 controls, DEL,
    /// the bidirectional formatting characters (U+061C, U+200E–U+200F, U+202A–U+202E,
    /// U+2066–U+2069) and the line and paragraph separators (U+2028, U+2029).
    public static func isHazard(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E...0x200F, 0x2028...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// The visible spelling of a hazardous scalar.
    private static func escape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return switch scalar {
        case "\u{1B}": "\\e"
        case "\n": "\\n"
        case "\r": "\\r"
        case "\t": "\\t"
        case "\0": "\\0"
        default: "\\u{" + String(repeating: "0", count: max(0, 2 - hex.count)) + hex + "}"
        }
    }
}
