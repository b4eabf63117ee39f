import Foundation
import TestSupport
import Testing

/// The README followed as its reader follows it: every `sh` block, in order, each line run by
/// `/bin/sh` exactly as written, in one new folder holding the files the README names
/// (`Fixtures/readme`, with a stand-in `kubectl` first on `PATH`, and `Fixtures/` itself), against
/// the built `fieldaudit`. A failing line is a bug in the README or in the product.
///
/// - **Whose laptop.** A comment that begins by naming who types the commands moves to that
///   person's replica (`$FIELDAUDIT_STORE`), for that line and the lines after it: "the lead" (Ada),
///   "Ben", or, on a comment line of its own, "… (Ben)"; "on the new laptop" gives that person a new, empty one.
/// - **Ids.** The README's example ids stand for the ones earlier commands print: each is read
///   from the output of the command that made it (`exampleIDs`) and put in its place.
/// - **Capture sessions.** The `> ` lines after `fieldaudit capture` are its standard input.
/// - **A server.** A line ending in `&` (`fieldaudit serve … &`) runs in the background, on a free
///   port in place of `127.0.0.1:8443`; the address it prints takes the place of
///   `http://127.0.0.1:8443` in later lines; `kill %1` stops it with SIGTERM, and it must exit 0.
/// - **Blocks that cannot run here** (a release build, the whole suite, a server with a TLS
///   certificate and a name, systemd, PostgreSQL) carry the visible marker `*Not run by the README
///   test: WHY.*` on the line before them; only blocks naming such a need may carry it.
struct ReadmeWalkthroughTests {
    /// The marker that keeps a block out of the walk, with the reason after it.
    static let marker = "*Not run by the README test:"
    /// What a block must need to be left out: one of these appears in each marked block.
    static let needsBeyondATest = ["swift build", "scripts/", "Benchmarks/", "--tls-cert", "systemctl", "postgres://", "https://central.example"]

    /// Each example id the README uses, the command (by its beginning) whose output names the
    /// real one, and the pattern that finds it there.
    static let exampleIDs: [(example: String, source: String, pattern: String)] = [
        ("3f2a9c1d", "fieldaudit evidence add retention.yaml", "[0-9a-f]{8}"),
        ("5e6f7a8b", "fieldaudit finding raise --grade minor", "[0-9a-f]{8}"),
        ("9b8c7d6e", "fieldaudit finding raise --grade observation", "[0-9a-f]{8}"),
        ("7d1e2f3a", "fieldaudit finding action add", "[0-9a-f]{8}"),
        ("1a2b3c4d:17", "fieldaudit engagement late", "[0-9a-f]{8}:[0-9]+"),
        ("NEW-ID", "fieldaudit team rotate ben-new.card.json", "[0-9a-f]{32}"),
    ]

    /// A fenced `sh` block: the section it is in, its lines, and the reason it is not run, if marked.
    struct Block {
        var section: String
        var lines: [String] = []
        var skipped: String?
    }

    /// One command line as `/bin/sh` gets it, whose laptop it runs on, and its standard input.
    struct Step {
        var line: String
        var who: String?
        var newLaptop = false
        var input: String?
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The README's `sh` blocks, in order.
    static func blocks(of markdown: String) -> [Block] {
        var blocks: [Block] = [], current: Block?, section = "", previous = ""
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if var block = current {
                if line.hasPrefix("```") {
                    blocks.append(block)
                    current = nil
                } else {
                    block.lines.append(line)
                    current = block
                }
                continue
            }
            if line.hasPrefix("## ") { section = String(line.dropFirst(3)) }
            if line == "```sh" {
                var block = Block(section: section)
                if previous.hasPrefix(marker) { block.skipped = String(previous.dropFirst(marker.count)).trimmingCharacters(in: CharacterSet(charactersIn: " *.")) }
                current = block
            }
            if !line.trimmingCharacters(in: .whitespaces).isEmpty { previous = line }
        }
        return blocks
    }

    /// Who a comment names as typing the commands, and whether on a new laptop: a comment after a
    /// command begins with the name; a comment line of its own may also name Ben in parentheses.
    static func person(in comment: String, ownLine: Bool = false) -> (who: String, newLaptop: Bool)? {
        let text = comment.drop { $0 == "#" || $0 == " " }.lowercased()
        let newLaptop = text.contains("on the new laptop")
        if text.hasPrefix("the lead") { return ("lead", newLaptop) }
        if text.hasPrefix("ben") || (ownLine && text.contains("(ben)")) { return ("ben", newLaptop) }
        return nil
    }

    /// A block's command lines: continuations joined, comments read for whose laptop and left out.
    static func steps(of block: Block) -> [Step] {
        var steps: [Step] = [], pending = ""
        for line in block.lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if pending.isEmpty && trimmed.isEmpty { continue }
            if pending.isEmpty && trimmed.hasPrefix("#") {
                // A comment line of its own (not one continuing a comment after a command).
                if line.hasPrefix("#"), let person = person(in: trimmed, ownLine: true) {
                    steps.append(Step(line: "", who: person.who, newLaptop: person.newLaptop))
                }
                continue
            }
            if pending.isEmpty && trimmed.hasPrefix(">") {
                if !steps.isEmpty {
                    let text = ReadmeCommandTests.withoutComment(String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces))
                    steps[steps.count - 1].input = (steps[steps.count - 1].input ?? "") + text + "\n"
                }
                continue
            }
            var code = ReadmeCommandTests.withoutComment(trimmed)
            let comment = String(trimmed.dropFirst(code.count)).trimmingCharacters(in: .whitespaces)
            if code.hasSuffix("\\") {
                code.removeLast()
                pending += code + " "
                continue
            }
            let person = person(in: comment)
            steps.append(Step(line: pending + code, who: person?.who, newLaptop: person?.newLaptop ?? false))
            pending = ""
        }
        return steps
    }

    @Test func onlyBlocksThatNeedMoreThanATestAreMarkedAndTheMarkerIsDocumented() throws {
        let readme = ReadmeCommandTests.readme
        let blocks = Self.blocks(of: readme)
        #expect(blocks.count > 8)
        for block in blocks where block.skipped != nil {
            let text = block.lines.joined(separator: "\n")
            #expect(Self.needsBeyondATest.contains { text.contains($0) }, "a block of \"\(block.section)\" is marked but needs nothing a test lacks: \(block.skipped ?? "")")
            #expect(!(block.skipped ?? "").isEmpty, "a marked block of \"\(block.section)\" says not why")
        }
        #expect(blocks.contains { $0.section.hasPrefix("Field guide") && $0.skipped == nil })
        #expect(blocks.contains { $0.section.hasPrefix("A lost or broken laptop") && $0.skipped == nil })
        #expect(readme.contains("`\(Self.marker) WHY.*`"), "the README explains its marker")
    }

    @Test func everyShellBlockOfTheReadmeRunsAsWritten() throws {
        let directory = TemporaryDirectory("fieldaudit-readme")
        let folder = directory.file("work")
        try FileManager.default.copyItem(atPath: Self.root.appendingPathComponent("Fixtures/readme").path, toPath: folder)
        try FileManager.default.createSymbolicLink(atPath: folder + "/Fixtures", withDestinationPath: Self.root.appendingPathComponent("Fixtures").path)
        let binary = URL(fileURLWithPath: FieldAuditCLI().executable).deletingLastPathComponent().path
        var laptops: [String: String] = [:], laptopCount = 0, who = "lead"
        var ids: [String: String] = [:]
        func newLaptop(for person: String) {
            laptopCount += 1
            laptops[person] = directory.file("laptop-\(laptopCount)-\(person)")
        }
        newLaptop(for: "lead")
        newLaptop(for: "ben")
        var ran = 0
        var background: [ServeProcess] = []
        defer { background.forEach { $0.stop() } }
        for block in Self.blocks(of: ReadmeCommandTests.readme) where block.skipped == nil {
            if block.lines.joined().contains("backup/identity.key") {
                // "A broken laptop, with a backup of its key": Ben kept a copy of his key.
                try FileManager.default.createDirectory(atPath: folder + "/backup", withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: try #require(laptops["ben"]) + "/identity.key", toPath: folder + "/backup/identity.key")
            }
            for step in Self.steps(of: block) {
                if let person = step.who {
                    who = person
                    if step.newLaptop { newLaptop(for: person) }
                }
                guard !step.line.isEmpty else { continue }
                var line = step.line
                for (example, real) in ids { line = line.replacingOccurrences(of: example, with: real) }
                let environment = [
                    "PATH": "\(folder)/bin:\(binary):/usr/bin:/bin", "HOME": directory.file("home"), "TZ": "UTC", "NO_COLOR": "1",
                    "FIELDAUDIT_STORE": laptops[who] ?? "", "LANG": "C.UTF-8",
                ]
                if line.hasSuffix("&") {
                    let command = String(line.dropLast()).replacingOccurrences(of: "127.0.0.1:8443", with: "127.0.0.1:0")
                    let started = try ServeProcess(shellCommand: command, in: folder, environment: environment, log: directory.file("background-\(ran).log"))
                    background.append(started)
                    ids["http://127.0.0.1:8443"] = started.url
                    ran += 1
                    continue
                }
                if line == "kill %1" {
                    let server = try #require(background.first { $0.isRunning }, "`kill %1` with nothing in the background")
                    #expect(server.stop() == 0, "\(block.section): the server did not exit 0 on SIGTERM")
                    ran += 1
                    continue
                }
                let result = try FieldAuditCLI.execute(
                    "/bin/sh", ["-c", "cd '\(folder)' && " + line], environment: environment, inputData: step.input.map { Data($0.utf8) })
                ran += 1
                try #require(result.status == 0, "\(block.section), as \(who): `\(step.line)` exited \(result.status): \(result.stderr)\(result.stdout)")
                for id in Self.exampleIDs where ids[id.example] == nil && step.line.hasPrefix(id.source) {
                    let found = try #require(result.stdout.firstMatch(of: try Regex(id.pattern)), "`\(step.line)` printed no id for \(id.example): \(result.stdout)")
                    ids[id.example] = String(result.stdout[found.range])
                }
            }
        }
        #expect(ran > 60, "\(ran) lines ran")
        #expect(Self.exampleIDs.allSatisfy { ids[$0.example] != nil }, "ids found: \(ids)")
        #expect(ids["http://127.0.0.1:8443"] != nil && background.allSatisfy { !$0.isRunning }, "the README's server ran and was stopped")
    }
}
