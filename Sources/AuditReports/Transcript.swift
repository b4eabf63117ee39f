/// A command transcript (`Evidence.run`) as a reader sees it: `$ argv`, then the output, escaped.
///
/// The replica that makes the report reads the stored output and escapes it once, with the rule
/// every terminal display uses (`DisplayText` in `FieldAudit`), so the projections stay pure and
/// no control character of someone else's output reaches a report raw.
public struct Transcript: Sendable, Equatable {
    /// `$ COMMAND` on the first line, then the output's first lines, or one line saying the output
    /// is binary (with its size) or not held here; every character a terminal or viewer could act on
    /// is escaped.
    public var text: String
    /// Whether `text` leaves part of the stored output out (it then ends with a line that says how
    /// to get the whole, by the evidence's id and hash).
    public var isExcerpt: Bool

    /// A transcript as shown.
    public init(text: String, isExcerpt: Bool) {
        self.text = text
        self.isExcerpt = isExcerpt
    }
}
