import AuditReports
import Testing

/// RFC 4180 quoting and line ends.
struct CSVExportTests {
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
