extension Terminal {
    /// Text written by someone else (a server's name, say), made safe to show on a terminal:
    /// control characters (escape sequences included) and bidirectional overrides become `�`,
    /// and it is cut to `limit` characters.
    static func safe(_ text: String, limit: Int = 120) -> String {
        let shown = String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit).map { scalar in
            scalar.properties.generalCategory == .control || scalar.properties.isBidiControl ? "\u{FFFD}" : scalar
        }))
        return text.unicodeScalars.count > limit ? shown + "…" : shown
    }
}
