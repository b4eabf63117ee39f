import Foundation
import TestSupport
import Testing

/// `system import` and `soa import` through the built binary, with the files auditors are
/// actually handed: no header, a workbook, semicolons, trailing `,,,`, BOM and CRLF, the same
/// file twice, a quoted value with a line break, a refused row.
struct CSVImportCommandTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-csv-import")
    var store: String { directory.file("lead") }
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/stage2").path

    func run(_ arguments: [String]) throws -> FieldAuditCLI.Result { try cli.run(arguments, store: store) }

    init() throws {
        #expect(try cli.run(["init", "--name", "Ada Lead"], store: directory.file("lead")).status == 0)
        #expect(try cli.run(["engagement", "create", "--client", "Helix Diagnostics Ltd", "--type", "stage2"], store: directory.file("lead")).status == 0)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory.file(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func systems() throws -> [[String: Any]] {
        let result = try run(["system", "list", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    func digest() throws -> String {
        let output = try JSONSerialization.jsonObject(with: Data(try run(["verify", "--json"]).stdout.utf8)) as? [String: Any]
        return try #require(output?["digest"] as? String)
    }

    @Test func theSameSystemsFileTwiceRecordsEachSystemOnceAndSaysUnchanged() throws {
        let first = try run(["system", "import", "\(Self.fixtures)/systems.csv"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("line 2 (TriageNet): added") && first.stdout.contains("Recorded 3 AI systems (3 added, 0 updated)"), "\(first.stdout)")
        let second = try run(["system", "import", "\(Self.fixtures)/systems.csv"])
        #expect(second.status == 0)
        #expect(second.stdout.contains("line 4 (LetterDraft): unchanged"), "\(second.stdout)")
        #expect(second.stdout.contains("Nothing to record: 3 unchanged"), "\(second.stdout)")
        #expect(try systems().count == 3)
    }

    @Test func aChangedRowUpdatesOnlyWhatChangedAndSaysSo() throws {
        #expect(try run(["system", "import", "\(Self.fixtures)/systems.csv"]).status == 0)
        let changed = try write("changed.csv", "Risk,Name\nhigh,letter draft\nhigh,TriageNet\n")
        // `role` is required for a new system, so the file names it too.
        let withRole = try write("changed-role.csv", "Risk,Name,Role\nhigh,letter draft,user\nhigh,TriageNet,provider\n")
        #expect(try run(["system", "import", changed]).status == 65, "a table without the required role column is refused")
        let result = try run(["system", "import", withRole])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("line 2 (letter draft): updated (name: LetterDraft → letter draft; risk: limited → high)"), "\(result.stdout)")
        #expect(result.stdout.contains("line 3 (TriageNet): unchanged"))
        let letter = try #require(try systems().first { ($0["name"] as? String) == "letter draft" })
        #expect(letter["riskClass"] as? String == "high")
        #expect((letter["purpose"] as? String)?.hasPrefix("Drafts discharge letters") == true, "a column the file lacks leaves the field as it was")
        #expect(try systems().count == 3)
    }

    @Test func aSemicolonFileWithBOMAndCRLFAndTrailingBlankRowsIsReadByHeaderName() throws {
        let path = directory.file("eu.csv")
        let text = "System Name;Risk Class;Role;Intended Purpose\r\nTriageNet;high;provider;\"Triage; fast\r\nsecond line\"\r\n;;;\r\nChestScan;high;developer;X-rays\r\n;;;\r\n"
        try (Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)).write(to: URL(fileURLWithPath: path))
        let result = try run(["system", "import", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("line 2 (TriageNet): added"), "\(result.stdout)")
        #expect(result.stdout.contains("line 4: skipped (blank)") && result.stdout.contains("line 5 (ChestScan): added") && result.stdout.contains("line 6: skipped (blank)"), "\(result.stdout)")
        let triage = try #require(try systems().first { ($0["name"] as? String) == "TriageNet" })
        #expect(triage["purpose"] as? String == "Triage; fast\r\nsecond line")
    }

    @Test func aFileWithoutAHeaderIsRefusedWholeNotShortOfItsFirstRow() throws {
        let rows = try String(contentsOfFile: "\(Self.fixtures)/systems.csv", encoding: .utf8).split(separator: "\n").dropFirst().joined(separator: "\n")
        let before = try digest()
        let result = try run(["system", "import", try write("headerless.csv", rows + "\n")])
        #expect(result.status == 65)
        #expect(result.stderr.contains("its first line (TriageNet,") && result.stderr.contains("is not a header"), "\(result.stderr)")
        #expect(try digest() == before)
    }

    @Test func anExcelWorkbookIsRefusedWithHowToSaveItAsCSV() throws {
        let path = directory.file("systems.xlsx")
        try (Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]) + Data("[Content_Types].xml".utf8)).write(to: URL(fileURLWithPath: path))
        let before = try digest()
        for command in [["system", "import", path], ["soa", "import", path]] {
            let result = try run(command)
            #expect(result.status == 65, "\(result.stdout)")
            #expect(result.stderr.contains("this is an Excel workbook, not a CSV table; save it as CSV (File › Save As › CSV UTF-8)"), "\(result.stderr)")
        }
        #expect(try digest() == before)
    }

    @Test func aRefusedRowRecordsNothingUnlessBadRowsAreSkippedAndTheCommandFailsEitherWay() throws {
        let path = try write("bad.csv", "name,role,risk\nTriageNet,provider,high\nChestScan,developer,severe\n")
        let before = try digest()
        let refused = try run(["system", "import", path])
        #expect(refused.status == 65)
        #expect(refused.stdout.contains("line 2 (TriageNet): not recorded (would be added)"), "\(refused.stdout)")
        #expect(refused.stderr.contains("line 3 (ChestScan): refused: 'severe' is not a valid risk class"), "\(refused.stderr)")
        #expect(refused.stderr.contains("so nothing was recorded") && refused.stderr.contains("--skip-bad-rows"))
        #expect(try digest() == before)

        let skipped = try run(["system", "import", "--skip-bad-rows", path])
        #expect(skipped.status == 65)
        #expect(skipped.stdout.contains("line 2 (TriageNet): added"), "\(skipped.stdout)")
        #expect(skipped.stderr.contains("the other rows were recorded"), "\(skipped.stderr)")
        #expect(try systems().map { $0["name"] as? String } == ["TriageNet"])
    }

    @Test func theSameStatementOfApplicabilityTwiceChangesNothingAndAChangedRowUpdatesIt() throws {
        #expect(try run(["soa", "import", "\(Self.fixtures)/soa.csv"]).status == 0)
        let before = try digest()
        let again = try run(["soa", "import", "\(Self.fixtures)/soa.csv"])
        #expect(again.status == 0 && again.stdout.contains("Nothing to record: 38 unchanged"), "\(again.stdout)")
        #expect(try digest() == before)
        let changed = try run(["soa", "import", try write("soa2.csv", "Control\tApplies\tImplementation Status\nA.2.2\tyes\tpartial\n")])
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stdout.contains("line 2 (A.2.2): updated (status: implemented → partial)"), "\(changed.stdout)")
    }

    @Test func helpListsTheAcceptedColumnNames() throws {
        let help = try run(["system", "import", "--help"])
        #expect(help.stdout.contains("risk (required; also: risk class"), "\(help.stdout)")
        let soa = try run(["soa", "import", "--help"])
        #expect(soa.stdout.contains("ref (required; also: control"), "\(soa.stdout)")
    }
}
