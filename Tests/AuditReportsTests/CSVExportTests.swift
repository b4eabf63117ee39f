import AuditReports
import Testing

/// RFC 4180 quoting and line ends, and OWASP's neutralising of cells a spreadsheet would evaluate.
struct CSVExportTests {
    @Test func cellsBeginningWithAFormulaCharacterGetASingleQuoteAndQuotes() {
        #expect(CSVExport.field("=1+1") == "\"'=1+1\"")
        #expect(CSVExport.field("+cmd|' /C calc'!A0") == "\"'+cmd|' /C calc'!A0\"")
        #expect(CSVExport.field("@SUM(A1:A9)") == "\"'@SUM(A1:A9)\"")
        #expect(CSVExport.field("=IMPORTXML(\"http://x\",\"//a\")") == "\"'=IMPORTXML(\"\"http://x\"\",\"\"//a\"\")\"")
        #expect(CSVExport.field("-2+3") == "\"'-2+3\"")
        #expect(CSVExport.field("\tTAB") == "\"'\tTAB\"")
        #expect(CSVExport.field("\rCR") == "\"'\rCR\"")
        #expect(CSVExport.field("\r\nCRLF") == "\"'\r\nCRLF\"")
    }

    @Test func aCellThatIsOnlyANumberStaysANumber() {
        #expect(CSVExport.field("-5") == "-5")
        #expect(CSVExport.field("+2.5") == "+2.5")
        #expect(CSVExport.field("-5e3") == "\"'-5e3\"")
        #expect(CSVExport.field("-") == "\"'-\"")
        #expect(CSVExport.field("a=1") == "a=1")
    }

    @Test func fieldsWithCommasQuotesOrLineBreaksAreQuotedAndQuotesDoubled() {
        #expect(CSVExport.field("plain") == "plain")
        #expect(CSVExport.field("a,b") == "\"a,b\"")
        #expect(CSVExport.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVExport.field("two\nlines") == "\"two\nlines\"")
        #expect(CSVExport.field(" padded") == "\" padded\"")
        #expect(CSVExport.field("é 漢字 ✓") == "é 漢字 ✓")
    }

    @Test func everyRecordEndsWithCRLFIncludingTheLast() {
        #expect(CSVExport.table(["a", "b"], [["1", "x,y"]]) == "a,b\r\n1,\"x,y\"\r\n")
    }
}
