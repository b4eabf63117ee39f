import AuditStore
@testable import FieldAudit
import Foundation
import TestSupport
import Testing

/// `OutputFile`, the one way a command writes a file its user names: what it never replaces, and
/// names made safe from text other people wrote.
struct OutputFileTests {
    let directory = TemporaryDirectory("fieldaudit-output-file")

    func contents(_ name: String) -> String? {
        FileManager.default.contents(atPath: directory.file(name)).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func aFileThatAppearsWhileTheOutputIsWrittenIsNotReplaced() throws {
        let output = try OutputFile.resolve(directory.file("day.fabundle"), defaultName: "unused", force: false)
        do {
            try output.write { handle in
                // Another program creates the file while the bundle is being written.
                try Data("theirs".utf8).write(to: URL(fileURLWithPath: directory.file("day.fabundle")))
                try handle.write(contentsOf: Data("ours".utf8))
            }
            Issue.record("the write replaced a file that appeared meanwhile")
        } catch let FieldAuditError.outputExists(paths) {
            #expect(paths == [directory.file("day.fabundle")])
        }
        #expect(contents("day.fabundle") == "theirs")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["day.fabundle"], "a temporary file was left")
    }

    @Test func withForceTheFileIsReplacedWhole() throws {
        try Data("yesterday".utf8).write(to: URL(fileURLWithPath: directory.file("report.md")))
        #expect(throws: FieldAuditError.self) { try OutputFile.resolve(directory.file("report.md"), defaultName: "unused", force: false) }
        try OutputFile.resolve(directory.file("report.md"), defaultName: "unused", force: true).write(Data("today".utf8))
        #expect(contents("report.md") == "today")
    }

    @Test func aDeviceOrAFIFOIsNeverReplacedEvenWithForce() throws {
        #expect(mkfifo(directory.file("pipe"), 0o600) == 0)
        for path in [directory.file("pipe"), "/dev/null"] {
            do {
                _ = try OutputFile.resolve(path, defaultName: "unused", force: true)
                Issue.record("\(path) was accepted as an output file")
            } catch let FieldAuditError.outputUnusable(refused, reason) {
                #expect(refused == path && reason.contains("never replaces"))
            }
        }
        #expect(FileKind.of(directory.file("pipe")) == .fifo && FileKind.of("/dev/null") == .characterDevice)
    }

    @Test func namesFromOtherPeoplesTextCannotLeaveTheDirectoryOrHide() {
        #expect(OutputFile.safeName("../../.bashrc") == "-..-.bashrc")
        #expect(OutputFile.safeName("\u{202E}fdp.exe") == "-fdp.exe")
        #expect(OutputFile.safeName("minutes\n2026.txt") == "minutes-2026.txt")
        #expect(OutputFile.safeName("...", fallback: "evidence-1234abcd") == "evidence-1234abcd")
        #expect(OutputFile.safeName(String(repeating: "é", count: 300)).utf8.count <= 200)
        #expect(OutputFile.fileName(["Ada Lead", "to Ben ../O'Brien", "2026-12-01"], extension: "fabundle") == "ada-lead-to-ben-o-brien-2026-12-01.fabundle")
    }
}
