import Foundation
import TestSupport
import Testing

/// A nonconformity from raise to verified closure as users type it: numbered at sign-off, the
/// sign-off voided by a later edit imported from another laptop, a corrective-action plan with an
/// overdue action, the lead's verification, and every report format saying so.
struct NonconformityCommandTests: LaptopsInOneFolder {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-nc")

    @Test func aMinorNonconformityIsNumberedFollowedUpAndClosedAndEveryFormatSaysSo() throws {
        try adaAndBen()

        // Ben raises a minor without a grade justification; Ada cannot sign it off until she gives one.
        let raised = try succeed([
            "finding", "raise", "--grade", "minor", "--ref", "A.6.2.8", "--statement", "Inference logs are kept 7 days",
            "--objective-evidence", "retention_days: 7",
        ], as: "ben")
        let finding = String(try #require(raised.firstMatch(of: /([0-9a-f]{8}) against/)).1)
        try send("ben", to: "ada", "ben-day1.fabundle")
        let refused = try run(["finding", "sign-off", finding], as: "ada")
        #expect(refused.status == 65 && refused.stderr.contains("grade justification") && refused.stderr.contains("--grade-justification"))
        try succeed(["finding", "edit", finding, "--grade-justification", "A single control lapsed; the logging process exists"], as: "ada")
        #expect(try succeed(["finding", "sign-off", finding], as: "ada").contains("as nonconformity NC-01"))
        #expect(try succeed(["finding", "list"], as: "ada").contains("NC-01"))
        #expect(try succeed(["finding", "show", "NC-01"], as: "ada").contains("signed off by Ada on"))

        // Ben rewords the statement after the sign-off reached him: on Ada's laptop, once imported,
        // the sign-off no longer stands, and status, show and the report say who changed it.
        try send("ada", to: "ben", "ada-day1.fabundle")
        try succeed(["finding", "edit", finding, "--statement", "Inference logs are deleted after 7 days"], as: "ben")
        try send("ben", to: "ada", "ben-day2.fabundle")
        let shown = try succeed(["finding", "show", "NC-01"], as: "ada")
        #expect(shown.contains("then changed by Ben at") && shown.contains("needs a new sign-off"))
        #expect(try succeed(["finding", "list"], as: "ada").contains("CHANGED, needs a new sign-off"))
        #expect(try succeed(["status", "--brief"], as: "ada").contains("NC-01: signed off by Ada on"))
        try succeed(["report", "--format", "markdown", "-o", file("changed.md")], as: "ada")
        #expect(try String(contentsOfFile: file("changed.md"), encoding: .utf8).contains("then changed by Ben at"))
        #expect(try succeed(["finding", "sign-off", "NC-01"], as: "ada").contains("as nonconformity NC-01"), "a new sign-off keeps the number")

        // The policy, then a plan whose action is already overdue.
        #expect(try run(["engagement", "policy", "--minor-days", "0"], as: "ada").status == 65)
        #expect(try run(["engagement", "policy", "--minor-days", "45"], as: "ben").status == 77, "only a lead sets the policy")
        #expect(try succeed(["engagement", "policy", "--minor-days", "45"], as: "ada").contains("45 days (minor)"))
        try succeed(["finding", "correct", "NC-01", "Retention raised to 2 years on the day"], as: "ada")
        try succeed(["finding", "root-cause", "NC-01", "The vendor default was never reviewed"], as: "ada")
        let added = try succeed(["finding", "action", "add", "NC-01", "--action", "Review logging defaults", "--owner", "CTO", "--due", "2020-01-31"], as: "ada")
        let action = String(try #require(added.firstMatch(of: /action ([0-9a-f]{8})/)).1)
        #expect(try succeed(["finding", "action", "list"], as: "ada").contains("OVERDUE"))
        #expect(try succeed(["status", "--brief"], as: "ada").contains("1 open (1 overdue), 0 done"))
        #expect(try run(["finding", "action", "add", "NC-01", "--action", "x", "--owner", "y", "--due", "2020-02-30"], as: "ada").status == 65)

        // Verification: not before the action is done, never by an auditor.
        #expect(try run(["finding", "verify", "NC-01", "--accept", "--reason", "ok"], as: "ada").status == 65)
        try send("ada", to: "ben", "ada-day2.fabundle")
        #expect(try run(["finding", "verify", "NC-01", "--reject", "--reason", "no"], as: "ben").status == 77)
        try succeed(["evidence", "add", file("ada.card.json"), "--for", action, "--describe", "New logging configuration"], as: "ada")
        try succeed(["finding", "action", "done", action, "--on", "2020-01-30", "--implementation", "retention_days: 730"], as: "ada")
        #expect(try succeed(["finding", "verify", "NC-01", "--accept", "--reason", "Configuration shows 730 days"], as: "ada").contains("closed"))
        let status = try json(try succeed(["status", "--json"], as: "ada"))
        let nonconformities = try #require(status["nonconformities"] as? [[String: Any]])
        #expect(nonconformities.first?["label"] as? String == "NC-01" && nonconformities.first?["state"] as? String == "closed")

        // Every format: the register, the plan, the verification.
        try succeed(["report", "--format", "markdown", "-o", file("report.md")], as: "ada")
        try succeed(["report", "--format", "html", "-o", file("report.html")], as: "ada")
        try succeed(["report", "--format", "csv", "-o", file("csv")], as: "ada")
        try succeed(["report", "--format", "oscal", "-o", file("report.json")], as: "ada")
        let markdown = try String(contentsOfFile: file("report.md"), encoding: .utf8)
        #expect(markdown.contains("Nonconformity register and corrective actions") && markdown.contains("### NC-01: follow-up"))
        #expect(markdown.contains("A single control lapsed; the logging process exists"))
        #expect(markdown.contains("accepted by Ada on") && markdown.contains("(evidence examined: ada.card.json)"))
        #expect(try String(contentsOfFile: file("report.html"), encoding: .utf8).contains("NC-01: follow-up"))
        let csv = try String(contentsOfFile: file("csv/nonconformities.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\r\n")
        #expect(rows.count == 2 && rows[1].hasPrefix("NC-01,") && rows[1].contains(",closed,") && rows[1].contains(",accepted,Ada,"))
        let oscal = try json(try String(contentsOfFile: file("report.json"), encoding: .utf8))
        let result = try #require((oscal["assessment-results"] as? [String: Any])?["results"] as? [[String: Any]]).first
        let risk = try #require((result?["risks"] as? [[String: Any]])?.first)
        #expect(risk["status"] as? String == "closed")
        let remediation = try #require((risk["remediations"] as? [[String: Any]])?.first)
        let task = try #require((remediation["tasks"] as? [[String: Any]])?.first)
        #expect((task["timing"] as? [String: Any])?["on-date"] != nil)
        let log = try #require((risk["risk-log"] as? [String: Any])?["entries"] as? [[String: Any]])
        #expect(log.contains { $0["status-change"] as? String == "closed" })
        let findings = try #require(result?["findings"] as? [[String: Any]])
        #expect(findings.contains { ($0["related-risks"] as? [[String: Any]])?.first?["risk-uuid"] as? String == risk["uuid"] as? String })
    }

    @Test func evidenceOfImplementationIsAddedAfterClosingAndIsNotLateWhileOtherEvidenceIsRefused() throws {
        try adaAndBen()
        let raised = try succeed([
            "finding", "raise", "--grade", "minor", "--ref", "A.6.2.8", "--statement", "Inference logs are kept 7 days",
            "--objective-evidence", "retention_days: 7", "--grade-justification", "A single control lapsed",
        ], as: "ben")
        let finding = String(try #require(raised.firstMatch(of: /([0-9a-f]{8}) against/)).1)
        try send("ben", to: "ada", "ben-day1.fabundle")
        try succeed(["finding", "sign-off", finding], as: "ada")
        let added = try succeed(["finding", "action", "add", "NC-01", "--action", "Review logging defaults", "--owner", "CTO", "--due", "2030-01-31"], as: "ada")
        let action = String(try #require(added.firstMatch(of: /action ([0-9a-f]{8})/)).1)
        try succeed(["engagement", "close", "--recommendation", "certify-after-closure", "--justification", "Stage 1 examined the rest"], as: "ada")
        try send("ada", to: "ben", "closed.fabundle")

        // After the team left the site, Ben receives the auditee's new configuration.
        try Data("retention_days: 730\n".utf8).write(to: URL(fileURLWithPath: file("logging.yaml")))
        try Data("another record\n".utf8).write(to: URL(fileURLWithPath: file("other.txt")))
        let before = try json(try succeed(["verify", "--json"], as: "ben"))["digest"] as? String
        for refused in [["--ref", "A.6.2.8"], ["--for", finding], ["--for", action, "--ref", "A.6.2.8"]] {
            let result = try run(["evidence", "add", file("other.txt")] + refused, as: "ben")
            #expect(result.status == 77 && result.stderr.contains("closed"), "evidence \(refused) is not evidence of implementation")
        }
        #expect(try json(try succeed(["verify", "--json"], as: "ben"))["digest"] as? String == before, "a refused capture changes nothing")
        let stored = try succeed(["evidence", "add", file("logging.yaml"), "--for", action, "--describe", "New logging configuration"], as: "ben")
        #expect(stored.contains("logging.yaml"))
        let benStatus = try json(try succeed(["status", "--json"], as: "ben"))
        let benCounts = try #require(benStatus["counts"] as? [String: Any])
        #expect(benCounts["evidence"] as? Int == 1 && benCounts["lateChanges"] as? Int == 0)

        // Ada imports it: nothing is late, and her verification and report show it.
        try send("ben", to: "ada", "ben-after.fabundle")
        let status = try json(try succeed(["status", "--json"], as: "ada"))
        let counts = try #require(status["counts"] as? [String: Any])
        #expect(counts["evidence"] as? Int == 1 && counts["lateChanges"] as? Int == 0, "evidence of implementation is never late")
        #expect(try succeed(["engagement", "late"], as: "ada").contains("logging.yaml") == false)
        try succeed(["finding", "action", "done", action, "--on", "2026-12-20", "--implementation", "retention_days: 730"], as: "ada")
        try succeed(["finding", "verify", "NC-01", "--accept", "--reason", "Configuration shows 730 days"], as: "ada")
        try succeed(["report", "--format", "markdown", "-o", file("report.md")], as: "ada")
        let markdown = try String(contentsOfFile: file("report.md"), encoding: .utf8)
        #expect(markdown.contains("(evidence examined: logging.yaml)"))
        #expect(markdown.contains("Final: the lead closed the engagement") && !markdown.contains("arrived later that the lead has not accepted"), "the report lists no late change")
    }

    @Test func hostileTextInACorrectiveActionIsEscapedOnTheTerminalAndNeutralisedInCSV() throws {
        try succeed(["init", "--name", "Ada"], as: "ada")
        try succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd", "--end", "2026-12-03"], as: "ada")
        let raised = try succeed([
            "finding", "raise", "--grade", "major", "--ref", "9.2.1", "--statement", "No internal audit", "--objective-evidence", "Empty programme",
            "--grade-justification", "A process is missing",
        ], as: "ada")
        let finding = String(try #require(raised.firstMatch(of: /([0-9a-f]{8}) against/)).1)
        #expect(try succeed(["finding", "sign-off", finding], as: "ada").contains("NC-01"))
        try succeed(["finding", "action", "add", "NC-01", "--action", "=HYPERLINK(\"http://x\")\u{1B}[31mred", "--owner", "\u{1B}]0;owned\u{07}", "--due", "2027-01-31"], as: "ada")
        let list = try succeed(["finding", "action", "list"], as: "ada")
        #expect(!list.contains("\u{1B}") && !list.contains("\u{07}") && list.contains("\\e[31mred"), "\(list)")
        try succeed(["report", "--format", "csv", "-o", file("csv")], as: "ada")
        let csv = try String(contentsOfFile: file("csv/nonconformities.csv"), encoding: .utf8)
        #expect(csv.contains(",\"'=HYPERLINK(\"\"http://x\"\")"), "\(csv)")
        // A refused action leaves nothing behind: a due date that is not a date.
        let before = try succeed(["verify", "--json"], as: "ada")
        #expect(try run(["finding", "action", "add", "NC-01", "--action", "x", "--owner", "y", "--due", "31/01/2027"], as: "ada").status == 65)
        #expect(try succeed(["verify", "--json"], as: "ada") == before)
    }
}
