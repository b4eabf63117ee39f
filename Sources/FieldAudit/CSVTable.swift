import CSV
import Foundation

/// A CSV table the user hands to an import (a Statement of Applicability, an AI-system inventory,
/// an audit plan), read one way: through `InputFile`, parsed by CSV.swift (RFC 4180: quoted
/// fields, doubled quotes, line breaks inside quotes), with its columns found by header name.
///
/// What it accepts and refuses:
/// - the delimiter is detected from the header line: `,`, `;` (what spreadsheets write where the
///   decimal mark is a comma) or a tab;
/// - a UTF-8 byte order mark and CRLF line ends are accepted;
/// - columns are matched by name, ignoring case, spaces, `_` and `-`, with synonyms
///   (`Schema.Column`); unknown columns are ignored and listed in `ignoredColumns`;
/// - blank rows (empty lines, or only delimiters such as `,,,`) are skipped and listed;
/// - a spreadsheet (`.xlsx`, `.xls`, `.ods`, `.numbers`, by extension or by its first bytes), a
///   binary file, a file without a header naming the required columns, and a quote never closed
///   are refused as a whole (`FieldAuditError.invalidInput`, exit 65), saying what to do.
///
/// Rows come with the line number they start on, so every message can name it.
public struct CSVTable: Sendable {
    /// The columns an import reads, each with the names it is known by.
    public struct Schema: Sendable {
        /// One column: its canonical name (the key of `Row.values`), the other names a header
        /// may give it, and whether a table without it is refused.
        public struct Column: Sendable {
            /// The name rows are keyed by, and the first name `--help` lists (`name`).
            public let name: String
            /// Other header names accepted for it (`system`, `system name`).
            public let synonyms: [String]
            /// Whether the header must have it.
            public let required: Bool

            /// A column called `name`, also accepted as any of `synonyms`.
            public init(_ name: String, synonyms: [String] = [], required: Bool = false) {
                self.name = name
                self.synonyms = synonyms
                self.required = required
            }

            /// Whether a header cell names this column.
            func matches(_ header: String) -> Bool {
                let key = CSVTable.normalised(header)
                return ([name] + synonyms).contains { CSVTable.normalised($0) == key }
            }
        }

        /// The columns, in the order `--help` lists them.
        public let columns: [Column]

        /// A schema of these columns.
        public init(_ columns: [Column]) { self.columns = columns }

        /// The accepted header names, for a command's `--help`: one line per column, required
        /// ones marked (`name (required; also: system, system name)`).
        public var help: String {
            columns.map { column in
                var notes: [String] = []
                if column.required { notes.append("required") }
                if !column.synonyms.isEmpty { notes.append("also: " + column.synonyms.joined(separator: ", ")) }
                return "  " + column.name + (notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")")
            }.joined(separator: "\n")
        }
    }

    /// One data row: its first line in the file and its values by canonical column name.
    public struct Row: Sendable {
        /// The line of the file the row starts on (the header is line 1, or later after blank lines).
        public let line: Int
        /// The row's values, trimmed of surrounding spaces, keyed by canonical column name; a
        /// column the header has but the row leaves out reads as empty.
        public let values: [String: String]

        /// The value of a column, or `nil` when it is absent or empty.
        public subscript(column: String) -> String? {
            guard let value = values[column], !value.isEmpty else { return nil }
            return value
        }
    }

    /// The file as the user named it.
    public let path: String
    /// The delimiter found on the header line.
    public let delimiter: Character
    /// The header line's cells, as written.
    public let header: [String]
    /// The data rows that hold at least one value, in file order.
    public let rows: [Row]
    /// The lines of blank rows that were skipped.
    public let blankLines: [Int]
    /// Rows that cannot be read as rows of this table (more values than the header has
    /// columns), with their line and why: an import refuses them.
    public let malformed: [(line: Int, reason: String)]
    /// Header cells that name no column of the schema; their values are not read.
    public let ignoredColumns: [String]

    /// The largest CSV table read: 16 MiB, far above any inventory or Statement of Applicability.
    public static let sizeLimit = 16 << 20

    /// Reads the table at `path` against a schema.
    ///
    /// - Throws: `FieldAuditError.unreadableInput` (exit 66) for a missing or unreadable file;
    ///   `.invalidInput` (exit 65) for a spreadsheet or binary file, text that is not UTF-8, a
    ///   quote never closed, a file with no header line naming the required columns.
    public static func read(_ path: String, schema: Schema) throws(FieldAuditError) -> CSVTable {
        if let kind = spreadsheetKind(byName: path) { throw spreadsheet(path, kind) }
        var data = try InputFile.contents(of: path, atMost: sizeLimit, what: "a CSV table")
        if let kind = spreadsheetKind(byContent: data) { throw spreadsheet(path, kind) }
        if let kind = binaryKind(data) {
            throw .invalidInput(source: path, reason: "it is \(kind), not a CSV table; export the table as CSV (UTF-8) and import that file")
        }
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data.removeFirst(3) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .invalidInput(source: path, reason: "it is not UTF-8 text; save it as CSV UTF-8 (File › Save As › CSV UTF-8)")
        }
        return try parse(text, path: path, schema: schema)
    }

    /// Parses CSV text (already decoded, without a byte order mark) against a schema.
    ///
    /// - Throws: `FieldAuditError.invalidInput` as `read(_:schema:)` does.
    public static func parse(_ text: String, path: String, schema: Schema) throws(FieldAuditError) -> CSVTable {
        if let line = unclosedQuoteLine(text) {
            throw .invalidInput(source: path, reason: "line \(line) opens a quoted value (\") that is never closed, so the rest of the file would be read as one value; close the quote")
        }
        let delimiter = detectDelimiter(text)
        let records: [(line: Int, cells: [String])]
        do {
            let reader = try CSVReader(string: text, hasHeaderRow: false, trimFields: false, delimiter: delimiter.unicodeScalars.first!)
            var line = 1
            var collected: [(Int, [String])] = []
            while let row = reader.next() {
                collected.append((line, row))
                line += 1 + row.reduce(0) { $0 + lineBreaks(in: $1) }
            }
            if let error = reader.error { throw error }
            records = collected
        } catch {
            throw .invalidInput(source: path, reason: "it cannot be read as CSV (\(error))")
        }
        func isBlank(_ cells: [String]) -> Bool { cells.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
        guard let headerIndex = records.firstIndex(where: { !isBlank($0.cells) }) else {
            throw .invalidInput(source: path, reason: "it holds no rows; the first line must name the columns:\n\(schema.help)")
        }
        let header = records[headerIndex].cells.map { $0.trimmingCharacters(in: .whitespaces) }
        var columnAt: [Int: String] = [:]
        var ignored: [String] = []
        for (index, cell) in header.enumerated() {
            if let column = schema.columns.first(where: { $0.matches(cell) }), !columnAt.values.contains(column.name) {
                columnAt[index] = column.name
            } else if !cell.isEmpty {
                ignored.append(cell)
            }
        }
        let shownHeader = header.joined(separator: String(delimiter) == "\t" ? " (tab) " : String(delimiter))
        if columnAt.isEmpty {
            throw .invalidInput(source: path, reason: "its first line (\(shownHeader.prefix(120))) is not a header: it names none of the columns; add a header line naming them:\n\(schema.help)")
        }
        let missing = schema.columns.filter { column in column.required && !columnAt.values.contains(column.name) }
        if !missing.isEmpty {
            throw .invalidInput(source: path, reason: "its header (\(shownHeader.prefix(200))) has no column \(missing.map { "'\($0.name)'" }.joined(separator: " or ")); the columns it may name are:\n\(schema.help)")
        }
        var rows: [Row] = [], blank: [Int] = [], malformed: [(Int, String)] = []
        for (line, cells) in records[(headerIndex + 1)...] {
            if isBlank(cells) { blank.append(line); continue }
            let extra = cells.dropFirst(header.count).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            if !extra.isEmpty {
                malformed.append((line, "it has \(cells.count) values, but the header names \(header.count) columns (check for a \(delimiterName(delimiter)) inside a value that is not quoted)"))
                continue
            }
            var values: [String: String] = [:]
            for (index, name) in columnAt {
                values[name] = index < cells.count ? cells[index].trimmingCharacters(in: .whitespacesAndNewlines) : ""
            }
            rows.append(Row(line: line, values: values))
        }
        return CSVTable(
            path: path, delimiter: delimiter, header: header, rows: rows, blankLines: blank, malformed: malformed, ignoredColumns: ignored)
    }

    // MARK: - Recognising the file

    /// Header names compared: lowercased, without spaces, `_` or `-`.
    static func normalised(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { !CharacterSet.whitespaces.contains($0) && $0 != "_" && $0 != "-" })
    }

    /// The spreadsheet a file's extension names, if any.
    static func spreadsheetKind(byName path: String) -> String? {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "xlsx", "xlsm", "xlsb", "xls": "an Excel workbook"
        case "ods": "an OpenDocument spreadsheet"
        case "numbers": "a Numbers spreadsheet"
        default: nil
        }
    }

    /// The spreadsheet a file's first bytes show, if any: a ZIP container (Office Open XML,
    /// OpenDocument) or an OLE2 compound file (the older `.xls`).
    static func spreadsheetKind(byContent data: Data) -> String? {
        if data.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return "an Excel workbook" }
        guard data.starts(with: [0x50, 0x4B, 0x03, 0x04]) else { return nil }
        let head = String(decoding: data.prefix(2048), as: UTF8.self)
        if head.contains("opendocument.spreadsheet") { return "an OpenDocument spreadsheet" }
        if head.contains("xl/") || head.contains("[Content_Types].xml") { return "an Excel workbook" }
        return nil
    }

    /// What a file that is not text is, if its first bytes say so.
    static func binaryKind(_ data: Data) -> String? {
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) { return "UTF-16 text (what \"Unicode Text\" exports write)" }
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "a ZIP archive" }
        if data.starts(with: Array("%PDF".utf8)) { return "a PDF document" }
        if data.prefix(8192).contains(0) { return "a binary file" }
        return nil
    }

    /// The refusal of a spreadsheet, with how to save it as CSV.
    static func spreadsheet(_ path: String, _ kind: String) -> FieldAuditError {
        let how = kind == "an OpenDocument spreadsheet" ? "File › Save a Copy › Text CSV, UTF-8" : "File › Save As › CSV UTF-8"
        return .invalidInput(source: path, reason: "this is \(kind), not a CSV table; save it as CSV (\(how)) and import that file")
    }

    // MARK: - Reading the text

    /// The delimiter of the first non-blank line: the most frequent of `,`, `;` and tab outside
    /// quotes, a comma when there is none or a tie with it.
    static func detectDelimiter(_ text: String) -> Character {
        var counts: [Character: Int] = [",": 0, ";": 0, "\t": 0]
        var quoted = false, seen = false
        for character in text {
            if character == "\"" { quoted.toggle(); continue }
            if quoted { continue }
            if character.isNewline { if seen { break } else { continue } }
            seen = true
            if counts[character] != nil { counts[character, default: 0] += 1 }
        }
        let best = counts.max { lhs, rhs in lhs.value < rhs.value || (lhs.value == rhs.value && lhs.key != ",") }!
        return best.value > (counts[","] ?? 0) ? best.key : ","
    }

    /// The line where a quote opens that no later quote closes, if any (RFC 4180: quotes come
    /// in pairs, a doubled quote inside a quoted value included).
    static func unclosedQuoteLine(_ text: String) -> Int? {
        var line = 1, quoted = false, openedAt = 0
        for scalar in text.unicodeScalars {
            if scalar == "\"" {
                quoted.toggle()
                if quoted { openedAt = line }
            } else if scalar == "\n" {
                line += 1
            }
        }
        return quoted ? openedAt : nil
    }

    /// How many line breaks a value holds (CRLF counts once), so rows keep their line numbers.
    static func lineBreaks(in value: String) -> Int {
        var count = 0
        var previous: Unicode.Scalar?
        for scalar in value.unicodeScalars {
            if scalar == "\n" { if previous != "\r" { count += 1 } } else if scalar == "\r" { count += 1 }
            previous = scalar
        }
        return count
    }

    private static func delimiterName(_ delimiter: Character) -> String {
        switch delimiter {
        case ";": "semicolon"
        case "\t": "tab"
        default: "comma"
        }
    }
}
