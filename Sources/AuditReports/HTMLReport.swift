import AuditModel

/// The audit report as one self-contained, print-ready HTML file: inline CSS, no scripts, fonts,
/// images or links to anything outside the file.
///
/// On screen it reads as one page. In print the sections flow one after another on A4 pages, and
/// every page carries, in its margins (CSS paged media `@page` margin boxes), a running header with
/// the client, the engagement and the report's status, and "Page n of N"; until the engagement is
/// closed every page is marked DRAFT. Table headers repeat on every page, rows are never split, and
/// a heading is never left alone at the foot of a page. `scripts/render-report` prints it to PDF or
/// PNG with headless Chromium.
public enum HTMLReport {
    /// The report of an engagement.
    public static func render(_ record: EngagementRecord, context: ReportContext) -> String {
        render(ReportDocument(ReportContent(record: record, context: context)))
    }

    /// A report document as an HTML file.
    static func render(_ document: ReportDocument) -> String {
        var body = document.runningHeader.isDraft ? "<div class=\"draft-mark\" aria-hidden=\"true\">DRAFT</div>\n" : ""
        body += "<header>\n<h1>\(inline(document.title))</h1>\n"
        for block in document.front { body += render(block, depth: 2) }
        body += "</header>\n<nav class=\"contents\">\n<h2>Contents</h2>\n<ol>\n"
        for section in document.sections { body += "<li><a href=\"#\(escape(section.id))\">\(inline(section.title))</a></li>\n" }
        body += "</ol>\n</nav>\n"
        for (number, section) in document.sections.enumerated() {
            body += "<section id=\"\(escape(section.id))\">\n<h2>\(number + 1). \(inline(section.title))</h2>\n"
            for block in section.blocks { body += render(block, depth: 3) }
            body += "</section>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(document.title))</title>
            <style>
            \(stylesheet)
            \(pageRules(document.runningHeader))
            </style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }

    static func render(_ block: ReportDocument.Block, depth: Int) -> String {
        switch block {
        case let .paragraph(text):
            return "<p>\(inline(text))</p>\n"
        case let .facts(facts):
            return "<dl class=\"facts\">\n" + facts.map { "<dt>\(inline($0.label))</dt><dd>\(lines($0.value))</dd>\n" }.joined() + "</dl>\n"
        case let .list(items):
            return "<ul>\n" + items.map { "<li>\(lines($0))</li>\n" }.joined() + "</ul>\n"
        case let .table(header, rows):
            return "<table>\n<thead><tr>" + header.map { "<th>\(inline($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
                + rows.map { "<tr>" + $0.map { "<td>\(lines($0))</td>" }.joined() + "</tr>\n" }.joined() + "</tbody>\n</table>\n"
        case let .alert(title, blocks):
            return "<aside class=\"alert\" role=\"alert\">\n<p class=\"alert-title\">⚠ \(inline(title))</p>\n"
                + blocks.map { render($0, depth: depth) }.joined() + "</aside>\n"
        case let .preformatted(text):
            return "<pre class=\"transcript\" style=\"white-space: pre-wrap; overflow-wrap: anywhere; font-family: monospace; font-size: 0.85em; background: #f3f4f6; padding: 0.5em;\">\(escape(text))</pre>\n"
        case let .subsection(id, title, blocks):
            let level = min(depth, 6)
            let anchor = id.map { " id=\"\(escape($0))\"" } ?? ""
            return "<div class=\"part\"\(anchor)>\n<h\(level)>\(inline(title))</h\(level)>\n" + blocks.map { render($0, depth: depth + 1) }.joined() + "</div>\n"
        }
    }

    /// Text escaped for HTML, with `code spans` set as code.
    static func inline(_ text: String) -> String {
        ReportDocument.spans(text).map { span in
            switch span {
            case let .text(text): escape(text)
            case let .code(code): "<code>\(escape(code))</code>"
            }
        }.joined()
    }

    /// Text whose lines break with `<br>`.
    static func lines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { inline(String($0)) }.joined(separator: "<br>")
    }

    /// Escapes `&`, `<`, `>`, `"` and `'`: the one HTML escaping rule (the report and the reviewers' pages).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// The printed page: A4, with the running header (engagement on the left, status on the right)
    /// and "Page n of N" in its margin boxes, which Chromium renders since version 131.
    static func pageRules(_ header: ReportDocument.RunningHeader) -> String {
        let margin = "font-family: \"DejaVu Sans\", Arial, sans-serif; font-size: 7.5pt; color: #57606a;"
        let statusColour = header.isDraft ? "#9a3412; font-weight: bold" : "#1b1f24"
        return """
            @page {
              size: A4; margin: 20mm 16mm 18mm;
              @top-left { content: \(cssString(header.engagement)); \(margin) vertical-align: bottom; padding-bottom: 4mm; }
              @top-right { content: \(cssString(header.status)); \(margin) color: \(statusColour); vertical-align: bottom; padding-bottom: 4mm; white-space: nowrap; }
              @bottom-right { content: "Page " counter(page) " of " counter(pages); \(margin) vertical-align: top; padding-top: 4mm; white-space: nowrap; }
            }
            """
    }

    /// Text as a CSS string literal: every character other than ASCII letters, digits, space and
    /// plain punctuation is written as a CSS escape (`\3C `), so no text can close the string or
    /// the `<style>` element it stands in.
    static func cssString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || " .,:;()-_/+#".unicodeScalars.contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "\\" + String(scalar.value, radix: 16, uppercase: true) + " "
            }
        }
        return out + "\""
    }

    /// The inline stylesheet: system fonts only; in print, sections flow and nothing breaks badly.
    static let stylesheet = """
        :root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --rule: #d0d7de; --alert: #9a3412; --alert-bg: #fff4e5; }
        html { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; font-size: 11pt; color: var(--ink); background: #fff; }
        body { max-width: 60em; margin: 2em auto; padding: 0 1.5em; line-height: 1.45; }
        h1 { font-size: 1.8em; margin: 0 0 0.6em; border-bottom: 3px solid var(--ink); padding-bottom: 0.2em; }
        h2 { font-size: 1.35em; margin: 1.6em 0 0.6em; border-bottom: 1px solid var(--rule); padding-bottom: 0.15em; }
        h3 { font-size: 1.12em; margin: 1.3em 0 0.5em; }
        h4, h5, h6 { font-size: 1em; margin: 1.1em 0 0.4em; }
        p { margin: 0.5em 0; }
        code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; background: #f3f4f6; padding: 0 0.2em; border-radius: 3px; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25em 1.2em; margin: 0.6em 0; }
        dl.facts dt { font-weight: bold; color: var(--muted); }
        dl.facts dd { margin: 0; overflow-wrap: anywhere; }
        table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1em; font-size: 0.9em; }
        th, td { border: 1px solid var(--rule); padding: 0.25em 0.45em; text-align: left; vertical-align: top; overflow-wrap: break-word; }
        thead th { background: #f6f8fa; }
        tbody tr:nth-child(even) td { background: #fbfcfd; }
        .alert { border: 2px solid var(--alert); background: var(--alert-bg); border-radius: 6px; padding: 0.6em 1em; margin: 1em 0; }
        .alert-title { color: var(--alert); font-weight: bold; font-size: 1.1em; margin-top: 0; }
        nav.contents ol { columns: 2; margin: 0.4em 0; }
        nav.contents a { color: var(--ink); text-decoration: none; }
        .part { margin-left: 0; }
        .draft-mark { display: none; }
        @media print {
          html { font-size: 9.5pt; }
          body { max-width: none; margin: 0; padding: 0; }
          h1, h2, h3, h4, h5, h6 { break-after: avoid; page-break-after: avoid; }
          h2 { margin-top: 1.2em; }
          p { orphans: 3; widows: 3; }
          thead { display: table-header-group; }
          tr, dl.facts > dt, dl.facts > dd { break-inside: avoid; page-break-inside: avoid; }
          a { color: inherit; text-decoration: none; }
          tbody tr:nth-child(even) td { background: none; }
          .alert { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
          .draft-mark {
            display: block; position: fixed; top: 42%; left: 0; right: 0; z-index: -1; text-align: center;
            font-size: 110pt; font-weight: bold; letter-spacing: 0.1em; color: rgba(154, 52, 18, 0.07); transform: rotate(-32deg);
          }
        }
        """
}
