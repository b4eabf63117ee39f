import Foundation
import TestSupport
import Testing

/// `evidence run`, `evidence add -` and `evidence add DIR` through the built binary, every bad
/// input of issue 22 included: a command that does not exist, one that runs too long, too much
/// output, binary output, Ctrl-C, standard input without a name, a folder with entries that are
/// not files.
struct EvidenceRunTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-evrun")
    var store: String { directory.file("replica") }

    /// Runs `fieldaudit arguments…` on this test's store: `--store` goes before a `--`, after which
    /// every word is the command `evidence run` runs.
    func run(_ arguments: [String], input: String? = nil) throws -> FieldAuditCLI.Result {
        let end = arguments.firstIndex(of: "--") ?? arguments.endIndex
        return try cli.run(Array(arguments[..<end]) + ["--store", store] + arguments[end...], input: input)
    }

    func engagement() throws {
        #expect(try run(["init", "--name", "Ada Lead"]).status == 0)
        #expect(try run(["engagement", "create", "--client", "Helix Diagnostics Ltd"]).status == 0)
    }

    func json(_ arguments: [String]) throws -> Any {
        let result = try run(arguments + ["--json"])
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// Every evidence item, as `evidence list --json` gives it.
    func evidence() throws -> [[String: Any]] {
        try #require(try json(["evidence", "list"]) as? [[String: Any]])
    }

    /// `evidence show --json` of the only (or the last) evidence item whose name is `name`.
    func shown(_ name: String) throws -> [String: Any] {
        let id = try #require(try evidence().last { $0["name"] as? String == name }?["id"] as? String, "no evidence \(name)")
        return try #require(try json(["evidence", "show", id]) as? [String: Any])
    }

    /// The stored bytes of evidence `id`, copied out with its hash checked.
    func extracted(_ id: String) throws -> Data {
        let path = directory.file("out-\(UUID().uuidString.prefix(6))")
        let result = try run(["evidence", "extract", id, "-o", path])
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(FileManager.default.contents(atPath: path))
    }

    /// Whether any file of the store holds `secret` (the database, its log, the blobs).
    func storeHolds(_ secret: String) throws -> Bool {
        let files = FileManager.default.enumerator(atPath: store)!.compactMap { $0 as? String }
        return files.contains { name in
            FileManager.default.contents(atPath: "\(store)/\(name)").map { $0.range(of: Data(secret.utf8)) != nil } ?? false
        }
    }

    // MARK: - evidence run

    @Test func aRunIsRecordedWithItsArgvDirectoryHostTimesExitStatusAndByteExactOutput() throws {
        try engagement()
        let result = try run(["evidence", "run", "--describe", "Retention shown", "--", "/bin/sh", "-c", "printf 'out\\n'; printf 'err\\n' >&2; exit 3"])

        // The command's output is shown as it came, the record is made, and fieldaudit succeeds.
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "out\nerr\n")
        #expect(result.stderr.contains("exit status 3"))
        let shown = try shown("sh.transcript")
        let item = try #require(shown["evidence"] as? [String: Any])
        let run = try #require(item["run"] as? [String: Any])
        #expect(run["argv"] as? [String] == ["/bin/sh", "-c", "printf 'out\\n'; printf 'err\\n' >&2; exit 3"])
        #expect(run["directory"] as? String == FileManager.default.currentDirectoryPath)
        #expect(run["host"] as? String == ProcessInfo.processInfo.hostName || !(run["host"] as? String ?? "").isEmpty)
        #expect(run["exitStatus"] as? Int == 3 && run["signal"] == nil)
        #expect(run["timedOut"] as? Bool == false && run["truncated"] as? Bool == false)
        let started = try #require(run["startedAt"] as? Int64), ended = try #require(run["endedAt"] as? Int64)
        #expect(started <= ended && started > 1_700_000_000_000)
        #expect(item["description"] as? String == "Retention shown")
        #expect(item["mediaType"] as? String == "text/plain; charset=utf-8")
        #expect(try extracted(try #require(item["id"] as? String)) == Data("out\nerr\n".utf8))
        let transcript = try #require(shown["transcript"] as? String)
        #expect(transcript.hasPrefix("$ /bin/sh -c 'printf ") && transcript.hasSuffix("exit 3'\nout\nerr"))
    }

    @Test func redactedSecretsNeverReachTheStoreAndTheRecordSaysWhatWasMasked() throws {
        try engagement()
        let result = try run([
            "evidence", "run", "--redact", "token=[A-Za-z0-9]+", "--redact=-----BEGIN [A-Z ]+-----", "--",
            "printf", "user=ada token=s3cr3tXYZ\nagain token=0therS3cret\n",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        // Both secrets were on the command line (printf's argument) and in the output: 4 matches.
        #expect(result.stderr.contains("4 matches of token=[A-Za-z0-9]+ masked"))
        #expect(!result.stderr.contains("s3cr3tXYZ"))
        let item = try #require(try shown("printf.transcript")["evidence"] as? [String: Any])
        let redactions = try #require((item["run"] as? [String: Any])?["redactions"] as? [[String: Any]])
        #expect(redactions.count == 2)
        #expect(redactions[0]["pattern"] as? String == "token=[A-Za-z0-9]+" && redactions[0]["matches"] as? Int == 4)
        #expect((item["run"] as? [String: Any])?["argv"] as? [String] == ["printf", "user=ada [REDACTED]\nagain [REDACTED]\n"])
        #expect(redactions[1]["matches"] as? Int == 0)
        #expect(try extracted(try #require(item["id"] as? String)) == Data("user=ada [REDACTED]\nagain [REDACTED]\n".utf8))
        #expect(try !storeHolds("s3cr3tXYZ") && !storeHolds("0therS3cret"))
    }

    @Test func aBadRedactionPatternIsRefusedBeforeTheCommandRuns() throws {
        try engagement()
        let marker = directory.file("ran")
        let result = try run(["evidence", "run", "--redact", "(unclosed", "--", "/bin/sh", "-c", "touch \(marker)"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("(unclosed") && result.stderr.contains("not a regular expression"))
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(try evidence().isEmpty)
    }

    @Test func aCommandThatDoesNotExistIsRefusedAndNothingIsStored() throws {
        try engagement()
        let missing = try run(["evidence", "run", "--", "no-such-command-fieldaudit"])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("no-such-command-fieldaudit") && missing.stderr.contains("no such command"))
        #expect(missing.stderr.contains("nothing was recorded"))

        let plain = directory.file("not-executable.sh")
        try "echo hi\n".write(toFile: plain, atomically: true, encoding: .utf8)
        let refused = try run(["evidence", "run", "--", plain])
        #expect(refused.status == 66)
        #expect(refused.stderr.contains("permission denied"))
        #expect(try evidence().isEmpty)

        let noCommand = try run(["evidence", "run"])
        #expect(noCommand.status == 64 && noCommand.stderr.contains("after --"))
    }

    @Test func aCommandPastItsTimeLimitIsStoppedWithEverythingItStartedAndRecordedAsTimedOut() throws {
        try engagement()
        // The shell starts a sleep in the background, prints its pid, and waits.
        let result = try run(["evidence", "run", "--timeout", "1", "--", "/bin/sh", "-c", "sleep 300 & echo $!; wait"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("timed out"))
        let item = try #require(try shown("sh.transcript")["evidence"] as? [String: Any])
        let run = try #require(item["run"] as? [String: Any])
        #expect(run["timedOut"] as? Bool == true)
        #expect(run["signal"] as? Int == 15 && run["exitStatus"] == nil)
        // The background sleep was in the command's process group: it is gone too.
        let pid = try #require(Int32(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        // (It may linger as a zombie where nothing reaps orphans, such as a container's init.)
        let state = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("State:") }
        #expect(state == nil || state!.contains("Z"), "the background sleep still runs: \(state ?? "")")
        #expect(try extracted(try #require(item["id"] as? String)) == Data(result.stdout.utf8))
    }

    @Test func outputBeyondTheLimitIsShownButNotStoredAndTheRecordSaysItWasCut() throws {
        try engagement()
        let result = try run(["evidence", "run", "--max-output", "1KiB", "--", "/bin/sh", "-c", "yes line | head -c 5000"])
        // Recorded, but never exit 0 with output dropped.
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stdout.utf8.count == 5000)
        #expect(result.stderr.contains("was recorded with its first 1024 of 5000 bytes") && result.stderr.contains("--max-output"))
        let item = try #require(try shown("sh.transcript")["evidence"] as? [String: Any])
        let run = try #require(item["run"] as? [String: Any])
        #expect(run["truncated"] as? Bool == true && run["outputBytes"] as? Int == 5000 && run["outputLimit"] as? Int == 1024)
        #expect(item["size"] as? Int == 1024)
        #expect(try extracted(try #require(item["id"] as? String)) == Data(result.stdout.utf8.prefix(1024)))
        #expect(try self.run(["evidence", "run", "--max-output", "1GiB", "--", "true"]).status == 64)
    }

    @Test func binaryOutputIsStoredByteForByteAndShownOnlyAsItsSize() throws {
        try engagement()
        let copy = directory.file("random.bin")
        let result = try run(["evidence", "run", "--", "/bin/sh", "-c", "head -c 3000 /dev/urandom | tee \(copy)"])
        #expect(result.status == 0, "\(result.stderr)")
        let shown = try shown("sh.transcript")
        let item = try #require(shown["evidence"] as? [String: Any])
        #expect(item["mediaType"] as? String == "application/octet-stream")
        #expect(try extracted(try #require(item["id"] as? String)) == FileManager.default.contents(atPath: copy))
        let text = try run(["evidence", "show", try #require(item["id"] as? String)])
        #expect(text.stdout.contains("binary, 3000 bytes") && text.stdout.contains("binary output, 3000 bytes, not shown"))
        #expect(!text.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        let report = try run(["report", "--format", "markdown"])
        #expect(report.stdout.contains(". Command transcripts\n") && report.stdout.contains("binary output, 3000 bytes, not shown"))
    }

    @Test func terminalEscapesInOutputAreEscapedInShowAndTheReportButStoredExactly() throws {
        try engagement()
        let output = "ok\n\u{1B}[31mred\u{1B}[0m \u{202E}evil\n"
        let result = try run(["evidence", "run", "--", "printf", "%s", output])
        #expect(result.status == 0 && result.stdout == output)
        let item = try #require(try shown("printf.transcript")["evidence"] as? [String: Any])
        let id = try #require(item["id"] as? String)
        #expect(try extracted(id) == Data(output.utf8))
        let text = try run(["evidence", "show", id]).stdout
        #expect(text.contains("\\e[31mred\\e[0m \\u{202E}evil") && !text.contains("\u{1B}") && !text.contains("\u{202E}"))
        for format in ["markdown", "html"] {
            let report = try run(["report", "--format", format]).stdout
            #expect(report.contains("\\e[31mred\\e[0m \\u{202E}evil") && !report.contains("\u{1B}") && !report.contains("\u{202E}"), "\(format)")
        }
    }

    @Test func ctrlCStopsTheCommandAndRecordsNothingUnlessAsked() throws {
        try engagement()
        for keep in [false, true] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: cli.executable)
            process.arguments = ["evidence", "run"] + (keep ? ["--keep-interrupted"] : []) + ["--store", store, "--", "/bin/sh", "-c", "echo started; sleep 30"]
            let output = Pipe(), errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            process.standardInput = FileHandle.nullDevice
            try process.run()
            // Once the command has printed, interrupt fieldaudit as Ctrl-C would.
            var seen = Data()
            while !String(decoding: seen, as: UTF8.self).contains("started\n") {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                seen += chunk
            }
            process.interrupt()
            process.waitUntilExit()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            if keep {
                #expect(process.terminationStatus == 0, "\(stderr)")
                let item = try #require(try shown("sh.transcript")["evidence"] as? [String: Any])
                #expect((item["run"] as? [String: Any])?["signal"] as? Int == 2)
            } else {
                #expect(process.terminationStatus == 130)
                #expect(stderr.contains("interrupted; nothing was recorded"))
                #expect(try evidence().isEmpty)
            }
        }
    }

    @Test func aRunInAClosedEngagementIsRefusedBeforeTheCommandRuns() throws {
        try engagement()
        #expect(try run(["engagement", "close", "--recommendation", "certify"]).status == 0)
        let marker = directory.file("ran")
        let result = try run(["evidence", "run", "--", "/bin/sh", "-c", "touch \(marker)"])
        #expect(result.status == 77)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    // MARK: - evidence add -

    @Test func standardInputIsStoredUnderItsNameAndANameIsRequired() throws {
        try engagement()
        let stored = try run(["evidence", "add", "-", "--name", "pods.txt", "--ref", "A.6.2.8"], input: "pod-a Running\npod-b CrashLoop\n")
        #expect(stored.status == 0, "\(stored.stderr)")
        let item = try #require(try shown("pods.txt")["evidence"] as? [String: Any])
        #expect(item["ref"] as? String == "A.6.2.8" && item["mediaType"] as? String == "text/plain")
        #expect(try extracted(try #require(item["id"] as? String)) == Data("pod-a Running\npod-b CrashLoop\n".utf8))

        let unnamed = try run(["evidence", "add", "-"], input: "text")
        #expect(unnamed.status == 64 && unnamed.stderr.contains("--name"))
        for bad in ["../etc/passwd", "a\u{1B}[2Jb", ""] {
            let refused = try run(["evidence", "add", "-", "--name", bad], input: "text")
            #expect(refused.status == 65, "\(bad): \(refused.stderr)")
            #expect(!refused.stderr.contains("\u{1B}"))
        }
        #expect(try run(["evidence", "add", "-", "notes.txt", "--name", "x"], input: "text").status == 64)
        #expect(try run(["evidence", "add", directory.file("nowhere"), "--name", "x"]).status == 64)
        #expect(try evidence().count == 1)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) for a terminal"))
    func standardInputThatIsATerminalIsRefusedWithHowToPipe() throws {
        try engagement()
        // script(1) gives fieldaudit a pseudo-terminal as its standard input, and exits with its status.
        let command = [cli.executable, "evidence", "add", "-", "--name", "typed.txt", "--store", store].map { "'\($0)'" }.joined(separator: " ")
        let result = try FieldAuditCLI.execute("/usr/bin/script", ["-qec", command, "/dev/null"], inputData: Data())
        #expect(result.status == 64, "\(result.stdout)")
        #expect(result.stdout.contains("standard input is a terminal") && result.stdout.contains("| fieldaudit evidence add - --name"))
        #expect(try evidence().isEmpty)
    }

    // MARK: - evidence add DIR

    func makeFolder() throws -> String {
        let folder = directory.file("config")
        try FileManager.default.createDirectory(atPath: "\(folder)/sub/deeper", withIntermediateDirectories: true)
        try "retention_days: 7\n".write(toFile: "\(folder)/logging.yaml", atomically: true, encoding: .utf8)
        try "a,b\n".write(toFile: "\(folder)/sub/table.csv", atomically: true, encoding: .utf8)
        try Data([0, 1, 2, 255]).write(to: URL(fileURLWithPath: "\(folder)/sub/deeper/blob.bin"))
        return folder
    }

    @Test func aFolderIsStoredAsOneEvidenceSetWithAManifestOfPathsSizesAndHashes() throws {
        try engagement()
        let folder = try makeFolder()
        let result = try run(["evidence", "add", folder, "--ref", "A.6.2.8", "--describe", "Exported config tree"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("evidence set of 3 files"))
        let set = try shown("config/")
        let manifestItem = try #require(set["evidence"] as? [String: Any])
        #expect(manifestItem["mediaType"] as? String == "application/vnd.fieldaudit.manifest+json")
        #expect((set["members"] as? [[String: Any]])?.compactMap { $0["name"] as? String }.sorted()
            == ["config/logging.yaml", "config/sub/deeper/blob.bin", "config/sub/table.csv"])
        let manifestID = try #require(manifestItem["id"] as? String)
        let manifest = try #require(try JSONSerialization.jsonObject(with: extracted(manifestID)) as? [String: Any])
        #expect(manifest["format"] as? String == "fieldaudit-evidence-set" && manifest["version"] as? Int == 1)
        let files = try #require(manifest["files"] as? [[String: Any]])
        #expect(files.compactMap { $0["path"] as? String } == ["logging.yaml", "sub/deeper/blob.bin", "sub/table.csv"])
        #expect(files.compactMap { $0["size"] as? Int } == [18, 4, 4])
        let sums = try FieldAuditCLI.execute("/usr/bin/sha256sum", ["\(folder)/logging.yaml"]).stdout
        #expect(files.first?["sha256"] as? String == String(sums.prefix(64)))
        // Every file is evidence of its own, extractable byte for byte.
        let blob = try #require(try evidence().first { $0["name"] as? String == "config/sub/deeper/blob.bin" }?["id"] as? String)
        #expect(try extracted(blob) == Data([0, 1, 2, 255]))

        // The same folder again is not recorded twice: the set it is gets the new link.
        let count = try evidence().count
        let again = try run(["evidence", "add", folder, "--ref", "A.6.2.9"])
        #expect(again.status == 65)  // an unknown requirement is refused first, as for files
        let linked = try run(["evidence", "add", folder, "--ref", "8.2"])
        #expect(linked.status == 0 && linked.stdout.contains("identical folder already stored as evidence set"), "\(linked.stderr)")
        #expect(linked.stdout.contains("linked it to requirement 8.2"))
        #expect(try evidence().count == count)
    }

    @Test func aFolderWithLinksFIFOsOrUnreadableFilesIsRefusedByNameUnlessSkippingIsAsked() throws {
        try engagement()
        let folder = try makeFolder()
        try FileManager.default.createSymbolicLink(atPath: "\(folder)/outside", withDestinationPath: "/etc/passwd")
        #expect(mkfifo("\(folder)/sub/pipe", 0o600) == 0)

        let refused = try run(["evidence", "add", folder])
        #expect(refused.status == 66)
        #expect(refused.stderr.contains("outside: a symbolic link (never followed)"))
        #expect(refused.stderr.contains("sub/pipe: a FIFO") || refused.stderr.contains("sub/pipe: "))
        #expect(refused.stderr.contains("--skip-unreadable"))
        #expect(try evidence().isEmpty)

        let skipped = try run(["evidence", "add", folder, "--skip-unreadable"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stdout.contains("skipped  outside: a symbolic link (never followed)"))
        let manifestItem = try #require(try shown("config/")["evidence"] as? [String: Any])
        let manifestID = try #require(manifestItem["id"] as? String)
        let manifest = try #require(try JSONSerialization.jsonObject(with: extracted(manifestID)) as? [String: Any])
        #expect((manifest["skipped"] as? [[String: Any]])?.compactMap { $0["path"] as? String } == ["outside", "sub/pipe"])
        #expect((manifest["files"] as? [[String: Any]])?.count == 3)
    }

    @Test func aFolderOverItsBoundsIsRefusedWithTheLimitAndNothingIsStored() throws {
        try engagement()
        let folder = try makeFolder()
        let many = try run(["evidence", "add", folder, "--max-files", "2"])
        #expect(many.status == 65 && many.stderr.contains("more than 2 files"))
        let large = try run(["evidence", "add", folder, "--max-bytes", "10"])
        #expect(large.status == 65 && large.stderr.contains("more than 10 bytes"))
        let empty = directory.file("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        #expect(try run(["evidence", "add", empty]).status == 65)
        let mixed = try run(["evidence", "add", "\(folder)/logging.yaml", folder])
        #expect(mixed.status == 66 && mixed.stderr.contains("on its own to store it as one evidence set"))
        #expect(try evidence().isEmpty)
    }

    // MARK: - capture /run and /paste

    @Test func captureRunAndPasteRecordEvidenceOnTheInterviewInProgress() throws {
        try engagement()
        let session = """
            /interview --with "Amira Haddad" --role "ML platform lead"
            /run printf 'retention_days: 7\\n'
            /paste --name retention-notes.txt
            Retention is set by operations
              indented line kept
            .
            /end
            """
        let result = try run(["capture"], input: session + "\n")
        #expect(result.status == 0, "\(result.stderr)")
        let interview = try #require((try json(["interview", "list"]) as? [[String: Any]])?.first?["id"] as? String)
        for name in ["printf.transcript", "retention-notes.txt"] {
            let links = try #require(try shown(name)["links"] as? [[String: Any]])
            #expect(links.contains { $0["target"] as? String == interview && $0["targetKind"] as? String == "interview" }, "\(name)")
        }
        let pasted = try #require(try shown("retention-notes.txt")["evidence"] as? [String: Any])
        #expect(try extracted(try #require(pasted["id"] as? String)) == Data("Retention is set by operations\n  indented line kept\n".utf8))
        let ran = try #require(try shown("printf.transcript")["evidence"] as? [String: Any])
        #expect(try extracted(try #require(ran["id"] as? String)) == Data("retention_days: 7\n".utf8))
    }

    @Test func aPasteCutOffByTheEndOfInputRecordsNothingAndTheSessionFails() throws {
        try engagement()
        let result = try run(["capture"], input: "/paste --name half.txt\nfirst line\nsecond line\n")
        #expect(result.status == 65)
        #expect(result.stderr.contains("abandoned"))
        #expect(try evidence().isEmpty)
        let missing = try run(["capture"], input: "/run no-such-command-fieldaudit\n")
        #expect(missing.status == 66 && missing.stderr.contains("no such command"))
    }
}
