import Foundation
import TestSupport
import Testing

/// Issue 12, items 1–3, through the built binary: no command destroys or overwrites a file the
/// user owns (`export`, `report`, `evidence extract`), and `evidence add` is safe with what is not
/// a regular file, with what killed commands leave behind, and with the same bytes twice.
struct FieldSafetyFileTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-field-safety")
    var store: String { directory.file("ada") }

    func file(_ name: String) -> String { directory.file(name) }

    @discardableResult
    func succeed(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try cli.succeed(arguments, store: store, sourceLocation: sourceLocation)
    }

    func run(_ arguments: [String]) throws -> FieldAuditCLI.Result {
        try cli.run(arguments, store: store)
    }

    /// Ada's replica with an engagement and one evidence file; returns the evidence's id.
    @discardableResult
    func engagement() throws -> String {
        try succeed(["init", "--name", "Ada Lead"])
        try succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd"])
        try write("retention: 7d\n", to: "retention.yaml")
        let added = try succeed(["evidence", "add", file("retention.yaml"), "--ref", "A.6.2.8"])
        return String(try #require(added.split(separator: " ").first))
    }

    func write(_ text: String, to name: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: file(name)))
    }

    func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    func names(in folder: String) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: folder).sorted() }

    func digest() throws -> String {
        let output = try JSONSerialization.jsonObject(with: Data(try succeed(["verify", "--json"]).utf8)) as? [String: Any]
        return try #require(output?["digest"] as? String)
    }

    /// Runs `fieldaudit arguments…` in `folder` with nothing on standard input, killing it after
    /// `seconds` (a command that hangs then fails the test rather than the run).
    func run(_ arguments: [String], in folder: String, seconds: Double = 60) throws -> (status: Int32, stdout: Data, stderr: String, killed: Bool) {
        try launch(cli.executable, arguments + ["--store", store], in: folder, seconds: seconds)
    }

    /// Runs a program in `folder`, its outputs in files, killed after `seconds`.
    func launch(
        _ executable: String, _ arguments: [String], in folder: String, seconds: Double = 60, environment: [String: String]? = nil
    ) throws -> (status: Int32, stdout: Data, stderr: String, killed: Bool) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = environment ?? ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1", "TZ": "UTC"]) { _, new in new }
        let out = file("run-\(UUID().uuidString).out"), err = out + ".err"
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        defer { for path in [out, err] { try? FileManager.default.removeItem(atPath: path) } }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        let killed = process.isRunning
        if killed { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return (process.terminationStatus, contents(out) ?? Data(), String(decoding: contents(err) ?? Data(), as: UTF8.self), killed)
    }

    /// No temporary file of an atomic write is left in a folder.
    func expectNoTemporaryFile(in folder: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let left = try names(in: folder).filter { $0.contains("partial") || $0.hasPrefix(".") }
        #expect(left.isEmpty, "temporary files left in \(folder): \(left)", sourceLocation: sourceLocation)
    }

    // MARK: - Item 1: a directory given to -o

    @Test func exportIntoADirectoryWritesANamedBundleInsideAndTouchesNothingElse() throws {
        try engagement()
        let stick = file("usbstick")
        try FileManager.default.createDirectory(atPath: stick + "/photos", withIntermediateDirectories: true)
        try Data("holiday".utf8).write(to: URL(fileURLWithPath: stick + "/photos/beach.jpg"))
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: stick + "/notes.txt"))

        let first = try succeed(["export", "--all", "-o", stick])
        let second = try succeed(["export", "--all", "-o", stick + "/"])
        let bundles = ["ada-lead-all-\(Self.today).fabundle", "ada-lead-all-\(Self.today)-2.fabundle"]
        #expect(Set(try names(in: stick)) == Set(["notes.txt", "photos"] + bundles))
        #expect(first.contains("in \(stick)/\(bundles[0])") && second.contains("in \(stick)/\(bundles[1])"), "the path written is printed: \(first) \(second)")
        #expect(contents(stick + "/notes.txt") == Data("keep me".utf8) && contents(stick + "/photos/beach.jpg") == Data("holiday".utf8))
        for bundle in bundles { try succeed(["bundle", "inspect", "\(stick)/\(bundle)"]) }

        // A folder that does not exist yet, named with a trailing slash, is made.
        try succeed(["export", "--all", "-o", file("inbox") + "/"])
        #expect(try names(in: file("inbox")) == ["ada-lead-all-\(Self.today).fabundle"])
    }

    @Test func exportNamesTheBundleAfterThePeerOnItsCard() throws {
        try engagement()
        try cli.succeed(["init", "--name", "Ben ../Auditor"], store: file("ben"))
        try cli.succeed(["whoami", "--card", "-o", file("ben.card.json")], store: file("ben"))
        try succeed(["team", "add", file("ben.card.json")])
        let stick = file("stick")
        try FileManager.default.createDirectory(atPath: stick, withIntermediateDirectories: true)
        try succeed(["export", "--for", file("ben.card.json"), "-o", stick])
        #expect(try names(in: stick) == ["ada-lead-to-ben-auditor-\(Self.today).fabundle"])
    }

    /// Today's date as the bundle names show it (UTC, as the tests run).
    static var today: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date())
    }

    // MARK: - Item 2: existing files, --force, standard output

    @Test func exportReportAndExtractRefuseAnExistingFileUnlessForced() throws {
        let evidence = try engagement()
        let outputs: [(arguments: [String], name: String)] = [
            (["export", "--all", "-o"], "day.fabundle"),
            (["report", "--format", "markdown", "-o"], "report.md"),
            (["report", "--format", "html", "-o"], "report.html"),
            (["report", "--format", "oscal", "-o"], "report.json"),
            (["evidence", "extract", evidence, "-o"], "retention-copy.yaml"),
        ]
        for output in outputs {
            try write("the auditor's own file", to: output.name)
            let refused = try run(output.arguments + [file(output.name)])
            #expect(refused.status == 73, "\(output.arguments): \(refused.status) \(refused.stderr)")
            #expect(refused.stderr.contains(file(output.name)) && refused.stderr.contains("--force"), "\(refused.stderr)")
            #expect(contents(file(output.name)) == Data("the auditor's own file".utf8), "\(output.arguments) changed the file")

            let forced = try run(output.arguments + [file(output.name), "--force"])
            #expect(forced.status == 0, "\(output.arguments) --force: \(forced.stderr)")
            #expect(contents(file(output.name)) != Data("the auditor's own file".utf8), "\(output.arguments) --force wrote nothing")
        }
        #expect(contents(file("retention-copy.yaml")) == Data("retention: 7d\n".utf8))
        try expectNoTemporaryFile(in: directory.path)
    }

    @Test func aFailedWriteLeavesNoTemporaryFileAndTheDestinationAsItWas() throws {
        let evidence = try engagement()
        try write("yesterday's copy", to: "copy.yaml")
        // The stored bytes no longer match their hash: the extract fails once it has written them all.
        let blob = try #require(try FileManager.default.subpathsOfDirectory(atPath: store + "/blobs").first { $0.count == 65 })
        try Data("retention: 2y\n".utf8).write(to: URL(fileURLWithPath: store + "/blobs/" + blob))

        let failed = try run(["evidence", "extract", evidence, "-o", file("copy.yaml"), "--force"])
        #expect(failed.status == 65 && failed.stderr.contains("no longer matches its SHA-256"), "\(failed.stderr)")
        #expect(contents(file("copy.yaml")) == Data("yesterday's copy".utf8))
        try expectNoTemporaryFile(in: directory.path)
        let piped = try run(["evidence", "extract", evidence, "-o", "-"], in: directory.path)
        #expect(piped.status == 65 && piped.stdout.isEmpty, "bytes that fail their hash reached standard output")
    }

    @Test func theCSVReportRefusesToReplaceTablesAndNeverTouchesOtherFiles() throws {
        try engagement()
        let tables = file("tables")
        try FileManager.default.createDirectory(atPath: tables, withIntermediateDirectories: true)
        try Data("my own findings".utf8).write(to: URL(fileURLWithPath: tables + "/findings.csv"))
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: tables + "/notes.txt"))

        let refused = try run(["report", "--format", "csv", "-o", tables])
        #expect(refused.status == 73 && refused.stderr.contains("findings.csv") && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(try names(in: tables) == ["findings.csv", "notes.txt"], "nothing is written when one table is refused")
        #expect(contents(tables + "/findings.csv") == Data("my own findings".utf8))

        try succeed(["report", "--format", "csv", "-o", tables, "--force"])
        #expect(try names(in: tables) == ["coverage.csv", "evidence.csv", "findings.csv", "interviews.csv", "nonconformities.csv", "notes.txt", "plan.csv", "tests.csv"])
        #expect(contents(tables + "/notes.txt") == Data("keep me".utf8))
        #expect(contents(tables + "/findings.csv") != Data("my own findings".utf8))

        // The Markdown report into the same directory: beside the tables, under the client's name.
        try succeed(["report", "-o", tables])
        #expect(try names(in: tables).contains("helix-diagnostics-ltd-report-\(Self.today).md"))
        #expect(contents(tables + "/notes.txt") == Data("keep me".utf8))
    }

    @Test func evidenceExtractToDashWritesStandardOutputAndNoFileNamedDash() throws {
        let evidence = try engagement()
        let folder = file("work")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let result = try run(["evidence", "extract", evidence, "-o", "-"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == Data("retention: 7d\n".utf8))
        #expect(try names(in: folder).isEmpty, "a file named '-' was created")

        // Into a directory: under its recorded name, then a free one; the first is not replaced.
        #expect(try run(["evidence", "extract", evidence, "-o", "."], in: folder).status == 0)
        #expect(try run(["evidence", "extract", evidence, "-o", folder], in: folder).status == 0)
        #expect(try names(in: folder) == ["retention-2.yaml", "retention.yaml"])
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) for a terminal"))
    func binaryOutputIsRefusedOnATerminalAndLargeEvidenceShowsProgress() throws {
        let evidence = try engagement()
        try Data(repeating: 7, count: 12 << 20).write(to: URL(fileURLWithPath: file("big.bin")))
        // script(1) gives the command a terminal for standard output and error; NO_COLOR is unset.
        func onTerminal(_ arguments: [String]) throws -> (status: Int32, output: String) {
            let command = ([cli.executable] + arguments + ["--store", store]).map { "'\($0)'" }.joined(separator: " ")
            let environment = ProcessInfo.processInfo.environment.filter { $0.key != "NO_COLOR" }.merging(["TZ": "UTC"]) { _, new in new }
            let result = try launch("/usr/bin/script", ["-qec", command, "/dev/null"], in: directory.path, environment: environment)
            return (result.status, String(decoding: result.stdout, as: UTF8.self))
        }
        let extract = try onTerminal(["evidence", "extract", evidence, "-o", "-"])
        #expect(extract.status == 64 && extract.output.contains("terminal") && !extract.output.contains("retention: 7d"), "\(extract.output)")
        let export = try onTerminal(["export", "--all", "-o", "-"])
        #expect(export.status == 64 && export.output.contains("terminal"), "\(export.output)")
        let add = try onTerminal(["evidence", "add", file("big.bin")])
        #expect(add.status == 0, "\(add.output)")
        // The line is redrawn by a timer (`ProgressDisplayTests` watches it through a long export): a
        // copy this quick may end before the first redraw, but any line drawn shows the file's total.
        for line in add.output.split(separator: "\r") where line.contains("storing") {
            #expect(line.contains(" / 12.0 MiB"), "\(line)")
        }
    }

    // MARK: - Item 3: evidence add

    @Test func evidenceAddRefusesWhatIsNotARegularFileBeforeReadingIt() throws {
        try engagement()
        let before = try digest()
        let fifo = file("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        try FileManager.default.createDirectory(atPath: file("folder"), withIntermediateDirectories: true)
        let cases: [(path: String, says: String)] = [(fifo, "is a FIFO"), ("/dev/zero", "is a character device"), (file("folder"), "is a directory")]
        for (path, says) in cases {
            // Given with a good file first: nothing of either is stored or recorded.
            let result = try run(["evidence", "add", file("retention.yaml"), path, "--ref", "5.1"], in: directory.path, seconds: 20)
            #expect(!result.killed, "`evidence add \(path)` hung")
            #expect(result.status == 66 && result.stderr.contains("\(path) \(says)") && result.stderr.contains("nothing"), "\(path): \(result.status) \(result.stderr)")
        }
        #expect(try digest() == before)
        #expect(try names(in: store + "/blobs").allSatisfy { !$0.hasPrefix(".incoming") })
    }

    @Test func scratchLeftByAKilledCommandIsReportedByVerifyAndRemovedByTheNextWrite() throws {
        try engagement()
        // A process that has ended: its pid is free.
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let scratch = store + "/blobs/.incoming-\(ended.processIdentifier)-\(UUID().uuidString)"
        try Data(repeating: 0, count: 4096).write(to: URL(fileURLWithPath: scratch))

        let verify = try run(["verify"])
        #expect(verify.status == 0, "a leftover scratch file is not damage: \(verify.stdout)")
        #expect(verify.stdout.contains("warning: 1 scratch file (4096 bytes)") && verify.stdout.contains(scratch), "\(verify.stdout)")
        #expect(verify.stdout.contains("next writing command"))
        let json = try JSONSerialization.jsonObject(with: Data(try succeed(["verify", "--json"]).utf8)) as? [String: Any]
        #expect((json?["abandonedScratch"] as? [[String: Any]])?.first?["path"] as? String == scratch)

        try succeed(["note", "--ref", "5.1", "Policy signed by the CEO"])
        #expect(!FileManager.default.fileExists(atPath: scratch))
        #expect(!(try succeed(["verify"])).contains("warning"))
    }

    @Test func addingTheSameBytesTwiceReusesTheEvidenceAndLinksItInstead() throws {
        let evidence = try engagement()
        try write("retention: 7d\n", to: "copy-of-retention.yaml")
        let again = try succeed(["evidence", "add", file("copy-of-retention.yaml"), "--ref", "6.1.2", "--describe", "Logging config"])
        #expect(again.contains("already stored as evidence \(evidence) (retention.yaml)"), "\(again)")
        #expect(again.contains("linked it to requirement 6.1.2") && again.contains("description set"), "\(again)")

        let listed = try JSONSerialization.jsonObject(with: Data(try succeed(["evidence", "list", "--json"]).utf8)) as? [[String: Any]]
        #expect(listed?.count == 1, "a second evidence entity was made for the same bytes")
        let shown = try JSONSerialization.jsonObject(with: Data(try succeed(["evidence", "show", evidence, "--json"]).utf8)) as? [String: Any]
        let targets = ((shown?["links"] as? [[String: Any]]) ?? []).compactMap { $0["target"] as? String }.sorted()
        #expect(targets == ["6.1.2", "A.6.2.8"])
        #expect((shown?["evidence"] as? [String: Any])?["description"] as? String == "Logging config")

        let thrice = try succeed(["evidence", "add", file("retention.yaml"), file("copy-of-retention.yaml"), "--ref", "A.6.2.8"])
        #expect(thrice.components(separatedBy: "no new link").count == 3, "\(thrice)")
        #expect((try JSONSerialization.jsonObject(with: Data(try succeed(["evidence", "list", "--json"]).utf8)) as? [Any])?.count == 1)
    }

    @Test func twoCopiesInOneCallMakeOneEvidence() throws {
        try engagement()
        try write("minutes of the review", to: "a.txt")
        try write("minutes of the review", to: "b.txt")
        let added = try succeed(["evidence", "add", file("a.txt"), file("b.txt")])
        #expect(added.contains("b.txt: identical file already stored as evidence") && added.contains("(a.txt)"), "\(added)")
        #expect((try JSONSerialization.jsonObject(with: Data(try succeed(["evidence", "list", "--json"]).utf8)) as? [Any])?.count == 2)
    }

    @Test func vectorAndCardFilesAreNeverReplacedWithoutForce() throws {
        try succeed(["init", "--name", "Ada Lead"])
        for (name, command) in [("mine.vector.json", ["vector", "-o"]), ("mine.card.json", ["whoami", "--card", "-o"])] {
            try write("the user's own file\n", to: name)
            let refused = try run(command + [file(name)])
            #expect(refused.status == 73, "\(command): \(refused.stderr)")
            #expect(refused.stderr.contains("--force"))
            #expect(contents(file(name)) == Data("the user's own file\n".utf8))
            try succeed(command + [file(name), "--force"])
            #expect(contents(file(name)) != Data("the user's own file\n".utf8))
        }
        // A directory gets the file inside it under a default name, and nothing else is touched.
        try FileManager.default.createDirectory(atPath: file("usb"), withIntermediateDirectories: true)
        try write("keep\n", to: "usb/notes.txt")
        try succeed(["vector", "-o", file("usb")])
        try succeed(["whoami", "--card", "-o", file("usb")])
        #expect(try names(in: file("usb")) == ["ada-lead.card.json", "ada-lead.vector.json", "notes.txt"])
    }

    @Test func importFromStandardInputRemovesOnlyItsOwnSpoolFile() throws {
        try engagement()
        // A bundle of the user's whose name is the words the tool shows for standard input.
        try succeed(["export", "--all", "--no-encrypt", "-o", file("standard input")])
        let other = directory.file("ben")
        try cli.succeed(["init", "--name", "Ben Auditor"], store: other)
        try succeed(["whoami", "--card", "-o", file("ada.card.json")])
        try cli.succeed(["trust", file("ada.card.json")], store: other)
        // Named as typed in its own folder, the bundle's name is the words the tool shows for `-`.
        var inFolder = cli
        inFolder.launcher = ["/usr/bin/env", "-C", directory.path]
        let imported = try inFolder.run(["import", "standard input"], store: other)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(FileManager.default.fileExists(atPath: file("standard input")))
    }
}
