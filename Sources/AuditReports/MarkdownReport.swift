import AuditModel

/// The audit report as Markdown (CommonMark with GitHub tables and alerts), for reading in any
/// editor and for turning into other formats.
///
/// Text from the record is escaped so it reads as written; table cells that hold several lines
/// break them with `<br>`.
public enum MarkdownReport {
    /// The report of an engagement.
    public static func render(_ record: EngagementRecord, context: ReportContext) -> String {
        render(ReportDocument(ReportContent(record: record, context: context)))
    }

    /// A report document as Markdown, ending with one newline.
    static func render(_ document: ReportDocument) -> String {
        var out = "# \(inline(document.title))\n"
        for block in document.front { out += "\n" + render(block, depth: 2) }
        for (number, section) in document.sections.enumerated() {
            out += "\n## \(number + 1). \(inline(section.title))\n"
            for block in section.blocks { out += "\n" + render(block, depth: 3) }
        }
        return out
    }

    /// A block, ending with a newline; subsections head at `depth` (at most six).
    static func render(_ block: ReportDocument.Block, depth: Int) -> String {
        switch block {
        case let .paragraph(text):
            return inline(text) + "\n"
        case let .facts(facts):
            return facts.map { fact in
                let lines = fact.value.split(separator: "\n", omittingEmptySubsequences: false).map { inline(String($0)) }
                return lines.count == 1
                    ? "- **\(inline(fact.label)):** \(lines[0])"
                    : (["- **\(inline(fact.label)):**"] + lines.map { "  - " + $0 }).joined(separator: "\n")
            }.joined(separator: "\n") + "\n"
        case let .list(items):
            return items.map { "- " + inline($0).replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n") + "\n"
        case let .table(header, rows):
            var lines = ["| " + header.map(cell).joined(separator: " | ") + " |", "|" + header.map { _ in " --- |" }.joined()]
            lines += rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |" }
            return lines.joined(separator: "\n") + "\n"
        case let .alert(title, blocks):
            let body = blocks.map { render($0, depth: depth) }.joined(separator: "\n")
            let quoted = body.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0.isEmpty ? ">" : "> " + $0 }
            return (["> [!WARNING]", "> **\(inline(title))**", ">"] + quoted).joined(separator: "\n") + "\n"
        case let .preformatted(text):
            // A fence longer than any run of backticks in the text, so nothing in it can close it.
            var longest = 0, run = 0
            for character in text {
                run = character == "`" ? run + 1 : 0
                longest = max(longest, run)
            }
            let fence = String(repeating: "`", count: max(3, longest + 1))
            return fence + "text\n" + text + "\n" + fence + "\n"
        case let .subsection(_, title, blocks):
            let heading = String(repeating: "#", count: min(depth, 6)) + " " + inline(title) + "\n"
            return ([heading] + blocks.map { render($0, depth: depth + 1) }).joined(separator: "\n")
        }
    }

    /// Text with Markdown's special characters escaped, except inside `code spans`.
    static func inline(_ text: String) -> String {
        ReportDocument.spans(text).map { span in
            switch span {
            case let .text(text): escape(text)
            case let .code(code): "`\(code)`"
            }
        }.joined()
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\`*_[]<>#|".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    static func cell(_ text: String) -> String {
        inline(text).replacingOccurrences(of: "\n", with: "<br>")
    }
}
