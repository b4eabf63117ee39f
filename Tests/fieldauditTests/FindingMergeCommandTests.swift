import Foundation
import TestSupport
import Testing

/// `finding merge` as users type it, across two laptops exchanging bundles: the lead merges the
/// auditor's finding into hers while the auditor, offline, adds to it; both laptops end up with
/// one nonconformity naming both auditors and every evidence file, and bad merges are refused.
struct FindingMergeCommandTests: LaptopsInOneFolder {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-merge")

    func raise(_ who: String, ref: String, _ statement: String) throws -> String {
        let raised = try succeed([
            "finding", "raise", "--grade", "minor", "--ref", ref, "--statement", statement, "--objective-evidence", "\(statement), seen by \(who)",
            "--grade-justification", "One control lapsed",
        ], as: who)
        return String(try #require(raised.firstMatch(of: /([0-9a-f]{8}) against/)).1)
    }

    @Test func aLeadMergesAnAuditorsFindingAndBothLaptopsReportOneNonconformityWithBothObservations() throws {
        let engagement = try adaAndBen()

        // Two auditors see the same weakness in two departments.
        let kept = try raise("ada", ref: "A.6.2.8", "Radiology keeps inference logs 7 days")
        try Data("retention_days: 7".utf8).write(to: URL(fileURLWithPath: file("radiology.yaml")))
        try succeed(["evidence", "add", file("radiology.yaml"), "--for", kept], as: "ada")
        let other = try raise("ben", ref: "A.6.2.6", "Pathology keeps inference logs 7 days")
        try Data("retention: 7d".utf8).write(to: URL(fileURLWithPath: file("pathology.conf")))
        try succeed(["evidence", "add", file("pathology.conf"), "--for", other], as: "ben")
        try send("ben", to: "ada", "ben-day1.fabundle")
        try succeed(["finding", "sign-off", kept], as: "ada")
        try succeed(["finding", "sign-off", other], as: "ada")

        // Only the lead merges.
        let byAuditor = try run(["finding", "merge", kept, other], as: "ben")
        #expect(byAuditor.status == 77 && byAuditor.stderr.contains("merges findings"), "\(byAuditor.stderr)")

        // The lead merges; meanwhile, offline, Ben adds a requirement to his finding.
        let merged = try succeed(["finding", "merge", "NC-01", "NC-02", "--reason", "one retention default"], as: "ada")
        #expect(merged.contains("Merged finding NC-02 (\(other)) into NC-01 (\(kept))"))
        #expect(merged.contains("Its sign-off no longer stands"))
        try succeed(["finding", "edit", other, "--ref", "A.6.2.6", "--ref", "A.8.2"], as: "ben")
        try send("ben", to: "ada", "ben-day2.fabundle")
        try send("ada", to: "ben", "ada-day2.fabundle")

        for who in ["ada", "ben"] {
            let list = try succeed(["finding", "list"], as: who)
            #expect(list.contains("NC-01") && !list.contains("NC-02"), "\(who): the merged finding is not listed on its own")
            let mergedList = try succeed(["finding", "list", "--merged"], as: who)
            #expect(mergedList.contains("NC-02") && mergedList.contains("NC-01 (\(kept))") && mergedList.contains("one retention default"), "\(who)")
            let shown = try succeed(["finding", "show", "NC-01"], as: who)
            #expect(shown.contains("merged from") && shown.contains("NC-02 (\(other)), raised by Ben"), "\(who)")
            #expect(shown.contains("auditors") && shown.contains("Ada, Ben"), "\(who)")
            #expect(shown.contains("A.8.2"), "\(who): Ben's edit after the merge shows on the kept finding")
            #expect(shown.contains("radiology.yaml") && shown.contains("pathology.conf"), "\(who)")
            #expect(try succeed(["finding", "show", "NC-02"], as: who).contains("NC-02 (\(other)) merged into NC-01 (\(kept))"), "\(who)")
            let status = try succeed(["status", "--brief"], as: who)
            #expect(status.contains("by Ada, Ben") && status.contains("radiology.yaml") && status.contains("pathology.conf"), "\(who): \(status)")
            #expect(status.contains("1 minor"), "\(who): one nonconformity is counted")
        }

        try succeed(["report", "--format", "markdown", "-o", file("report.md")], as: "ada")
        let report = try String(contentsOfFile: file("report.md"), encoding: .utf8)
        #expect(report.contains("NC-02 (\(other)) merged into NC-01, raised by Ben: one retention default"))
        #expect(report.contains("Ada, Ben") && report.contains("pathology.conf") && report.contains("radiology.yaml"))
        #expect(!report.contains("NC-02: "), "the merged finding is not reported on its own")
        try succeed(["report", "--format", "csv", "-o", file("csv")], as: "ada")
        let csv = try String(contentsOfFile: file("csv/findings.csv"), encoding: .utf8)
        #expect(csv.contains("Ada; Ben") && csv.contains("NC-02 (\(other)) merged into NC-01") && csv.contains("pathology.conf"))
        let status = try succeed(["status", "--json"], as: "ada")
        let nonconformities = try #require(try json(status)["nonconformities"] as? [[String: Any]])
        #expect(nonconformities.count == 1 && nonconformities.first?["auditors"] as? [String] == ["Ada", "Ben"])
        #expect(Set(nonconformities.first?["evidence"] as? [String] ?? []) == ["radiology.yaml", "pathology.conf"])

        // Bad merges: clear errors, exit 65, nothing written.
        let before = try succeed(["log", "--limit", "5"], as: "ada")
        for (arguments, message) in [
            (["finding", "merge", "NC-01", "NC-01"], "cannot be merged into itself"),
            (["finding", "merge", "NC-01", "NC-02"], "already merged into NC-01"),
            (["finding", "merge", "NC-02", kept], "merge into that one instead"),
            (["finding", "merge", "NC-01", "deadbeef"], "deadbeef"),
        ] {
            let refused = try run(arguments, as: "ada")
            #expect(refused.status == 65 && refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }
        try succeed(["engagement", "create", "--client", "Other Client plc", "--start", "2026-12-01", "--end", "2026-12-03"], as: "ada")
        let foreign = try raise("ada", ref: "A.6.2.8", "Elsewhere")
        try succeed(["engagement", "use", String(engagement)], as: "ada")
        let across = try run(["finding", "merge", "NC-01", foreign], as: "ada")
        #expect(across.status == 65 && across.stderr.contains("a merge stays within one engagement"), "\(across.stderr)")
        try succeed(["engagement", "use", String(engagement)], as: "ada")
        #expect(try succeed(["log", "--limit", "5"], as: "ada") == before, "no refused merge wrote anything")
    }

    @Test func mergingAMajorIntoAMinorSaysTheKeptGradeStaysAndHowToRegradeIt() throws {
        try succeed(["init", "--name", "Ada"], as: "ada")
        try succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd", "--start", "2026-12-01", "--end", "2026-12-03"], as: "ada")
        let kept = try raise("ada", ref: "A.6.2.8", "Radiology keeps inference logs 7 days")
        let major = try succeed([
            "finding", "raise", "--grade", "major", "--ref", "A.6.2.6", "--statement", "No log retention anywhere", "--objective-evidence", "none kept",
        ], as: "ada")
        let other = String(try #require(major.firstMatch(of: /([0-9a-f]{8}) against/)).1)
        let merged = try succeed(["finding", "merge", kept, other], as: "ada")
        #expect(merged.contains("Note: \(other) was graded major, and \(kept) stays minor") && merged.contains("--grade major"), "\(merged)")
        #expect(try succeed(["status", "--brief"], as: "ada").contains("0 major, 1 minor"), "the merged major is no longer counted")
    }
}
