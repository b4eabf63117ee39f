import ArgumentParser
import FieldAudit
import Foundation

/// One capture session: its engagement, its own interview and requirement, and its line handling.
///
/// Every line runs on the one replica the session opened, in the engagement fixed when it
/// started: notes go to the session's own interview (`InterviewSlot.session`), never to one that
/// another session or the command line started meanwhile, and `/end` ends only the session's own.
struct CaptureSession {
    let replica: Replica
    /// The engagement's id, fixed when the session starts.
    let engagement: String
    /// The engagement's client, for the greeting.
    let client: String
    /// The interview started on the command line that the session took over when it started.
    let adopted: Interview?
    /// The session's own interview.
    private(set) var interview: InterviewSlot
    /// The requirement later notes are about.
    private(set) var ref: String?
    /// How many lines failed, and the exit status of the first that did.
    private(set) var failures = 0
    private(set) var firstFailure: Int32?

    /// Opens a session in the engagement named (or the current one). An interview started on the
    /// command line and still in progress in that engagement becomes the session's own.
    init(replica: Replica, engagement reference: String?) throws {
        self.replica = replica
        let record = try replica.record(of: try replica.engagementID(reference), kinds: [.interview])
        engagement = record.engagement.id.description
        client = record.engagement.client
        let current = try replica.interview(in: .commandLine)
        adopted = current.flatMap { current in
            current.isOpen && record.interviews.contains { $0.id == current.id } ? current : nil
        }
        interview = .session(adopted?.id)
    }

    enum Outcome { case next, quit }

    /// Handles one line: a note, or a slash command. Errors are printed and counted; the session goes on.
    mutating func handle(_ line: String) -> Outcome {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return .next }
        guard text.hasPrefix("/") else {
            note(text)
            return .next
        }
        let words: [String]
        do { words = try ShellWords.split(String(text.dropFirst())) } catch {
            failed(ValidationError("\(error)"))
            return .next
        }
        guard let command = words.first else { return .next }
        let rest = Array(words.dropFirst())
        switch command {
        case "quit", "exit", "q": return .quit
        case "help", "?": Terminal.print(FieldAuditCommand.Capture.help)
        case "note": note(String(text.dropFirst(5)).trimmingCharacters(in: .whitespaces))
        case "ref": setRef(rest.first)
        case "interview": startInterview(rest)
        case "end": endInterview(rest)
        case "test": run(FieldAuditCommand.TestCommand.Record.self, rest, typed: "/test")
        case "evidence": run(FieldAuditCommand.EvidenceCommand.Add.self, rest, typed: "/evidence")
        case "finding": run(FieldAuditCommand.FindingCommand.Raise.self, rest, typed: "/finding")
        case "status": run(FieldAuditCommand.Status.self, ["--brief"] + rest, typed: "/status")
        case "run": runCommand(rest)
        case "paste": paste(rest)
        default: failed(ValidationError("unknown command /\(command); type /help for the list. Nothing was done."))
        }
        return .next
    }

    private mutating func note(_ text: String) {
        do {
            let id = try replica.addNote(text, ref: ref, engagement: engagement, in: interview)
            Terminal.print("  noted \(id.short)")
        } catch {
            failed(error)
        }
    }

    private mutating func setRef(_ reference: String?) {
        guard let reference else {
            ref = nil
            return Terminal.print("  notes are no longer tied to a requirement")
        }
        do {
            let record = try replica.record(of: try replica.engagementID(engagement), kinds: [])
            ref = try replica.requirement(reference, in: record).stored
            Terminal.print("  notes now concern \(record.standards.shown(ref!))")
        } catch {
            failed(error)
        }
    }

    private mutating func startInterview(_ arguments: [String]) {
        typealias Start = FieldAuditCommand.InterviewCommand.Start
        do {
            interview = try Start.parse(arguments).start(on: replica, in: interview, engagement: engagement)
        } catch {
            failed(error, parsing: Start.self, arguments: arguments, typed: "/interview")
        }
    }

    private mutating func endInterview(_ arguments: [String]) {
        guard arguments.isEmpty else {
            return failed(ValidationError(
                "/end ends this session's own interview and takes no argument; nothing was ended. To end another, use `fieldaudit interview end ID`."))
        }
        do {
            let ended = try replica.endInterview(engagement: engagement, in: interview)
            interview = .session(nil)
            Terminal.print("Interview \(ended.short) ended.")
        } catch {
            failed(error)
        }
    }

    /// The id of the session's interview while it is in progress, for the evidence `/run` and `/paste` record.
    private func interviewInProgress() throws -> String? {
        guard let current = try replica.interview(in: interview), current.isOpen else { return nil }
        return current.id.description
    }

    /// `/run COMMAND…` (or `/run [OPTIONS] -- COMMAND…`): runs the command as `evidence run` does,
    /// without the session's standard input, linked to the session's interview in progress.
    private mutating func runCommand(_ arguments: [String]) {
        typealias Run = FieldAuditCommand.EvidenceCommand.Run
        let words = arguments.first?.hasPrefix("-") == true ? arguments : ["--"] + arguments
        do {
            var command = try Run.parse(words)
            if command.engagement.engagement == nil { command.engagement.engagement = engagement }
            try command.record(on: replica, standardInput: false, interview: try interviewInProgress())
        } catch {
            failed(error, parsing: Run.self, arguments: words, typed: "/run")
        }
    }

    /// `/paste [--name NAME] [--describe TEXT] [--ref REF]`: the lines that follow, up to one holding
    /// only `.`, stored as one evidence file linked to the session's interview in progress. The end
    /// of input before the `.` (Ctrl-D) abandons the paste: nothing is recorded, and the line counts
    /// as not recorded.
    private mutating func paste(_ arguments: [String]) {
        typealias Add = FieldAuditCommand.EvidenceCommand.Add
        do {
            var command = try Add.parse(["-"] + (arguments.contains("--name") ? arguments : arguments + ["--name", "pasted.txt"]))
            if command.engagement.engagement == nil { command.engagement.engagement = engagement }
            let target = try command.target ?? interviewInProgress()
            try replica.checkEvidenceDestination(target: target, ref: command.ref, engagement: command.engagement.engagement)
            if isatty(STDIN_FILENO) == 1 { Terminal.print("  paste now; end with a line holding only '.' (Ctrl-D abandons the paste)") }
            var lines: [String] = []
            while true {
                guard let line = readLine(strippingNewline: true) else {
                    throw FieldAuditError.invalidInput(
                        source: "/paste", reason: "the input ended before a line holding only '.', so the \(lines.count) line\(lines.count == 1 ? "" : "s") pasted were abandoned")
                }
                if line == "." { break }
                lines.append(line)
            }
            guard !lines.isEmpty else { throw FieldAuditError.invalidInput(source: "/paste", reason: "nothing was pasted before the '.'") }
            let spool = FileManager.default.temporaryDirectory.appendingPathComponent("fieldaudit-paste-\(UUID().uuidString).txt").path
            guard let handle = ScratchFile.create(at: spool) else { throw FieldAuditError.io(path: spool, reason: "cannot spool the paste") }
            defer { try? FileManager.default.removeItem(atPath: spool) }
            try handle.write(contentsOf: Data((lines.joined(separator: "\n") + "\n").utf8))
            try handle.close()
            let item = try replica.addEvidence(
                standardInput: spool, name: command.name!, target: target, ref: command.ref, description: command.describe,
                engagement: command.engagement.engagement)
            Terminal.print("  " + Add.describe(item, file: command.name!))
        } catch {
            failed(error, parsing: Add.self, arguments: arguments, typed: "/paste")
        }
    }

    /// Parses a slash command's options as its command line would, and runs it on the session's
    /// replica, in the session's engagement unless it names another.
    private mutating func run<Command: ReplicaCommand>(_ type: Command.Type, _ arguments: [String], typed: String) {
        do {
            var command = try type.parse(arguments)
            if command.engagement.engagement == nil { command.engagement.engagement = engagement }
            try command.run(on: replica)
        } catch {
            failed(error, parsing: type, arguments: arguments, typed: typed)
        }
    }

    /// Prints why a line failed and counts it, keeping the exit status of the first failure. An
    /// argument the parser misread as options (text that begins with `-`) gets the command line's
    /// hint: put `--` before it.
    private mutating func failed(
        _ error: any Error, parsing command: any ParsableArguments.Type = FieldAuditCommand.self,
        arguments: [String] = [], typed: String = ""
    ) {
        let status: Int32
        if let error = error as? FieldAuditError {
            Terminal.error(error.description)
            status = ExitStatus.of(error).rawValue
        } else if let text = FieldAuditCommand.misreadText(error, in: arguments, parsing: command) {
            let message = command.exitCode(for: error) == .success ? FieldAuditCommand.helpMisread(text) : command.message(for: error)
            Terminal.error(message + "\n" + FieldAuditCommand.textHint(text, in: arguments, typed: typed))
            status = ExitStatus.usage.rawValue
        } else {
            Terminal.error(command.message(for: error))
            status = command.exitCode(for: error).rawValue
        }
        failures += 1
        if firstFailure == nil { firstFailure = status }
    }
}
