import Testing
@testable import fieldaudit

/// How `Terminal` shows text written by others: escaped visibly and unambiguously, in every
/// table cell and value, with nothing a terminal would act on left raw.
struct TerminalTests {
    @Test func everyControlBidirectionalAndSeparatorCharacterIsEscapedAndBackslashesDoubled() {
        #expect(Terminal.shown("a\u{1B}[2Jb") == "a\\e[2Jb")
        #expect(Terminal.shown("\0\u{07}\u{08}\t\r\n\u{7F}\u{85}\u{9B}") == "\\0\\u{07}\\u{08}\\t\\r\\n\\u{7F}\\u{85}\\u{9B}")
        #expect(Terminal.shown("\u{202A}\u{202E}\u{2066}\u{2069}\u{200E}\u{200F}\u{061C}\u{2028}\u{2029}")
            == "\\u{202A}\\u{202E}\\u{2066}\\u{2069}\\u{200E}\\u{200F}\\u{61C}\\u{2028}\\u{2029}")
        #expect(Terminal.shown(#"C:\logs\e"#) == #"C:\\logs\\e"#)
        #expect(Terminal.shown("é 漢字 ✓ 👩‍👩‍👧") == "é 漢字 ✓ 👩‍👩‍👧")
    }

    @Test func multiLineTextKeepsItsLineBreaksIndentedAndEscapesTheRest() {
        #expect(Terminal.shown("one\ntwo\u{1B}", multiline: true, indent: "    ") == "one\n    two\\e")
    }

    @Test func tableCellsAreEscapedAndAlignedOnWhatIsShown() {
        let table = Terminal.columns(["name", "note"], [["Eve\u{1B}[31m", "two\nlines"], ["Ada", "ok"]])
        #expect(table == "name" + String(repeating: " ", count: 7) + "note\nEve\\e[31m  two\\nlines\nAda" + String(repeating: " ", count: 8) + "ok")
        let rows = Terminal.table([("with", "Eve\u{202E}"), ("statement", "first\nsecond")])
        #expect(rows == "with       Eve\\u{202E}\nstatement  first\n           second")
    }

    @Test func theLastLineOfDefenceEscapesControlsButKeepsLineBreaks() {
        #expect(Terminal.guarded("line 1\nline\u{1B}[2K 2\r") == "line 1\nline\\e[2K 2\\r")
        #expect(Terminal.guarded(#"a\b"#) == #"a\b"#)
    }
}
