import Foundation
import TestSupport
import Testing

/// Integrated audits as users type them: an engagement that audits ISO/IEC 42001 and a second
/// standard (the example CISO Assistant library), references qualified by the standards' prefixes,
/// ambiguity refused, each standard's own Statement of Applicability and coverage, and a teammate
/// who never imported the second catalog auditing it from the copy the engagement records.
struct IntegratedAuditTests: LaptopsInOneFolder {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-integrated")
    let library = "\(packageRoot)/Fixtures/catalogs/example-isms-2025.yaml"

    /// `status --json`'s standards, by prefix.
    func standards(_ who: String) throws -> [String: [String: Any]] {
        let list = try #require(try json(try succeed(["status", "--json"], as: who))["standards"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["prefix"] as? String ?? "", $0) })
    }

    /// The requirement rows of one standard in `status --json`, by reference.
    func rows(_ standard: [String: Any]?) throws -> [String: [String: Any]] {
        let rows = try #require(standard?["requirements"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["ref"] as? String ?? "", $0) })
    }

    @Test func aLeadAddsAStandardAndTheTeamCitesBothWithQualifiedReferences() throws {
        try adaAndBen()
        try succeed(["catalog", "import", library], as: "ada")
        try succeed(["test", "record", "A.6.2.8", "--method", "inspection", "--result", "conforming"], as: "ada")

        // Only a lead adds a standard, a change like any other.
        try succeed(["catalog", "import", library], as: "ben")
        let refused = try run(["engagement", "set", "--add-standard", "example-isms-2025"], as: "ben")
        #expect(refused.status == 77 && refused.stderr.contains("only a lead"), "\(refused.stderr)")
        let added = try succeed(["engagement", "set", "--add-standard", "example-isms-2025"], as: "ada")
        #expect(added.contains("now audits EXAMPLE-ISMS:2025 too; cite its requirements as isms:REF"), "\(added)")
        #expect(try succeed(["engagement", "set", "--add-standard", "example-isms-2025"], as: "ada").contains("already; nothing changed"))
        let shown = try succeed(["engagement", "show"], as: "ada")
        #expect(shown.contains("42001: ISO/IEC 42001:2023") && shown.contains("isms: EXAMPLE-ISMS:2025 — Example information security management standard 2025 (version 2) [example-isms-2025]"), "\(shown)")

        // A bare reference both standards have is refused naming both; a prefix nobody has too.
        let ambiguous = try run(["test", "record", "6.1.2", "--method", "inspection", "--result", "conforming"], as: "ada")
        #expect(ambiguous.status == 65 && ambiguous.stderr.contains("qualify it with the standard's prefix: 42001:6.1.2 or isms:6.1.2"), "\(ambiguous.stderr)")
        let unknown = try run(["test", "record", "9001:4.1", "--method", "inspection", "--result", "conforming"], as: "ada")
        #expect(unknown.status == 65 && unknown.stderr.contains("'9001' is not the prefix of a standard of this engagement; its standards are 42001 or isms"), "\(unknown.stderr)")
        try succeed(["test", "record", "isms:6.1.2", "--method", "inspection", "--result", "nonconforming"], as: "ada")
        try succeed(["test", "record", "a.8.15", "--method", "observation", "--result", "conforming"], as: "ada")

        // Stored by catalog id, shown by prefix; what was recorded before the standard was added keeps its meaning.
        let tests = try #require(try JSONSerialization.jsonObject(with: Data(try succeed(["test", "list", "--json"], as: "ada").utf8)) as? [[String: Any]])
        #expect(tests.compactMap { $0["ref"] as? String } == ["A.6.2.8", "example-isms-2025:6.1.2", "example-isms-2025:A.8.15"])
        let listed = try succeed(["test", "list", "--ref", "isms:6.1.2"], as: "ada")
        #expect(listed.contains("isms:6.1.2") && !listed.contains("A.6.2.8"), "\(listed)")

        // Ben never added the standard, yet audits it from the copy the engagement records, and cites both in one finding.
        try send("ada", to: "ben", "ada-day1.fabundle")
        try succeed([
            "finding", "raise", "--grade", "minor", "--ref", "42001:6.1.2,isms:6.1.2", "--statement", "Risk criteria are not defined",
            "--objective-evidence", "risk register v3",
        ], as: "ben")
        #expect(try succeed(["finding", "list"], as: "ben").contains("42001:6.1.2,isms:6.1.2"))

        // Each standard has its own coverage: the isms test counts for isms, not for 42001.
        let coverage = try standards("ben")
        #expect(coverage.keys.sorted() == ["42001", "isms"])
        let ours = try rows(coverage["42001"]), theirs = try rows(coverage["isms"])
        #expect(ours["A.6.2.8"]?["result"] as? String == "conforming" && ours["6.1.2"]?["result"] as? String == "nonconforming")
        #expect((ours["6.1.2"]?["tests"] as? [String: Int])?.isEmpty == true)
        #expect(theirs["6.1.2"]?["tests"] as? [String: Int] == ["nonconforming": 1] && theirs["A.8.15"]?["result"] as? String == "conforming")
        #expect(theirs["4.1"]?["result"] as? String == "not-examined")
        let status = try succeed(["status"], as: "ben")
        #expect(status.contains("against ISO/IEC 42001:2023 and EXAMPLE-ISMS:2025") && status.contains("coverage isms"), "\(status)")
    }

    @Test func eachStandardHasItsOwnStatementOfApplicability() throws {
        try succeed(["init", "--name", "Ada"], as: "ada")
        try succeed(["catalog", "import", library], as: "ada")
        let created = try succeed(
            ["engagement", "create", "--client", "Helix", "--standard", "iso-iec-42001-2023", "--standard", "example-isms-2025"], as: "ada")
        #expect(created.contains("ISO/IEC 42001:2023 as 42001, EXAMPLE-ISMS:2025 as isms"), "\(created)")
        let table = file("soa.csv")
        try "standard,control,applicable,justification\n42001,A.6.2.8,yes,\nisms,A.5.1,no,No outsourced processing\nisms,A.8.15,yes,\n"
            .write(toFile: table, atomically: true, encoding: .utf8)
        try succeed(["soa", "import", table], as: "ada")
        let second = file("soa-isms.csv")
        try "control,applicable\nA.5.2,yes\n".write(toFile: second, atomically: true, encoding: .utf8)
        try succeed(["soa", "import", second, "--standard", "isms"], as: "ada")
        // A.5.2 is a control of both standards: the row of a file given --standard is that standard's.
        let listed = try succeed(["soa", "list"], as: "ada")
        #expect(listed.contains("standard") && listed.contains("isms      A.5.2"), "\(listed)")
        #expect(try run(["soa", "set", "A.5.2", "--applicable", "yes"], as: "ada").status == 65)

        let coverage = try standards("ada")
        let isms = try #require(coverage["isms"]?["coverage"] as? [String: Int])
        #expect(isms["controls"] == 2, "A.5.1 is excluded from the example standard's applicable controls: \(isms)")
        let ours = try rows(coverage["42001"]), theirs = try rows(coverage["isms"])
        #expect(ours["A.6.2.8"]?["applicable"] as? Bool == true && ours["A.5.2"]?["applicable"] == nil)
        #expect(theirs["A.5.1"]?["applicable"] as? Bool == false && theirs["A.5.2"]?["applicable"] as? Bool == true)
    }

    /// A small integrated audit on one laptop: two standards, each with its Statement of
    /// Applicability, tests of both, a finding citing both, a note on a requirement of the second.
    func integratedDay() throws {
        try succeed(["init", "--name", "Ada"], as: "ada")
        try succeed(["catalog", "import", library], as: "ada")
        try succeed([
            "engagement", "create", "--client", "Helix Diagnostics Ltd", "--standard", "iso-iec-42001-2023", "--standard", "example-isms-2025",
            "--start", "2026-12-01", "--end", "2026-12-02", "--time-zone", "UTC", "--scope", "AI triage service",
        ], as: "ada")
        let table = file("soa.csv")
        try "standard,control,applicable,justification\n42001,A.6.2.8,yes,\n42001,A.10.4,no,No customers supply AI\nisms,A.5.1,no,No outsourced processing\nisms,A.8.15,yes,\n"
            .write(toFile: table, atomically: true, encoding: .utf8)
        try succeed(["soa", "import", table], as: "ada")
        try succeed(["test", "record", "A.6.2.8", "--method", "inspection", "--result", "conforming", "--sample", "7 days of logs"], as: "ada")
        try succeed(["test", "record", "isms:A.8.15", "--method", "inspection", "--result", "nonconforming", "--conclusion", "Logs kept 7 days"], as: "ada")
        try succeed(["test", "record", "isms:6.1.2", "--method", "inquiry", "--result", "conforming"], as: "ada")
        try succeed(["note", "--ref", "isms:4.1", "Context reviewed with the CISO"], as: "ada")
        try succeed([
            "finding", "raise", "--grade", "minor", "--ref", "42001:6.1.2", "--ref", "isms:A.8.15", "--statement", "Log retention is not risk-based",
            "--objective-evidence", "retention_days: 7",
        ], as: "ada")
    }

    @Test func theReportsOfAnIntegratedAuditHaveASectionPerStandardAndMatchTheirGoldenFiles() throws {
        try integratedDay()
        var normaliser = ReportNormaliser()
        let markdown = try succeed(["report", "--format", "markdown"], as: "ada")
        #expect(markdown.contains("isms: EXAMPLE-ISMS:2025 — Example information security management standard 2025 (version 2)"))
        #expect(markdown.contains("isms:A.8.15"))
        try assertSnapshot(normaliser.normalise(markdown), named: "report-integrated.md", in: "fieldauditTests")
        // The HTML anchors end with a finding's short id, which changes from run to run.
        let html = try succeed(["report", "--format", "html"], as: "ada").replacing(/id="(finding|follow-up)-[0-9a-f]{8}"/) { "id=\"\($0.output.1)-<short-id>\"" }
        try assertSnapshot(normaliser.normalise(html), named: "report-integrated.html", in: "fieldauditTests")

        let directory = file("tables")
        try succeed(["report", "--format", "csv", "-o", directory], as: "ada")
        for name in ["coverage.csv", "findings.csv", "tests.csv"] {
            let text = try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)
            try assertSnapshot(normaliser.normalise(text), named: "report-integrated.\(name)", in: "fieldauditTests")
        }
        let coverage = try String(contentsOfFile: "\(directory)/coverage.csv", encoding: .utf8)
        #expect(coverage.hasPrefix("standard,ref,") && coverage.contains("\r\nisms,A.8.15,control,"))

        let oscal = try succeed(["report", "--format", "oscal"], as: "ada")
        try assertSnapshot(normaliser.normalise(oscal), named: "report-integrated.oscal.json", in: "fieldauditTests")
        let references = OSCALReferences(try JSONSerialization.jsonObject(with: Data(oscal.utf8)))
        #expect(references.unresolved.isEmpty && references.duplicates.isEmpty, "unresolved: \(references.unresolved)")
        #expect(oscal.contains("\"control-id\" : \"example-isms-2025_A.8.15\"") && oscal.contains("\"control-id\" : \"A.6.2.8\""))
    }
}
