import Foundation
import TestSupport
import Testing

/// The reviewers' window in a real browser: Debian's headless `chromium`, driven over the DevTools
/// protocol, signs in with the link `fieldaudit serve grant` printed while the server ran, reads
/// every page of the rehearsal's engagement, is refused an engagement not granted and one that
/// does not exist (one page for both), and meets stored-XSS cases shown as text.
///
/// Needs `chromium` (`.ci/run` installs it). Without it the test is skipped on a developer's
/// machine, and fails under CI=true.
struct ReviewWindowBrowserTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-review-browser")
    static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// A script that would set the page's title, were it ever run.
    static let script = #"<script>document.title="pwned"</script>"#
    static let javascriptLink = #"<a href="javascript:document.title='pwned'">Mallory</a>"#
    static let imageHandler = #"<img src=x onerror="document.title='pwned'">"#
    static let evidenceName = #"..\"quoted" 'and'/slashed/<b>evidence</b>.html"#

    func fieldaudit(_ arguments: [String], in store: String) throws -> String {
        let result = try cli.run(arguments, store: store)
        #expect(result.status == 0, "`fieldaudit \(arguments.joined(separator: " "))` failed: \(result.stderr)")
        return result.stdout
    }

    /// Runs `scripts/rehearsal` in `work/`; the central's store is `work/central`.
    func rehearse() throws {
        let result = try FieldAuditCLI.execute(
            "/bin/bash", ["\(packageRoot)/scripts/rehearsal"],
            environment: ProcessInfo.processInfo.environment.merging([
                "FIELDAUDIT_BIN": cli.executable, "REHEARSAL_DIR": directory.file("work"), "NO_COLOR": "1", "TZ": "UTC",
            ]) { _, new in new })
        #expect(result.status == 0, "the rehearsal failed: \(result.stdout.suffix(2000)) \(result.stderr.suffix(2000))")
    }

    /// An engagement the central founds, full of text written to attack a browser: a `<script>` in
    /// a note and in the client's name, a `javascript:` link in a team member's name, an image
    /// with an event handler in a finding, an evidence file whose recorded name has quotes and
    /// slashes. Returns its id.
    func hostileEngagement(central: String) throws -> String {
        let created = try fieldaudit(["engagement", "create", "--client", "Hostile \(Self.script) Ltd", "--type", "stage2"], in: central)
        let id = String(try #require(created.firstMatch(of: /engagement ([0-9a-f-]{36})/)).1)
        let mallory = directory.file("mallory")
        try fieldaudit(["init", "--name", Self.javascriptLink], in: mallory)
        try fieldaudit(["whoami", "--card", "-o", directory.file("mallory.card.json")], in: mallory)
        try fieldaudit(["team", "add", directory.file("mallory.card.json"), "--role", "auditor"], in: central)
        try fieldaudit(["note", "--ref", "6.1.2", "Said: \(Self.script)"], in: central)
        let file = directory.file("evidence.html")
        try Data("<html><body>\(Self.script)</body></html>".utf8).write(to: URL(fileURLWithPath: file))
        let added = try fieldaudit(["evidence", "add", file, "--ref", "6.1.2", "--describe", Self.imageHandler], in: central)
        let evidence = try #require(try JSONSerialization.jsonObject(with: Data(try fieldaudit(["evidence", "list", "--json"], in: central).utf8)) as? [[String: Any]])
        let evidenceID = try #require(evidence.first?["id"] as? String, "\(added)")
        try fieldaudit(["field", "set", evidenceID, "name", Self.evidenceName, "--kind", "evidence", "--engagement", id], in: central)
        try fieldaudit([
            "finding", "raise", "--grade", "minor", "--ref", "6.1.2", "--statement", "Statement \(Self.imageHandler) \(Self.script)",
            "--objective-evidence", Self.javascriptLink,
        ], in: central)
        return id
    }

    /// What the page must not show if it escaped everything and ran nothing.
    func expectNothingRan(_ browser: HeadlessBrowser, _ page: String) throws {
        #expect(try browser.title() != "pwned", "a script ran on \(page)")
        #expect(try browser.evaluate("document.querySelectorAll('script, img, iframe, object, embed, [onerror], [onclick], [onload], [style]').length") as? Int == 0, "\(page) has active elements")
        #expect(try browser.evaluate("Array.from(document.querySelectorAll('a[href]')).filter(a => !a.getAttribute('href').startsWith('/') && !a.getAttribute('href').startsWith('#')).length") as? Int == 0, "\(page) links outside the server")
    }

    @Test(.enabled(if: HeadlessBrowser.executable != nil || ReviewWindowBrowserTests.inCI, "needs chromium (apt-get install chromium)"))
    func aReviewerSignsInReadsEveryPageIsRefusedTheRestAndHostileTextStaysText() throws {
        _ = try #require(HeadlessBrowser.executable, "CI=true, but chromium is missing: .ci/run installs it (apt-get install chromium)")
        try rehearse()
        let central = directory.file("work/central")
        let engagements = try #require(try JSONSerialization.jsonObject(with: Data(try fieldaudit(["engagement", "list", "--json"], in: central).utf8)) as? [[String: Any]])
        let helix = try #require(engagements.first { ($0["client"] as? String) == "Helix Diagnostics Ltd" }?["id"] as? String)
        let hostile = try hostileEngagement(central: central)
        let refusedOutput = try fieldaudit(["engagement", "create", "--client", "Refused Client plc"], in: central)
        let refused = String(try #require(refusedOutput.firstMatch(of: /engagement ([0-9a-f-]{36})/)).1)
        let nonexistent = "01890000-0000-7000-8000-000000000000"

        let server = try ServeProcess(cli: cli, store: central, log: directory.file("serve.log"))
        defer { server.stop() }
        // The grant is made while the server runs.
        let link = try fieldaudit(["serve", "grant", "--reviewer", "Rita Reviewer", "--engagement", helix, "--engagement", hostile, "--url", server.url], in: central)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(link.hasPrefix("\(server.url)/review/sign-in?token="))

        let browser = try HeadlessBrowser()
        defer { browser.close() }
        try browser.open(link)
        #expect(try browser.location() == "\(server.url)/review/")
        let list = try browser.text()
        #expect(list.contains("Signed in as Rita Reviewer"))
        #expect(list.contains("Helix Diagnostics Ltd") && list.contains("Hostile \(Self.script) Ltd"))
        #expect(!list.contains("Refused Client"))
        let shots = directory.file("screenshots")
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)

        // Every page of the rehearsal's engagement.
        let base = "\(server.url)/review/e/\(helix)"
        let pages: [(path: String, shows: [String])] = [
            ("", ["Coverage", "Ada Lead", "Ben Auditor", "Cara Auditor", "A.6.2.8", "concluded", "Interviews", "Northbridge Certification Ltd",
                  "Clinical leadership", "No impact assessment yet for LetterDraft"]),
            ("/findings", ["retention_days: 7 in production", "Minor nonconformity", "Accepted; retention to be raised", "log-retention.yaml", "by Ada Lead",
                           "NC-01", "Review every logging default against the safety case", "Head of ML platform", "accepted by Ada Lead"]),
            ("/evidence", ["risk-register.csv", "Production logging configuration", "training-records.csv"]),
            ("/conflicts", ["Open conflicts", "Changes that arrived after closing"]),
            ("/history", ["Latest changes", "Ada Lead"]),
            ("/downloads", ["findings.csv", "OSCAL assessment results"]),
            ("/report", ["Helix Diagnostics Ltd", "Findings"]),
        ]
        for page in pages {
            try browser.open(base + page.path)
            let text = try browser.text()
            for expected in page.shows { #expect(text.contains(expected), "\(page.path) does not show \(expected)") }
            try expectNothingRan(browser, base + page.path)
            // The stylesheet applied under the policy: the served one on the pages, the report's
            // inline one (allowed by its hash) on the report; both rule the top with 3px.
            let ruled = page.path == "/report" ? "h1" : "header.site"
            #expect(try browser.evaluate("getComputedStyle(document.querySelector('\(ruled)')).borderBottomWidth") as? String == "3px", "no stylesheet on \(page.path)")
            if page.path == "" { try browser.screenshot().write(to: URL(fileURLWithPath: "\(shots)/review-overview.png")) }
            if page.path == "/findings" { try browser.screenshot().write(to: URL(fileURLWithPath: "\(shots)/review-findings.png")) }
        }
        // The history of the finding both auditors edited, with both statements and who wrote them.
        try browser.open(base + "/findings")
        let historyLink = try #require(try browser.evaluate("document.querySelector('article.finding a[href*=\"/history/\"]').getAttribute('href')") as? String)
        try browser.open(server.url + historyLink)
        let history = try browser.text()
        #expect(history.contains("kept 7 days, short of the 2 years") && history.contains("deleted after 7 days"))
        #expect(history.contains("Ben Auditor") && history.contains("Cara Auditor"))

        // Refused: not granted, and not existing, answer the same page.
        try browser.open("\(server.url)/review/e/\(refused)")
        let refusedPage = try browser.dom()
        #expect(refusedPage.contains("Not available to you") && !refusedPage.contains("Refused Client"))
        try browser.open("\(server.url)/review/e/\(nonexistent)")
        #expect(try browser.dom() == refusedPage)

        // The hostile engagement: everything shows as the text it is, and nothing runs.
        let hostileBase = "\(server.url)/review/e/\(hostile)"
        for path in ["", "/findings", "/evidence", "/history", "/conflicts", "/downloads", "/report"] {
            try browser.open(hostileBase + path)
            try expectNothingRan(browser, hostileBase + path)
            let text = try browser.text()
            switch path {
            case "": #expect(text.contains("Hostile \(Self.script) Ltd") && text.contains(Self.javascriptLink))
            case "/findings": #expect(text.contains("Statement \(Self.imageHandler) \(Self.script)") && text.contains(Self.javascriptLink))
            case "/evidence": #expect(text.contains(Self.evidenceName) && text.contains(Self.imageHandler))
            case "/history": #expect(text.contains("Said: \(Self.script)"))
            default: break
            }
        }

        // The evidence file, an HTML page with a script, is downloaded, never shown: the page stays.
        try browser.open(hostileBase + "/evidence")
        let href = try #require(try browser.evaluate("document.querySelector('a[download]').getAttribute('href')") as? String)
        let downloads = directory.file("downloads")
        try FileManager.default.createDirectory(atPath: downloads, withIntermediateDirectories: true)
        let saved = try browser.download(server.url + href, into: downloads)
        #expect(try Data(contentsOf: URL(fileURLWithPath: saved.path)) == Data("<html><body>\(Self.script)</body></html>".utf8))
        #expect(!saved.suggestedName.contains("/") && !saved.suggestedName.hasPrefix("."), "\(saved.suggestedName)")
        #expect(try browser.location() == hostileBase + "/evidence")
        try expectNothingRan(browser, href)

        // Signing out ends the session: the next page asks to sign in, and the link works no more.
        try browser.open(hostileBase)
        _ = try browser.evaluate("document.querySelector('form.signout').submit()")
        _ = try? browser.waitForLoad()
        try browser.open("\(server.url)/review/")
        #expect(try browser.text().contains("Sign in first"))
        try browser.open(link)
        #expect(try browser.text().contains("This sign-in link does not work"))

        if ProcessInfo.processInfo.environment["RECORD_SCREENSHOTS"] == "1" {
            for name in ["review-overview.png", "review-findings.png"] {
                let target = "\(packageRoot)/docs/\(name)"
                try? FileManager.default.removeItem(atPath: target)
                try FileManager.default.createDirectory(atPath: "\(packageRoot)/docs", withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: "\(shots)/\(name)", toPath: target)
            }
        }
    }
}
