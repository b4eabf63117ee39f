import ArgumentParser
import FieldAudit
import Foundation

extension FieldAuditCommand {
    /// `fieldaudit capture`: an interactive session for a live interview.
    struct Capture: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "capture",
            abstract: "Capture a live interview: each line is a note, slash commands do the rest.",
            discussion: """
                Every plain line becomes a note on the interview in progress (and on the requirement set \
                with /ref), stored durably as soon as you press return. Works from a pipe as well as a \
                terminal. Type /help for the slash commands.
                """)
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        static let help = """
            Plain text        a note on the interview in progress (and on the /ref requirement)
            /interview --with NAME [--role ROLE] [--topics REFS]   start an interview
            /end              end the interview in progress
            /ref [REF]        set (or clear) the requirement later notes are about
            /note TEXT        a note, even one that starts with a slash: /note /etc/passwd was readable
            /test REF --method M --result R [...]                  record a control test
            /evidence FILE... [--describe TEXT] [--for ID]         store evidence files
            /finding --grade G --ref REF --statement TEXT [...]   raise a finding
            /status           coverage and counts
            /help             this list
            /quit             leave (end of input does the same)
            """

        func run() throws {
            let replica = try store.openReplica()
            var session = CaptureSession(replica: replica, options: passedOptions)
            let interactive = isatty(STDIN_FILENO) == 1
            if interactive {
                Terminal.print("Capturing into \(try replica.record(of: try replica.engagementID(engagement.engagement)).engagement.client). Type /help for commands.")
            }
            while true {
                if interactive { Terminal.prompt(session.ref.map { "[\($0)] > " } ?? "> ") }
                guard let line = readLine(strippingNewline: true) else { break }
                if session.handle(line) == .quit { break }
            }
        }

        /// The options to pass on to commands run from the session.
        private var passedOptions: [String] {
            (store.store.map { ["--store", $0] } ?? []) + (engagement.engagement.map { ["--engagement", $0] } ?? [])
        }
    }
}

/// One capture session's state and line handling: pure of terminal concerns except printing.
struct CaptureSession {
    let replica: Replica
    let options: [String]
    /// The requirement later notes are about.
    private(set) var ref: String?

    init(replica: Replica, options: [String]) {
        self.replica = replica
        self.options = options
    }

    enum Outcome { case next, quit }

    /// Handles one line: a note, or a slash command. Errors are printed; the session goes on.
    mutating func handle(_ line: String) -> Outcome {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return .next }
        guard text.hasPrefix("/") else {
            note(text)
            return .next
        }
        let words: [String]
        do { words = try ShellWords.split(String(text.dropFirst())) } catch {
            Terminal.error("\(error)")
            return .next
        }
        guard let command = words.first else { return .next }
        let rest = Array(words.dropFirst())
        switch command {
        case "quit", "exit", "q": return .quit
        case "help", "?": Terminal.print(FieldAuditCommand.Capture.help)
        case "note": note(String(text.dropFirst(5)).trimmingCharacters(in: .whitespaces))
        case "ref": setRef(rest.first)
        case "interview": run(["interview", "start"] + rest)
        case "end": run(["interview", "end"] + rest)
        case "test": run(["test", "record"] + rest)
        case "evidence": run(["evidence", "add"] + rest)
        case "finding": run(["finding", "raise"] + rest)
        case "status": run(["status", "--brief"] + rest)
        default: Terminal.error("unknown command /\(command); type /help for the list.")
        }
        return .next
    }

    private func note(_ text: String) {
        do {
            let id = try replica.addNote(text, ref: ref, engagement: engagementOption)
            Terminal.print("  noted \(id.short)")
        } catch {
            Terminal.error("\(error)")
        }
    }

    private mutating func setRef(_ reference: String?) {
        guard let reference else {
            ref = nil
            return Terminal.print("  notes are no longer tied to a requirement")
        }
        do {
            let record = try replica.record(of: try replica.engagementID(engagementOption))
            ref = try record.catalog.check(reference).ref
            Terminal.print("  notes now concern \(ref!)")
        } catch {
            Terminal.error("\(error)")
        }
    }

    private var engagementOption: String? {
        options.firstIndex(of: "--engagement").map { options[$0 + 1] }
    }

    /// Runs a `fieldaudit` command line in this process, printing any error without leaving.
    private func run(_ arguments: [String]) {
        do {
            var command = try FieldAuditCommand.parseAsRoot(arguments + options)
            try command.run()
        } catch let error as FieldAuditError {
            Terminal.error(error.description)
        } catch {
            Terminal.error(FieldAuditCommand.message(for: error))
        }
    }
}

/// Splits a line into words as a POSIX shell would: spaces separate, quotes group, `\` escapes.
enum ShellWords {
    struct UnclosedQuote: Error, CustomStringConvertible {
        var description: String { "a quote is not closed; nothing was done" }
    }

    static func split(_ line: String) throws -> [String] {
        var words: [String] = [], current = "", inWord = false
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quote != "'" {
                escaped = true
                inWord = true
            } else if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character.isWhitespace {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        guard quote == nil else { throw UnclosedQuote() }
        if inWord { words.append(current) }
        return words
    }
}
