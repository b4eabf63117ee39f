import Foundation
import TestSupport
import Testing

/// Long work shows progress (issue 19): on standard error when it is a terminal, with a total,
/// redrawn on a timer rather than only per chunk, with or without colour (`NO_COLOR` only removes
/// colour), and nothing at all into a pipe. Run under a pseudo-terminal with `script`.
struct ProgressDisplayTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-progress")
    var store: String { directory.file("lead") }

    /// A replica holding one engagement with a 64 MiB evidence file that does not compress, so an
    /// export takes a good while in a debug build.
    func largeStore() throws {
        try cli.succeed(["init", "--name", "Ada Lead"], store: store)
        try cli.succeed(["engagement", "create", "--client", "Helix"], store: store)
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        let file = directory.file("scan.bin")
        FileManager.default.createFile(atPath: file, contents: random.readData(ofLength: 64 << 20))
        let added = try cli.run(["evidence", "add", file, "--ref", "A.6.2.8", "--store", store], environment: ["NO_COLOR": ""])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(!added.stderr.contains("storing") && !added.stderr.contains("\r"), "no progress into a pipe: \(added.stderr)")
    }

    /// Runs `fieldaudit arguments…` with standard output and error on a pseudo-terminal; returns
    /// everything the terminal received.
    func underTerminal(_ arguments: [String], noColor: Bool, store: String? = nil) throws -> String {
        var environment = ProcessInfo.processInfo.environment.filter { $0.key != "NO_COLOR" }
        environment["TZ"] = "UTC"
        environment["TERM"] = "xterm"
        if noColor { environment["NO_COLOR"] = "1" }
        let command = ([cli.executable] + arguments + ["--store", store ?? self.store]).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            .joined(separator: " ")
        let result = try FieldAuditCLI.execute("/usr/bin/script", ["-qfec", command, "/dev/null"], environment: environment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        return result.stdout
    }

    /// The progress lines a terminal received: each redraw starts with a carriage return.
    func redraws(_ output: String, of label: String = "exporting") -> [Substring] {
        output.split(separator: "\r").filter { $0.contains(label) }
    }

    @Test func anExportOnATerminalShowsATotalAndIsRedrawnManyTimes() throws {
        try largeStore()
        let output = try underTerminal(["export", "--all", "--no-encrypt", "-o", directory.file("all.fabundle")], noColor: false)
        let lines = redraws(output)
        #expect(lines.count >= 3, "several updates arrive: \(lines)")
        #expect(lines.contains { $0.firstMatch(of: /\d+\.\d MiB \/ 64\.\d MiB/) != nil }, "a total is shown: \(lines)")
        #expect(lines.contains { $0.contains("%") })
        #expect(output.contains("\u{1B}[32m"), "colour on a terminal without NO_COLOR")
        #expect(output.contains("Exported"))
    }

    @Test func noColorKeepsTheProgressAndRemovesOnlyColour() throws {
        try largeStore()
        let output = try underTerminal(["export", "--all", "--no-encrypt", "-o", directory.file("all.fabundle")], noColor: true)
        let lines = redraws(output)
        #expect(lines.count >= 3, "NO_COLOR still shows progress: \(lines)")
        #expect(lines.contains { $0.contains("/ 64.") }, "with its total: \(lines)")
        #expect(!output.contains("\u{1B}["), "no escape sequence at all with NO_COLOR: \(output.debugDescription.prefix(400))")
    }

    @Test func aPipeGetsNoProgress() throws {
        try largeStore()
        let result = try cli.run(["export", "--all", "--no-encrypt", "-o", directory.file("all.fabundle"), "--store", store], environment: ["NO_COLOR": ""])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("\r") && !result.stderr.contains("exporting") && !result.stderr.contains("\u{1B}["), "\(result.stderr)")
    }

    @Test func anImportOnATerminalShowsTheBundlesSizeAsItsTotal() throws {
        try largeStore()
        try cli.succeed(["export", "--all", "--no-encrypt", "-o", directory.file("all.fabundle")], store: store)
        let other = directory.file("ben")
        try cli.succeed(["init", "--name", "Ben Auditor"], store: other)
        try cli.succeed(["whoami", "--card", "-o", directory.file("ada.card.json")], store: store)
        try cli.succeed(["trust", directory.file("ada.card.json")], store: other)
        let output = try underTerminal(["import", directory.file("all.fabundle")], noColor: true, store: other)
        let lines = redraws(output, of: "importing")
        #expect(lines.count >= 2, "several updates arrive: \(lines)")
        #expect(lines.contains { $0.firstMatch(of: /\/ 64\.\d MiB/) != nil }, "the bundle's size is the total: \(lines)")
        #expect(output.contains("all.fabundle from"), "the summary follows the erased line: \(output.debugDescription.suffix(300))")
    }
}
