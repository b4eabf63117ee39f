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

        // Evidence takes references the same way, and a link to a bare ambiguous one is refused naming both.
        try "retention_days: 7\n".write(toFile: file("retention.yaml"), atomically: true, encoding: .utf8)
        #expect(try run(["evidence", "add", file("retention.yaml"), "--ref", "6.1.2"], as: "ada").status == 65)
        try succeed(["evidence", "add", file("retention.yaml"), "--ref", "isms:A.8.15"], as: "ada")
        let evidence = try #require(try JSONSerialization.jsonObject(with: Data(try succeed(["evidence", "list", "--json"], as: "ada").utf8)) as? [[String: Any]])
        let evidenceID = try #require(evidence.first?["id"] as? String)
        let link = try run(["evidence", "link", evidenceID, "--to", "6.1.2"], as: "ada")
        #expect(link.status == 65 && link.stderr.contains("42001:6.1.2 or isms:6.1.2"), "\(link.stderr)")
        try succeed(["evidence", "link", evidenceID, "--to", "42001:6.1.2"], as: "ada")

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
        // Ben lists the second standard's requirements by its prefix.
        #expect(try succeed(["catalog", "list", "--catalog", "isms"], as: "ben").contains("A.8.15   Logging"))

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

        // One test may examine requirements of both standards: it counts for each.
        let both = try succeed(["test", "record", "42001:A.6.2.5", "--also", "isms:A.5.2", "--method", "inspection", "--result", "conforming"], as: "ben")
        #expect(both.contains("of 42001:A.6.2.5, isms:A.5.2: conforming"), "\(both)")
        let after = try standards("ben")
        #expect(try rows(after["42001"])["A.6.2.5"]?["tests"] as? [String: Int] == ["conforming": 1])
        #expect(try rows(after["isms"])["A.5.2"]?["tests"] as? [String: Int] == ["conforming": 1])
        #expect(try succeed(["test", "list", "--ref", "isms:A.5.2"], as: "ben").contains("42001:A.6.2.5,isms:A.5.2"))
        let unknownAlso = try run(["test", "record", "A.6.2.5", "--also", "A.5.2", "--method", "inspection", "--result", "conforming"], as: "ben")
        #expect(unknownAlso.status == 65 && unknownAlso.stderr.contains("42001:A.5.2 or isms:A.5.2"), "\(unknownAlso.stderr)")

        // Closing weighs every standard's mandatory clauses.
        let close = try run(["engagement", "close", "--recommendation", "certify"], as: "ada")
        #expect(close.status == 65 && close.stderr.contains("isms:4.1"), "\(close.stderr)")
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

    @Test func aMappingSetShowsATestOfOneStandardAsMappedEvidenceTowardsTheOtherNeverAsTested() throws {
        let mapping = "\(packageRoot)/Fixtures/catalogs/example-isms-to-iso42001-mapping.yaml"
        try adaAndBen()
        try succeed(["catalog", "import", library], as: "ada")
        let imported = try succeed(["catalog", "import", mapping], as: "ada")
        #expect(imported.contains("Imported the mapping set Example ISMS 2025 to ISO/IEC 42001:2023 (example-isms-2025-to-iso-iec-42001-2023, version 1): 2 mappings from EXAMPLE-ISMS:2025 to ISO/IEC 42001:2023"), "\(imported)")
        #expect(try succeed(["catalog", "import", mapping], as: "ada").hasPrefix("Already imported, nothing changed: "))
        #expect(try succeed(["catalog", "list", "--mappings"], as: "ada").contains("example-isms-2025-to-iso-iec-42001-2023  1 "))

        // A mapping set that is not right is refused whole, and nothing is stored.
        let text = try String(contentsOfFile: mapping, encoding: .utf8)
        let bad: [(String, String)] = [
            ("unknown-urn.yaml", text.replacingOccurrences(of: "iso42001-2023:6.1.2", with: "iso42001-2023:6.1.9")),
            ("relationship.yaml", text.replacingOccurrences(of: "relationship: subset", with: "relationship: part-of")),
            ("invalid.yaml", text.replacingOccurrences(of: "    requirement_mappings:", with: "    requirement_mappings: [")),
            ("version.yaml", text.replacingOccurrences(of: "strength_of_relationship: 8", with: "strength_of_relationship: 9")),
        ]
        for (name, content) in bad {
            try content.write(toFile: file(name), atomically: true, encoding: .utf8)
            let refused = try run(["catalog", "import", file(name)], as: "ada")
            #expect(refused.status == 65, "\(name): \(refused.stderr)")
        }
        #expect(try run(["catalog", "import", file("unknown-urn.yaml")], as: "ada").stderr.contains(
            "target_requirement_urn urn:intuitem:risk:req_node:iso42001-2023:6.1.9 is no requirement of ISO/IEC 42001:2023"))
        #expect(try run(["catalog", "import", file("version.yaml")], as: "ada").stderr.contains("is already imported with other text"))
        #expect(try succeed(["catalog", "list", "--mappings"], as: "ada").split(separator: "\n").count == 2)

        // An engagement of one standard cannot record it; adding the other standard records it with it.
        let alone = try run(["engagement", "set", "--add-mapping", "example-isms-2025-to-iso-iec-42001-2023"], as: "ada")
        #expect(alone.status == 65 && alone.stderr.contains("which are not two standards of this engagement"), "\(alone.stderr)")
        #expect(try succeed(["engagement", "set", "--add-standard", "example-isms-2025"], as: "ada").contains("The mapping set Example ISMS 2025 to ISO/IEC 42001:2023 is recorded with it."))
        #expect(try succeed(["engagement", "set", "--add-mapping", "example-isms-2025-to-iso-iec-42001-2023"], as: "ada").contains("recorded already"))

        try succeed(["test", "record", "isms:6.1.2", "--method", "inspection", "--result", "conforming"], as: "ada")
        try succeed(["test", "record", "42001:4.1", "--method", "inquiry", "--result", "nonconforming"], as: "ada")
        // Ben holds neither the library nor the mapping set: the engagement records both.
        try send("ada", to: "ben", "ada-day1.fabundle")
        for who in ["ada", "ben"] {
            let coverage = try standards(who)
            let ours = try rows(coverage["42001"]), theirs = try rows(coverage["isms"])
            #expect(ours["6.1.2"]?["result"] as? String == "not-examined", "mapped evidence is never counted as tested")
            #expect(ours["6.1.2"]?["mapped"] as? [String] == ["mapped from isms:6.1.2, subset: conforming"])
            #expect(theirs["6.1.2"]?["result"] as? String == "conforming" && theirs["6.1.2"]?["mapped"] == nil)
            #expect(theirs["4.1"]?["result"] as? String == "not-examined")
            #expect(theirs["4.1"]?["mapped"] as? [String] == ["mapped from 42001:4.1, intersect: nonconforming"])
            let ourTotals = try #require(coverage["42001"]?["coverage"] as? [String: Int])
            #expect(ourTotals["clausesCovered"] == 1, "only 4.1, tested; 6.1.2 has mapped evidence only: \(ourTotals)")
        }
        let report = try succeed(["report"], as: "ben")
        #expect(report.contains("| Mapped evidence (not counted as tested) |") && report.contains("mapped from isms:6.1.2, subset: conforming"))
        #expect(try succeed(["status"], as: "ben").contains("mapped from isms:6.1.2, subset: conforming"))
    }

    @Test func anEngagementOfAnOlderVersionLeavesOutAHeldMappingSetItCannotShowAndSaysSo() throws {
        try adaAndBen()
        // Ada holds versions 2 and 3 of the library (3 has A.8.16 instead of A.8.15) and a mapping
        // set made for version 3, which maps A.8.16.
        let v3 = try String(contentsOfFile: library, encoding: .utf8)
            .replacingOccurrences(of: "\nversion: 2\n", with: "\nversion: 3\n")
            .replacingOccurrences(of: "A.8.15", with: "A.8.16").replacingOccurrences(of: "a.8.15", with: "a.8.16")
        try v3.write(toFile: file("isms-v3.yaml"), atomically: true, encoding: .utf8)
        let mapping = try String(contentsOfFile: "\(packageRoot)/Fixtures/catalogs/example-isms-to-iso42001-mapping.yaml", encoding: .utf8)
            .replacingOccurrences(of: "example-isms-2025:6.1.2", with: "example-isms-2025:a.8.16")
        try mapping.write(toFile: file("mapping-v3.yaml"), atomically: true, encoding: .utf8)
        for path in [library, file("isms-v3.yaml"), file("mapping-v3.yaml")] { try succeed(["catalog", "import", path], as: "ada") }

        // Created against version 2: the set is left out, visibly, and why; nothing half-shown.
        let created = try succeed(["engagement", "create", "--client", "Northwind", "--standard", "iso-iec-42001-2023", "--standard", "example-isms-2025@2"], as: "ada")
        #expect(created.contains("The mapping set Example ISMS 2025 to ISO/IEC 42001:2023 is not recorded:") && created.contains("urn:fieldaudit:risk:req_node:example-isms-2025:a.8.16"), "\(created)")
        #expect(created.contains("this engagement audits that version") && !created.contains("is recorded:"), "\(created)")
        try succeed(["test", "record", "isms:4.1", "--method", "inspection", "--result", "conforming"], as: "ada")
        #expect(try rows(try standards("ada")["42001"])["4.1"]?["mapped"] == nil, "no mapping of the set is shown")
        let added = try run(["engagement", "set", "--add-mapping", "example-isms-2025-to-iso-iec-42001-2023"], as: "ada")
        #expect(added.status == 65 && added.stderr.contains("a.8.16"), "\(added.stderr)")

        // Adding version 2 to an engagement of 42001 alone: the same rule, the same note.
        try succeed(["engagement", "create", "--client", "Contoso"], as: "ada")
        let standard = try succeed(["engagement", "set", "--add-standard", "example-isms-2025@2"], as: "ada")
        #expect(standard.contains("is not recorded:") && !standard.contains("is recorded with it"), "\(standard)")

        // Against version 3 it is recorded and shown.
        let newest = try succeed(["engagement", "create", "--client", "Fabrikam", "--standard", "iso-iec-42001-2023", "--standard", "example-isms-2025"], as: "ada")
        #expect(newest.contains("The mapping set Example ISMS 2025 to ISO/IEC 42001:2023 is recorded:") && !newest.contains("not recorded"), "\(newest)")
        try succeed(["test", "record", "isms:4.1", "--method", "inspection", "--result", "conforming"], as: "ada")
        #expect(try rows(try standards("ada")["42001"])["4.1"]?["mapped"] as? [String] == ["mapped from isms:4.1, intersect: conforming"])
    }
}
