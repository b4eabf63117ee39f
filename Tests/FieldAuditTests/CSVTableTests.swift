@testable import FieldAudit
import Foundation
import TestSupport
import Testing

/// `CSVTable`: the one reader of the auditee's CSV tables. Columns by header name, the
/// delimiter detected, blank rows skipped, every row with the line it starts on; spreadsheets,
/// binary files, header-less tables and unclosed quotes refused as a whole.
struct CSVTableTests {
    let directory = TemporaryDirectory("fieldaudit-csv")
    let schema = CSVTable.Schema.systems

    func table(_ text: String) throws -> CSVTable { try CSVTable.parse(text, path: "t.csv", schema: schema) }

    func refusal(_ text: String) -> String {
        do {
            _ = try table(text)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test func columnsAreFoundByHeaderNameInAnyOrderIgnoringCaseSpacesAndSynonyms() throws {
        let read = try table("Risk Class,PURPOSE,System_Name,Owner,organisation role\nhigh,Triage,TriageNet,Ops,provider\n")
        #expect(read.rows.count == 1)
        #expect(read.rows[0].values == ["risk": "high", "purpose": "Triage", "name": "TriageNet", "role": "provider"])
        #expect(read.ignoredColumns == ["Owner"])
    }

    @Test(arguments: [(";", Character(";")), ("\t", Character("\t")), (",", Character(","))])
    func theDelimiterIsDetectedFromTheHeaderLine(written: String, expected: Character) throws {
        let text = ["name", "purpose", "role", "risk"].joined(separator: written) + "\n"
            + ["TriageNet", "Triage, or not", "provider", "high"].map { $0.contains(written) ? "\"\($0)\"" : $0 }.joined(separator: written) + "\n"
        let read = try table(text)
        #expect(read.delimiter == expected)
        #expect(read.rows.first?["purpose"] == "Triage, or not")
    }

    @Test func aQuotedValueWithALineBreakKeepsItAndTheLinesAfterItKeepTheirNumbers() throws {
        let read = try table("name,purpose,role,risk\r\nTriageNet,\"Line one\r\nline two\",provider,high\r\n\r\nChestScan,,developer,high\r\n")
        #expect(read.rows.map(\.line) == [2, 5])
        #expect(read.rows[0]["purpose"] == "Line one\r\nline two")
        #expect(read.blankLines == [4])
    }

    @Test func blankRowsAndRowsOfDelimitersAreSkippedNotRefused() throws {
        let read = try table("name,purpose,role,risk\nTriageNet,,provider,high\n,,,\n  ,  , ,\n\nChestScan,,developer,high\n,,,\n")
        #expect(read.rows.map(\.line) == [2, 6])
        #expect(read.blankLines == [3, 4, 5, 7])
        #expect(read.malformed.isEmpty)
    }

    @Test func aRowWithMoreValuesThanTheHeaderIsMalformedAndNamesItsLine() throws {
        let read = try table("name,purpose,role,risk\nTriageNet,Triage, fast,provider,high\nChestScan,,developer,high,,\n")
        #expect(read.malformed.map(\.line) == [2])
        #expect(read.malformed.first?.reason.contains("5 values, but the header names 4 columns") == true)
        #expect(read.rows.map(\.line) == [3], "empty trailing cells are not extra values")
    }

    @Test func aTableWithoutAHeaderIsRefusedShowingItsFirstLineAndTheColumnsAccepted() {
        let message = refusal("TriageNet,Suggests a triage category,provider,high\nChestScan,Flags X-rays,developer,high\n")
        #expect(message.contains("its first line (TriageNet,Suggests a triage category,provider,high) is not a header"), "\(message)")
        #expect(message.contains("name (required; also: system, system name"))
    }

    @Test func aMissingRequiredColumnIsNamedWithTheHeaderFound() {
        let message = refusal("name;role\nTriageNet;provider\n")
        #expect(message.contains("its header (name;role) has no column 'risk'"), "\(message)")
    }

    @Test func aQuoteNeverClosedIsRefusedNamingTheLineItOpens() {
        let message = refusal("name,purpose,role,risk\nTriageNet,ok,provider,high\nChestScan,\"Flags X-rays,developer,high\nLetterDraft,,user,limited\n")
        #expect(message.contains("line 3 opens a quoted value"), "\(message)")
    }

    @Test func aByteOrderMarkIsDroppedBeforeTheHeaderIsRead() throws {
        let path = directory.file("bom.csv")
        try (Data([0xEF, 0xBB, 0xBF]) + Data("name,role,risk\r\nTriageNet,provider,high\r\n".utf8)).write(to: URL(fileURLWithPath: path))
        let read = try CSVTable.read(path, schema: schema)
        #expect(read.header == ["name", "role", "risk"])
        #expect(read.rows.first?["name"] == "TriageNet")
    }

    @Test(arguments: [
        ("inventory.xlsx", Data("name,role,risk\n".utf8), "an Excel workbook"),
        ("inventory.csv", Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00]) + Data("[Content_Types].xml xl/workbook.xml".utf8), "an Excel workbook"),
        ("inventory.csv", Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]), "an Excel workbook"),
        ("inventory.ods", Data("name,role,risk\n".utf8), "an OpenDocument spreadsheet"),
        ("inventory.csv", Data([0x50, 0x4B, 0x03, 0x04]) + Data("mimetypeapplication/vnd.oasis.opendocument.spreadsheet".utf8), "an OpenDocument spreadsheet"),
    ])
    func aSpreadsheetIsRefusedByNameOrFirstBytesWithHowToSaveItAsCSV(name: String, bytes: Data, kind: String) throws {
        let path = directory.file(name)
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect {
            try CSVTable.read(path, schema: schema)
        } throws: { error in
            guard case let FieldAuditError.invalidInput(_, reason) = error else { return false }
            return reason.contains("this is \(kind), not a CSV table; save it as CSV")
        }
    }

    @Test func utf16TextIsRefusedSayingToSaveItAsUTF8() throws {
        let path = directory.file("unicode.csv")
        try (Data([0xFF, 0xFE]) + "name,role,risk\n".data(using: .utf16LittleEndian)!).write(to: URL(fileURLWithPath: path))
        #expect {
            try CSVTable.read(path, schema: schema)
        } throws: { error in
            guard case let FieldAuditError.invalidInput(_, reason) = error else { return false }
            return reason.contains("it is UTF-16 text") && reason.contains("export the table as CSV (UTF-8)")
        }
    }

    @Test func aBinaryFileIsRefusedAsNotACSVTable() throws {
        let path = directory.file("photo.csv")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D]).write(to: URL(fileURLWithPath: path))
        #expect {
            try CSVTable.read(path, schema: schema)
        } throws: { error in
            guard case let FieldAuditError.invalidInput(_, reason) = error else { return false }
            return reason.contains("it is a binary file, not a CSV table")
        }
    }

    /// Law: any table written by RFC 4180's rules (quoted where needed, with `,` `;` or tab,
    /// LF or CRLF, blank rows between) reads back with the same values, each row on the line
    /// it was written on.
    @Test func anyTableWrittenByRFC4180ReadsBackWithItsValuesAndLines() throws {
        var generator = SeededGenerator(seed: 19)
        let alphabet = Array("abc XYZ,;\t\"\n\r\u{e9}\u{202e}=-1")
        for _ in 0..<propertyRuns(200) {
            let delimiter = ([",", ";", "\t"] as [Character]).randomElement(using: &generator)!
            let newline = generator.chance(0.5) ? "\r\n" : "\n"
            func cell() -> String {
                String((0..<Int.random(in: 0...8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            func quoted(_ value: String) -> String {
                value.contains(where: { $0 == delimiter || $0 == "\"" || $0.isNewline }) || value.hasPrefix(" ")
                    ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
            }
            let header = ["name", "purpose", "role", "risk"]
            var text = header.joined(separator: String(delimiter)) + newline
            var line = 2
            var expected: [(line: Int, values: [String])] = []
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                if generator.chance(0.2) {
                    text += newline
                    line += 1
                    continue
                }
                var values = (0..<4).map { _ in cell() }
                if values.allSatisfy(\.isEmpty) { values[0] = "x" }
                text += values.map(quoted).joined(separator: String(delimiter)) + newline
                expected.append((line, values))
                line += 1 + values.reduce(0) { $0 + CSVTable.lineBreaks(in: $1) }
            }
            let read = try table(text)
            #expect(read.delimiter == delimiter, "\(text.debugDescription)")
            #expect(read.rows.map(\.line) == expected.map(\.line), "\(text.debugDescription)")
            #expect(read.rows.map { row in header.map { row.values[$0] ?? "" } } == expected.map(\.values), "\(text.debugDescription)")
        }
    }
}
