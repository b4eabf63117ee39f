import Foundation
import GRDB
import TestSupport
import Testing

/// Several `fieldaudit capture` processes writing notes into one store at once: each waits its turn,
/// every note is kept, and no "database is locked" reaches the user.
///
/// The suite runs 4 processes × 50 notes; `scripts/stress-contention PROCESSES NOTES` runs more (it
/// sets `FIELDAUDIT_CONTENTION_PROCESSES` and `FIELDAUDIT_CONTENTION_NOTES`).
struct ContentionTests {
    static let environment = ProcessInfo.processInfo.environment
    static let processes = Int(environment["FIELDAUDIT_CONTENTION_PROCESSES"] ?? "") ?? 4
    static let notes = Int(environment["FIELDAUDIT_CONTENTION_NOTES"] ?? "") ?? 50

    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-contention")
    var store: String { directory.file("replica") }

    @Test func processesCapturingAtOnceKeepEveryNoteAndNeverReportALockedDatabase() throws {
        #expect(try cli.run(["init", "--name", "Ada Lead"], store: store).status == 0)
        #expect(try cli.run(["engagement", "create", "--client", "Helix Diagnostics Ltd"], store: store).status == 0)

        // Given every process started before any writes,
        let expected = Set((0..<Self.processes).flatMap { worker in (0..<Self.notes).map { "contention w\(worker) n\($0)" } })
        let start = Date()
        let results = try (0..<Self.processes).map { worker in
            let lines = (0..<Self.notes).map { "contention w\(worker) n\($0)" }
            let input = "/ref 6.1.2\n" + lines.joined(separator: "\n") + "\n/quit\n"
            return try CapturedRun(cli: cli, arguments: ["capture", "--store", store], input: input)
        }.map { try $0.finish() }
        let seconds = Date().timeIntervalSince(start)

        // then each ends well, says nothing of locks,
        for (worker, result) in results.enumerated() {
            #expect(result.status == 0, "process \(worker): \(result.stderr)")
            for word in ["locked", "busy", "SQLITE"] {
                #expect(!result.stderr.contains(word) && !result.stdout.contains(word), "process \(worker) said \(word): \(result.stderr)")
            }
        }
        // and every note is in the store, once.
        let database = try DatabaseQueue(path: store + "/replica.sqlite", configuration: { var c = Configuration(); c.readonly = true; return c }())
        let stored = try database.read { db in
            try String.fetchAll(db, sql: "SELECT value FROM field_value WHERE typeof(value) = 'text' AND value LIKE 'contention w%'")
        }
        #expect(stored.count == expected.count)
        #expect(Set(stored) == expected)
        let verify = try cli.run(["verify"], store: store)
        #expect(verify.status == 0, "\(verify.stdout)")
        print("contention: \(Self.processes) processes × \(Self.notes) notes in \(String(format: "%.1f", seconds)) s, \(stored.count) stored")
    }
}

/// A `fieldaudit` process started now and finished later, its input fed and its output collected.
private struct CapturedRun {
    let process = Process()
    let output = Pipe(), errors = Pipe()

    init(cli: FieldAuditCLI, arguments: [String], input: String) throws {
        process.executableURL = URL(fileURLWithPath: cli.executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let standardInput = Pipe()
        process.standardInput = standardInput
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let writer = standardInput.fileHandleForWriting
        let bytes = Data(input.utf8)
        DispatchQueue.global().async {
            writer.write(bytes)
            try? writer.close()
        }
    }

    func finish() throws -> (status: Int32, stdout: String, stderr: String) {
        let group = DispatchGroup()
        nonisolated(unsafe) var errorData = Data()
        DispatchQueue.global().async(group: group) { errorData = errors.fileHandleForReading.readDataToEndOfFile() }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }
}
