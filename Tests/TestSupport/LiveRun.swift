import Foundation

/// A `fieldaudit` process fed one line at a time, each answer read before the next line is sent,
/// so that several processes' lines interleave exactly as a test orders them.
public final class LiveRun: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe(), output = Pipe(), errors = Pipe()
    private let condition = NSCondition()
    private var pending = "", errorText = "", closed = 0
    private let readers = DispatchGroup()

    /// Starts `fieldaudit arguments…`.
    public init(cli: FieldAuditCLI, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: cli.executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment.merge(cli.environment) { _, new in new }
        process.environment = environment
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        collect(output.fileHandleForReading) { run, text in run.pending += text }
        collect(errors.fileHandleForReading) { run, text in run.errorText += text }
    }

    /// Reads a pipe until it closes, adding what comes to this run's text under the lock.
    private func collect(_ handle: FileHandle, into append: @escaping @Sendable (LiveRun, String) -> Void) {
        DispatchQueue.global().async(group: readers) { [self] in
            while case let data = handle.availableData, !data.isEmpty {
                condition.lock()
                append(self, String(decoding: data, as: UTF8.self))
                condition.broadcast()
                condition.unlock()
            }
            condition.lock()
            closed += 1
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Sends one line and returns the next line the process prints on standard output; `nil` as
    /// soon as it prints on standard error instead (a refused line), or after `timeout` seconds.
    @discardableResult
    public func send(_ line: String, timeout: TimeInterval = 30) -> String? {
        condition.lock()
        let errorsBefore = errorText.count
        condition.unlock()
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while !pending.contains("\n") {
            if errorText.count > errorsBefore || closed == 2 || !condition.wait(until: deadline) { return nil }
        }
        let end = pending.firstIndex(of: "\n")!
        let answer = String(pending[..<end])
        pending = String(pending[pending.index(after: end)...])
        return answer
    }

    /// Closes standard input and waits for the process: its status and standard error.
    public func finish() throws -> (status: Int32, stderr: String) {
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        readers.wait()
        condition.lock()
        defer { condition.unlock() }
        return (process.terminationStatus, errorText)
    }
}
