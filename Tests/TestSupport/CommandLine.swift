import Foundation
import Testing

/// Runs the built `fieldaudit` binary the way a user types it.
public struct FieldAuditCLI: Sendable {
    /// What a run printed and how it ended.
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// The binary: `$FIELDAUDIT_BIN` when set (a release build, say), else the one next to the test
    /// bundle in the build folder.
    public let executable: String
    /// Extra environment for every run (the store, mostly).
    public var environment: [String: String]
    /// A command the binary runs under, for example `["/usr/bin/setpriv", "--reuid=65534", …]`
    /// to run it as another user; empty to run it directly.
    public var launcher: [String] = []

    public init(environment: [String: String] = [:]) {
        self.executable = Self.locate()
        self.environment = environment
    }

    private static func locate() -> String {
        if let configured = ProcessInfo.processInfo.environment["FIELDAUDIT_BIN"], !configured.isEmpty { return configured }
        let candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
            + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for directory in candidates {
            let path = directory.appendingPathComponent("fieldaudit").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return ".build/debug/fieldaudit"
    }

    /// Runs `fieldaudit arguments…`, feeding `input` on standard input.
    @discardableResult
    public func run(_ arguments: [String], input: String? = nil, environment extra: [String: String] = [:]) throws -> Result {
        try run(arguments, inputData: input.map { Data($0.utf8) }, environment: extra)
    }

    /// Runs `fieldaudit arguments…`, feeding raw bytes on standard input.
    @discardableResult
    public func run(_ arguments: [String], inputData: Data?, environment extra: [String: String] = [:]) throws -> Result {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.merge(environment) { _, new in new }
        env.merge(extra) { _, new in new }
        return try Self.execute(
            launcher.first ?? executable, launcher.isEmpty ? arguments : launcher.dropFirst() + [executable] + arguments,
            environment: env, inputData: inputData)
    }

    /// Runs any program to its end (a tool a test drives beside `fieldaudit`, such as
    /// `scripts/render-report` or `pdftotext`), feeding `inputData` on standard input and reading
    /// both pipes; `environment` replaces the inherited one when given.
    public static func execute(
        _ program: String, _ arguments: [String], environment: [String: String]? = nil, inputData: Data? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        // Feed standard input from another thread, so a large input never deadlocks with the output pipes.
        let writer = stdin.fileHandleForWriting
        let feeding = DispatchGroup()
        if let inputData {
            DispatchQueue.global().async(group: feeding) {
                writer.write(inputData)
                try? writer.close()
            }
        } else {
            try writer.close()
        }
        // Read both pipes before waiting, so a chatty process never blocks on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        DispatchQueue.global().async(group: group) { errData = stderr.fileHandleForReading.readDataToEndOfFile() }
        let outData = stdout.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        feeding.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// `run` with `--store directory` appended.
    @discardableResult
    public func run(_ arguments: [String], store: String, input: String? = nil) throws -> Result {
        try run(arguments + ["--store", store], input: input)
    }

    /// `run` with `--store directory` appended, expecting success: an issue names the command and
    /// its standard error otherwise. Returns standard output.
    @discardableResult
    public func succeed(
        _ arguments: [String], store: String, input: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        let result = try run(arguments, store: store, input: input)
        #expect(result.status == 0, "`fieldaudit \(arguments.joined(separator: " "))` failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }
}
