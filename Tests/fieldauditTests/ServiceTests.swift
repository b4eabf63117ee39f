import Foundation
import TestSupport
import Testing
@testable import fieldaudit

/// `fieldaudit serve`, `remote` and `sync`, run as a user types them: the central repository is a
/// child process on 127.0.0.1 and a free port, stopped by each test with SIGTERM.
struct ServiceTests {
    let cli = FieldAuditCLI()
    let directory = TemporaryDirectory("fieldaudit-service-e2e")

    func file(_ name: String) -> String { directory.file(name) }

    /// Three replicas: the central, which trusts Ada; Ada, the lead of an engagement with Ben as
    /// auditor, filed with the central; Ben, who trusts Ada.
    func team() throws -> (central: String, ada: String, ben: String) {
        let central = file("central"), ada = file("ada"), ben = file("ben")
        for (store, name) in [(central, "Central"), (ada, "Ada Lead"), (ben, "Ben Auditor")] {
            try cli.succeed(["init", "--name", name], store: store)
            try cli.succeed(["whoami", "--card", "-o", file("\(name.prefix(3).lowercased()).card.json")], store: store)
        }
        try cli.succeed(["trust", file("ada.card.json")], store: central)
        try cli.succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd"], store: ada)
        try cli.succeed(["team", "add", file("ben.card.json"), "--role", "auditor"], store: ada)
        try cli.succeed(["engagement", "file", "--central", file("cen.card.json")], store: ada)
        try cli.succeed(["trust", file("ada.card.json")], store: ben)
        return (central, ada, ben)
    }

    func digest(_ store: String) throws -> String {
        let result = try cli.run(["verify", "--json"], store: store)
        #expect(result.status == 0, "verify failed: \(result.stdout) \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require(object?["digest"] as? String)
    }

    @Test func twoLaptopsSyncingThroughTheCentralReachItsDigest() throws {
        let (central, ada, ben) = try team()
        let server = try ServeProcess(cli: cli, store: central, log: file("serve.log"))
        defer { server.stop() }
        let added = try cli.succeed(["remote", "add", "central", server.url, "--yes"], store: ada)
        #expect(added.contains(try String(contentsOfFile: file("cen.card.json"), encoding: .utf8).firstMatch(of: /SHA256:[A-Za-z0-9+\/]+/).map { String($0.0) } ?? "?"))
        let first = try cli.succeed(["sync"], store: ada)
        #expect(first.contains("pulled 0 new changes"), "\(first)")
        #expect(first.firstMatch(of: /pushed [1-9][0-9]* changes/) != nil, "\(first)")

        try cli.succeed(["remote", "add", "central", server.url, "--yes"], store: ben)
        let kickoff = try cli.succeed(["sync"], store: ben)
        #expect(kickoff.firstMatch(of: /pulled [1-9][0-9]* new changes/) != nil, "\(kickoff)")
        let engagement = try #require(try cli.succeed(["engagement", "list"], store: ben).firstMatch(of: /([0-9a-f]{8})  Helix/)).1
        try cli.succeed(["engagement", "use", String(engagement)], store: ben)
        try cli.succeed(["note", "--ref", "6.1.2", "Risk register reviewed quarterly"], store: ben)
        let bens = try cli.succeed(["sync"], store: ben)
        #expect(bens.firstMatch(of: /pushed [1-9][0-9]* changes \([1-9][0-9]* new to the central/) != nil, "\(bens)")
        let adas = try cli.succeed(["sync", "central"], store: ada)
        #expect(adas.firstMatch(of: /pulled [1-9][0-9]* new changes/) != nil, "\(adas)")
        #expect(try cli.succeed(["search", "quarterly"], store: ada).contains("Risk register reviewed [quarterly]"))

        let centralDigest = try digest(central)
        #expect(try digest(ada) == centralDigest)
        #expect(try digest(ben) == centralDigest)
        #expect(server.stop() == 0)
        let log = try String(contentsOfFile: file("serve.log"), encoding: .utf8)
        #expect(log.contains("route=POST /v1/push") && log.contains("status=200"), "\(log)")
        #expect(!log.contains("PRIVATE KEY"))
    }

    @Test func theCentralAnEngagementIsFiledWithHoldsItWholeIsNotOnTheTeamAndCannotWriteInIt() throws {
        let (central, ada, _) = try team()
        let server = try ServeProcess(cli: cli, store: central, log: file("serve.log"))
        defer { server.stop() }
        try cli.succeed(["remote", "add", "central", server.url, "--yes"], store: ada)
        try cli.succeed(["note", "--ref", "6.1.2", "Risk register reviewed quarterly"], store: ada)
        let synced = try cli.succeed(["sync"], store: ada)
        #expect(!synced.contains("withheld as hashes"), "\(synced)")
        // The central holds the engagement in full
        let engagement = try #require(try cli.succeed(["engagement", "list"], store: central).firstMatch(of: /([0-9a-f]{8})  Helix/)).1
        try cli.succeed(["engagement", "use", String(engagement)], store: central)
        #expect(try cli.succeed(["search", "quarterly"], store: central).contains("Risk register reviewed [quarterly]"))
        // It is listed with the team nowhere
        for store in [central, ada] {
            let team = try cli.succeed(["team", "list"], store: store)
            #expect(team.contains("Ada Lead") && team.contains("Ben Auditor") && !team.contains("Central"), "\(team)")
        }
        let report = try cli.succeed(["report", "--format", "markdown"], store: central)
        #expect(!report.contains("Central"), "\(report)")
        // And it cannot write in it
        let before = try digest(central)
        let note = try cli.run(["note", "--ref", "6.1.2", "The central's own note"], store: central)
        #expect(note.status == 77, "\(note.stderr)")
        #expect(note.stderr.contains("the central repository the engagement is filed with"), "\(note.stderr)")
        #expect(try digest(central) == before)
        // Nor be put on the team by the back door
        let asMember = try cli.run(["team", "add", file("cen.card.json"), "--role", "central"], store: ada)
        #expect(asMember.status == 64, "\(asMember.stderr)")
        #expect(asMember.stderr.contains("engagement file --central"), "\(asMember.stderr)")
    }

    @Test func aPulledBundleBeyondMaxPullIsRefusedWithNothingImportedAndExits65() throws {
        let (central, ada, ben) = try team()
        let server = try ServeProcess(cli: cli, store: central, log: file("serve.log"))
        defer { server.stop() }
        try cli.succeed(["remote", "add", "central", server.url, "--yes"], store: ada)
        try cli.succeed(["sync"], store: ada)
        try cli.succeed(["remote", "add", "central", server.url, "--yes"], store: ben)
        let before = try digest(ben)
        let result = try cli.run(["sync", "--max-pull", "1KiB"], store: ben)
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("larger than this laptop accepts (1024 bytes); nothing was imported"), "\(result.stderr)")
        #expect(try digest(ben) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: file("ben") + "/sync-scratch").isEmpty)
    }

    @Test func syncWithTheCentralDownSaysItInOneLineAndExits75() throws {
        let (central, ada, _) = try team()
        let server = try ServeProcess(cli: cli, store: central, log: file("serve.log"))
        try cli.succeed(["remote", "add", "central", server.url, "--yes"], store: ada)
        #expect(server.stop() == 0)
        let before = try digest(ada)
        let result = try cli.run(["sync"], store: ada)
        #expect(result.status == 75)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("central unreachable (connection refused); your work is safe here; `fieldaudit export` to a file instead"), "\(result.stderr)")
        #expect(try digest(ada) == before)
    }

    @Test func aServerPresentingAnotherKeyThanThePinnedOneIsRefused() throws {
        let (central, ada, _) = try team()
        let genuine = try ServeProcess(cli: cli, store: central, log: file("serve.log"))
        try cli.succeed(["remote", "add", "central", genuine.url, "--yes"], store: ada)
        #expect(genuine.stop() == 0)
        let impostor = file("impostor")
        try cli.succeed(["init", "--name", "Central"], store: impostor)
        let port = try #require(genuine.url.split(separator: ":").last)
        let other = try ServeProcess(cli: cli, store: impostor, log: file("impostor.log"), listen: "127.0.0.1:\(port)")
        defer { other.stop() }
        let before = try digest(ada)
        let result = try cli.run(["sync"], store: ada)
        #expect(result.status == 77)
        #expect(result.stderr.contains("the server at \(genuine.url) is not the one you pinned"), "\(result.stderr)")
        #expect(try digest(ada) == before)
        let log = try String(contentsOfFile: file("impostor.log"), encoding: .utf8)
        #expect(!log.contains("/v1/pull") && !log.contains("/v1/push"), "nothing but the identity was asked: \(log)")
    }

    @Test func remoteAddRefusesWithoutATerminalUnlessToldYesAndRemotesCanBeListedAndRemoved() throws {
        let (central, ada, _) = try team()
        let server = try ServeProcess(cli: cli, store: central, log: file("serve.log"))
        defer { server.stop() }
        let refused = try cli.run(["remote", "add", "central", server.url], store: ada, input: "y\n")
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("not a terminal"), "\(refused.stderr)")
        #expect(try cli.succeed(["remote", "list"], store: ada).contains("No remotes"))

        try cli.succeed(["remote", "add", "central", server.url, "--yes"], store: ada)
        let again = try cli.run(["remote", "add", "central", server.url, "--yes"], store: ada)
        #expect(again.status == 73)
        let listed = try JSONSerialization.jsonObject(with: Data(try cli.succeed(["remote", "list", "--json"], store: ada).utf8)) as? [[String: String]]
        #expect(listed?.first?["url"] == server.url)
        #expect(listed?.first?["serverName"] == "Central")
        try cli.succeed(["remote", "remove", "central"], store: ada)
        #expect(try cli.run(["sync"], store: ada).status == 64)
    }

    @Test func anOversizedPushIsRefusedAndTheCentralIsUnchanged() throws {
        let (central, ada, _) = try team()
        let server = try ServeProcess(cli: cli, store: central, log: file("serve.log"), arguments: ["--max-upload", "1KiB"])
        defer { server.stop() }
        try cli.succeed(["remote", "add", "central", server.url, "--yes"], store: ada)
        let before = try digest(central)
        let result = try cli.run(["sync"], store: ada)
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("HTTP 413"), "\(result.stderr)")
        #expect(try digest(central) == before)
    }

    // Needs openssl and curl (`.ci/run` installs them): skipped on a developer's machine without
    // them, never in CI, where it runs and fails if they are missing.
    @Test(.enabled(
        if: ProcessInfo.processInfo.environment["CI"] == "true"
            || ["/usr/bin/openssl", "/usr/bin/curl"].allSatisfy(FileManager.default.isExecutableFile(atPath:)),
        "needs openssl and curl"))
    func serveAnswersOverHTTPSWithTheCertificateItIsGiven() throws {
        let central = file("central")
        try cli.succeed(["init", "--name", "Central"], store: central)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", file("key.pem"), "-out", file("cert.pem"),
        ]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)
        let server = try ServeProcess(
            cli: cli, store: central, log: file("serve.log"), arguments: ["--tls-cert", file("cert.pem"), "--tls-key", file("key.pem")])
        defer { server.stop() }
        #expect(server.url.hasPrefix("https://127.0.0.1:"))
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["--silent", "--show-error", "--max-time", "20", "--cacert", file("cert.pem"), "-o", file("card.json"), server.url + "/v1/identity"]
        try curl.run()
        curl.waitUntilExit()
        #expect(curl.terminationStatus == 0)
        let served = try String(contentsOfFile: file("card.json"), encoding: .utf8)
        #expect(served.trimmingCharacters(in: .whitespacesAndNewlines) == (try cli.succeed(["whoami", "--card"], store: central)).trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(server.stop() == 0)
    }
}

/// A `fieldaudit serve` child process; `stop()` sends SIGTERM and waits (at most 30 s, then SIGKILL).
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    /// The address it listens on, from its first line of output.
    let url: String

    init(cli: FieldAuditCLI, store: String, log: String, listen: String = "127.0.0.1:0", arguments: [String] = []) throws {
        url = try Self.start(process, cli.executable, ["serve", "--listen", listen, "--store", store] + arguments, environment: nil, log: log)
    }

    /// A server a shell command line starts (`fieldaudit serve … ` as the README writes it), run
    /// through `/bin/sh -c 'exec …'` in `folder` so that signals reach the server itself.
    init(shellCommand command: String, in folder: String, environment: [String: String], log: String) throws {
        url = try Self.start(process, "/bin/sh", ["-c", "cd '\(folder)' && exec \(command)"], environment: environment, log: log)
    }

    /// Whether the server still runs.
    var isRunning: Bool { process.isRunning }

    /// Starts `process` and returns the address its first line of output names.
    private static func start(_ process: Process, _ program: String, _ arguments: [String], environment: [String: String]?, log: String) throws -> String {
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        if let environment { process.environment = environment }
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: log)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The banner, or nothing within 60 s.
        nonisolated(unsafe) var banner = ""
        let ready = DispatchSemaphore(value: 0)
        let reader = output.fileHandleForReading
        DispatchQueue.global().async {
            var text = ""
            while !text.contains("\n") {
                let data = reader.availableData
                if data.isEmpty { break }
                text += String(decoding: data, as: UTF8.self)
            }
            banner = text
            ready.signal()
        }
        guard ready.wait(timeout: .now() + 60) == .success, let match = banner.firstMatch(of: /on (https?:\/\/127\.0\.0\.1:[0-9]+)/) else {
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "fieldaudit serve did not start: \(banner)"])
        }
        return String(match.1)
    }

    /// Stops the server with SIGTERM; returns its exit status (SIGKILL after 30 s: -9).
    @discardableResult
    func stop() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return -9
        }
        return process.terminationStatus
    }
}

/// What a server or a card says is shown without its control characters: through the one
/// escaping rule every command uses (`Terminal.shown`).
struct ServiceDisplayTests {
    @Test func textFromAServerShowsEscapeSequencesAndBidiOverridesEscaped() {
        let hostile = "Central\u{1B}]0;pwned\u{07}\u{1B}[2J\u{202E}lanretnI"
        let shown = Terminal.shown(hostile)
        #expect(!shown.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.properties.isBidiControl })
        #expect(shown == #"Central\e]0;pwned\u{07}\e[2J\u{202E}lanretnI"#)
        #expect(Terminal.shown("Central — Leeds") == "Central — Leeds")
    }
}
