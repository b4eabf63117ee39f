import Foundation
import TestSupport
import Testing

/// The Stage 2 day's HTML report printed to PDF by `scripts/render-report` (headless Chromium), read
/// back page by page with `pdftotext`: sections flow, and every page carries the running header,
/// "Page n of N" and, until closing, DRAFT.
///
/// Needs `chromium` and `poppler-utils` (`.ci/run` installs them). Without them the test is
/// skipped, except in CI (`CI=true`), where it fails.
struct PrintedReportTests {
    let session = Stage2SessionTests()

    /// Chromium and pdftotext, when both are installed.
    static let tools: (chromium: String, pdftotext: String)? = {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let pdftotext = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium, let pdftotext else { return nil }
        return (chromium, pdftotext)
    }()
    static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The report printed to PDF, as the text of each page.
    func printedPages(_ name: String, pdftotext: String) throws -> [String] {
        let html = session.directory.file("\(name).html"), pdf = session.directory.file("\(name).pdf")
        let report = try session.run(["report", "--format", "html", "-o", html])
        #expect(report.status == 0, "\(report.stderr)")
        let render = try FieldAuditCLI.execute("\(packageRoot)/scripts/render-report", [html, "--pdf", pdf])
        #expect(render.status == 0, "scripts/render-report failed: \(render.stderr)")
        let bytes = try #require(FileManager.default.contents(atPath: pdf))
        #expect(bytes.starts(with: Data("%PDF".utf8)))
        let text = try FieldAuditCLI.execute(pdftotext, ["-layout", pdf, "-"])
        #expect(text.status == 0)
        // pdftotext ends every page with a form feed.
        return text.stdout.split(separator: "\u{0C}", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    @Test(.enabled(if: PrintedReportTests.tools != nil || PrintedReportTests.inCI, "needs chromium and pdftotext (apt-get install chromium poppler-utils)"))
    func theStage2ReportPrintsAsAReviewerReadsIt() throws {
        let tools = try #require(PrintedReportTests.tools, "CI=true, but chromium or pdftotext is missing: .ci/run installs them (apt-get install chromium poppler-utils)")
        try session.runSession()

        let draft = try printedPages("draft", pdftotext: tools.pdftotext)
        // Measured with Chromium 156: 8 A4 pages, 250-350 words on each but the last (the coverage
        // table of 70 requirements fills two and a half pages); 15 pages, most under 100 words, when
        // every section started a page. The range allows for other fonts and Chromium versions.
        #expect((6...10).contains(draft.count), "the Stage 2 report printed on \(draft.count) pages")
        for (index, page) in draft.enumerated() {
            #expect(page.contains("Page \(index + 1) of \(draft.count)"), "page \(index + 1) has no page number")
            #expect(page.contains("Helix Diagnostics Ltd · Stage 2 audit 2026-12-01 to 2026-12-03 · engagement "), "page \(index + 1) has no running header")
            #expect(page.contains("DRAFT: engagement open, not final"), "page \(index + 1) of the draft does not say it is a draft")
        }
        let words = draft.dropLast().map { $0.split(whereSeparator: \.isWhitespace).count }
        #expect(words.allSatisfy { $0 >= 100 }, "a page other than the last holds under 100 words: \(words)")

        let closed = try session.run(["engagement", "close", "--conclusion", "The AIMS is implemented, with one logging gap.", "--recommendation", "certify-after-closure"])
        #expect(closed.status == 0, "\(closed.stderr)")
        let final = try printedPages("final", pdftotext: tools.pdftotext)
        for (index, page) in final.enumerated() {
            #expect(page.contains("Page \(index + 1) of \(final.count)"))
            #expect(page.contains("FINAL: closed 20"), "page \(index + 1) of the final report does not say it is final")
            #expect(!page.contains("DRAFT"), "page \(index + 1) of the final report says DRAFT")
        }
    }
}
