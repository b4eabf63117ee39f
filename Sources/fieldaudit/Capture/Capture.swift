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
            /end              end this session's interview
            /ref [REF]        set (or clear) the requirement later notes are about
            /note TEXT        a note, even one that starts with a slash: /note /etc/passwd was readable
            /test REF --method M --result R [...]                  record a control test
            /evidence FILE... [--describe TEXT] [--for ID]         store evidence files
            /run COMMAND...   run a command (no shell) and record its output as evidence on the interview
            /paste [--name NAME] [--describe TEXT]                 paste lines, end with a line holding only '.'
            /finding --grade G --ref REF --statement TEXT [...]   raise a finding
            /status           coverage and counts
            /help             this list
            /quit             leave (end of input does the same)
            """

        func run() throws {
            var session = try CaptureSession(replica: store.openReplica(), engagement: engagement.engagement)
            let interactive = isatty(STDIN_FILENO) == 1
            if interactive { Terminal.print("Capturing into \(Terminal.shown(session.client)). Type /help for commands.") }
            if let adopted = session.adopted {
                Terminal.print("Notes go to the interview with \(Terminal.shown(adopted.interviewee)) (\(adopted.id.short)), in progress; /end ends it.")
            }
            while true {
                if interactive { Terminal.prompt(session.ref.map { "[\($0)] > " } ?? "> ") }
                guard let line = readLine(strippingNewline: true) else { break }
                if session.handle(line) == .quit { break }
            }
            if let status = session.firstFailure {
                Terminal.error("\(session.failures) line\(session.failures == 1 ? " was" : "s were") not recorded in this session; see the messages above.")
                throw ExitCode(status)
            }
        }
    }
}
