import ArgumentParser
import AuditModel
import FieldAudit
import Foundation

extension FieldAuditCommand {
    /// `fieldaudit interview`: interviews and their notes.
    struct InterviewCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "interview", abstract: "Start, end, list and show interviews.",
            subcommands: [Start.self, End.self, List.self, Show.self])
    }

    /// `fieldaudit note`: an append-only note on the current interview or a requirement.
    struct NoteCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "note",
            abstract: "Add a note to the interview in progress and/or a requirement.",
            discussion: """
                The text comes from the argument, from standard input with '-', or from $EDITOR when \
                no text is given on a terminal. Notes are never edited: add another one instead.
                """)
        @Argument(help: "The note's text, or '-' to read it from standard input.") var text: String?
        @Option(help: "A requirement the note is about (for example 6.1.2 or A.5.2).") var ref: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let replica = try store.openReplica()
            let body = try TextInput.read(text, purpose: "note")
            let id = try replica.addNote(body, ref: ref, engagement: engagement.engagement)
            Terminal.print("Noted (\(id.short)).")
        }
    }
}

extension FieldAuditCommand.InterviewCommand {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start", abstract: "Start an interview; notes go to it until it ends (one at a time).")
        @Option(name: .customLong("with"), help: "The interviewee.") var interviewee: String
        @Option(help: "The interviewee's role or function.") var role: String?
        @Option(help: "Requirements discussed, comma-separated (for example 6.1.2,A.5.2).") var topics: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            _ = try start(on: store.openReplica(), in: .commandLine, engagement: engagement.engagement)
        }

        /// Starts the interview in a slot (the command line's, or a capture session's), says so,
        /// and returns the slot holding it.
        func start(on replica: Replica, in slot: InterviewSlot, engagement: String?) throws -> InterviewSlot {
            let id = try replica.startInterview(
                with: interviewee, role: role, topics: topics.map { [$0] } ?? [], engagement: engagement, in: slot)
            Terminal.print("Interview with \(interviewee) started (\(id.short)); notes go to it until \(slot.isSession ? "/end" : "`fieldaudit interview end`").")
            return slot.isSession ? .session(id) : .commandLine
        }
    }

    struct End: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "end", abstract: "End the interview in progress.")
        @Argument(help: "An interview to end instead of the current one.") var id: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let ended = try store.openReplica().endInterview(id, engagement: engagement.engagement)
            Terminal.print("Interview \(ended.short) ended.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List interviews.")
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            let record = try engagement.open(store).record
            if output.json { return try Terminal.printJSON(record.interviews) }
            Terminal.print(Terminal.columns(
                ["id", "interviewee", "role", "started", "notes", "topics"],
                record.interviews.map { interview in
                    [
                        interview.id.short, interview.interviewee, interview.role ?? "", Terminal.time(interview.startedAt),
                        String(record.notes.filter { $0.interview == interview.id }.count), interview.topics.joined(separator: ","),
                    ]
                }))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an interview with its notes.")
        @Argument(help: "The interview (default: the one in progress).") var id: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        struct View: Encodable {
            var interview: Interview
            var notes: [Note]
        }

        func run() throws {
            let (replica, record) = try engagement.open(store)
            let chosen: Interview
            if let id {
                let wanted = try replica.resolve(id, among: record.interviews.map(\.id), kind: "interview")
                chosen = record.interviews.first { $0.id == wanted }!
            } else {
                guard let current = try replica.currentInterview(), let found = record.interviews.first(where: { $0.id == current }) else {
                    throw FieldAuditError.noCurrentInterview
                }
                chosen = found
            }
            let notes = record.notes.filter { $0.interview == chosen.id }
            if output.json { return try Terminal.printJSON(View(interview: chosen, notes: notes)) }
            Terminal.print(Terminal.table([
                ("interview", chosen.id.description), ("with", chosen.interviewee + (chosen.role.map { ", \($0)" } ?? "")),
                ("started", Terminal.time(chosen.startedAt)), ("ended", chosen.endedAt.map { Terminal.time($0) } ?? "in progress"),
                ("auditors", chosen.auditors.joined(separator: ", ")), ("topics", chosen.topics.joined(separator: ", ")),
            ]))
            for note in notes {
                Terminal.print("  \(Terminal.time(note.at, timeOnly: true))\(note.ref.map { " [\(Terminal.shown($0))]" } ?? "") \(Terminal.shown(note.text, multiline: true, indent: "        "))")
            }
        }
    }
}

/// Long text from an argument, standard input, or the user's editor.
enum TextInput {
    /// `text` itself; standard input for `-`; `$EDITOR` on a terminal when `text` is nil;
    /// otherwise standard input.
    static func read(_ text: String?, purpose: String) throws -> String {
        if let text, text != "-" { return text }
        if text == nil, isatty(STDIN_FILENO) == 1 { return try edit(purpose: purpose) }
        let data = FileHandle.standardInput.readDataToEndOfFile()
        guard let input = String(data: data, encoding: .utf8) else {
            throw FieldAuditError.invalidInput(source: "standard input", reason: "the \(purpose) is not UTF-8 text")
        }
        return input.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Opens `$VISUAL`/`$EDITOR` (default `vi`) on a temporary file and returns what was saved.
    static func edit(purpose: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let editor = environment["VISUAL"] ?? environment["EDITOR"] ?? "vi"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fieldaudit-\(purpose)-\(UUID().uuidString.prefix(8)).txt").path
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(editor) \"$1\"", "sh", path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("the editor exited with status \(process.terminationStatus); nothing was recorded.") }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw FieldAuditError.invalidInput(source: "the text from \(editor)", reason: "the \(purpose) is not UTF-8 text")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
