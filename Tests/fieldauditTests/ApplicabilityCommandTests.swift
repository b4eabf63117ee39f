import Foundation
import TestSupport
import Testing

/// `soa set` and `soa import` through the built binary: clauses 4–10 are mandatory, and a control
/// is excluded only with a justification; a refused import writes nothing and names its line.
struct ApplicabilityCommandTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-soa")
    var store: String { directory.file("lead") }

    func run(_ arguments: [String]) throws -> FieldAuditCLI.Result { try cli.run(arguments, store: store) }

    func engagement() throws {
        #expect(try run(["init", "--name", "Ada Lead"]).status == 0)
        #expect(try run(["engagement", "create", "--client", "Helix Diagnostics Ltd", "--type", "stage2"]).status == 0)
    }

    func declared() throws -> [[String: Any]] {
        let result = try run(["soa", "list", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    @Test func excludingAClauseIsRefusedWithWhatIsAccepted() throws {
        try engagement()
        let refused = try run(["soa", "set", "6.1.2", "--applicable", "no", "--justification", "Not relevant to us"])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("6.1.2 is a clause of ISO/IEC 42001:2023, and clauses are mandatory"), "\(refused.stderr)")
        #expect(refused.stderr.contains("Only Annex A controls may be excluded, each with a justification"))
        #expect(try declared().isEmpty)
        #expect(try run(["soa", "set", "6.1.2", "--applicable", "yes"]).status == 0)
    }

    @Test func excludingAControlNeedsAJustificationGivenNowOrBefore() throws {
        try engagement()
        let refused = try run(["soa", "set", "A.7.6", "--applicable", "no"])
        #expect(refused.status == 65 && refused.stderr.contains("excluding A.7.6 needs a justification"), "\(refused.stderr)")
        #expect(try declared().isEmpty)
        #expect(try run(["soa", "set", "A.7.6", "--applicable", "no", "--justification", "Data preparation is done by a partner"]).status == 0)
        #expect(try run(["soa", "set", "A.7.6", "--applicable", "yes"]).status == 0)
        // The justification recorded before still stands for a later exclusion.
        #expect(try run(["soa", "set", "A.7.6", "--applicable", "no"]).status == 0)
        let entry = try #require(try declared().first)
        #expect(entry["applicable"] as? Bool == false && entry["justification"] as? String == "Data preparation is done by a partner")
    }

    @Test func anImportExcludingAClauseIsRefusedWholeNamingTheLine() throws {
        try engagement()
        let csv = directory.file("soa.csv")
        try "ref,applicable,justification,status\nA.2.2,yes,Required,implemented\n6.1.2,no,Not relevant,\nA.7.6,no,Done by a partner,\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let refused = try run(["soa", "import", csv])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("line 3 (6.1.2): refused: 6.1.2 is a clause of ISO/IEC 42001:2023, and clauses are mandatory"), "\(refused.stderr)")
        #expect(refused.stderr.contains("so nothing was recorded"))
        #expect(try declared().isEmpty, "no line of a refused import may be written")

        try "ref,applicable,justification,status\nA.2.2,yes,Required,implemented\nA.7.6,no,,\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let unjustified = try run(["soa", "import", csv])
        #expect(unjustified.status == 65 && unjustified.stderr.contains("line 3 (A.7.6): refused: excluding A.7.6 needs a justification"), "\(unjustified.stderr)")
        #expect(try declared().isEmpty)
    }
}
