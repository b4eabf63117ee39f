import ArgumentParser
import FieldAudit
import Foundation

/// `fieldaudit`: offline audit capture and sync, one replica per auditor.
@main
struct FieldAuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fieldaudit",
        abstract: "Capture an audit offline and merge the team's work without losing a word.",
        discussion: """
            Each auditor's laptop holds a replica: a SQLite store where every edit is a signed, \
            mergeable change. The store lives in $XDG_DATA_HOME/fieldaudit unless --store or \
            FIELDAUDIT_STORE says otherwise.
            """,
        version: "0.1.0",
        subcommands: [
            Init.self, Whoami.self, EngagementCommand.self, TeamCommand.self, CatalogCommand.self, SoACommand.self,
            SystemCommand.self, InterviewCommand.self, NoteCommand.self, Capture.self, TestCommand.self,
            EvidenceCommand.self, FindingCommand.self, Status.self, Search.self, Log.self, Conflicts.self, Resolve.self,
            Export.self, Import.self, BundleCommand.self, Vector.self, Trust.self, Verify.self, Field.self, ReportCommand.self,
            ServeCommand.self, RemoteCommand.self, Sync.self, CentralCommand.self, PlanCommand.self, Delete.self, Restore.self,
            KeyCommand.self,
        ])

    /// Runs the command line, mapping every error to its message and exit code in one place.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            try checkArgumentsAreUTF8()
            let moved = storeOptionMoved(arguments)
            if let plain = NoteCommand.plainArguments(moved) {
                // The quick path of `note` (see `plainArguments`): the same run, without the parser.
                return try NoteCommand.note(plain) { try Replica.open(at: StoreOptions.location(plain.store)) }
            }
            var command = try parseAsRoot(moved)
            try command.run()
        } catch let error as FieldAuditError {
            Terminal.error(error.description)
            Foundation.exit(ExitStatus.of(error).rawValue)
        } catch {
            if let text = misreadText(error, in: arguments) {
                let message = exitCode(for: error) == .success ? "fieldaudit: error: " + helpMisread(text) : fullMessage(for: error)
                Terminal.note(message + "\n" + textHint(text, in: arguments))
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            exit(withError: error)
        }
    }

    /// The arguments with a `--store PATH` (or `--store=PATH`) typed before the subcommand
    /// (`fieldaudit --store X init`) moved after it, where every subcommand takes it (before a
    /// `--`, which ends the options). Other arguments are left as they are.
    static func storeOptionMoved(_ arguments: [String]) -> [String] {
        var leading: [String] = [], index = 0
        while index < arguments.count {
            if arguments[index] == "--store", index + 1 < arguments.count {
                leading += arguments[index...(index + 1)]
                index += 2
            } else if arguments[index].hasPrefix("--store=") {
                leading.append(arguments[index])
                index += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count else { return arguments }
        var rest = Array(arguments[index...])
        rest.insert(contentsOf: leading, at: rest.firstIndex(of: "--") ?? rest.endIndex)
        return rest
    }

    /// Refuses an argument that is not UTF-8, which Swift would otherwise read with U+FFFD in
    /// place of its bytes, silently changing the text recorded.
    ///
    /// - Throws: `FieldAuditError.invalidInput` naming the argument.
    static func checkArgumentsAreUTF8() throws(FieldAuditError) {
        for index in 1..<Int(CommandLine.argc) {
            guard let raw = CommandLine.unsafeArgv[index], String(validatingCString: raw) == nil else { continue }
            throw .invalidInput(source: "argument \(index) (\(CommandLine.arguments[index]))", reason: "it is not UTF-8 text")
        }
    }

    /// The argument the parser took for options though it may be text that begins with `-`
    /// (`note '-5% drop'`): an unknown option, or a cluster of short flags holding an `h` that
    /// would otherwise print the help and exit 0 with nothing recorded. Nil for other errors and
    /// for a real request for help (`-h`, `-help`, `--help`). `command` is the command that
    /// parsed `arguments` (a capture session's slash command parses its own).
    static func misreadText(
        _ error: any Error, in arguments: [String], parsing command: any ParsableArguments.Type = FieldAuditCommand.self
    ) -> String? {
        let options = arguments.prefix { $0 != "--" }
        if command.exitCode(for: error) == .success {
            guard !options.contains(where: { ["-h", "-help", "--help"].contains($0) }) else { return nil }
            return options.first { $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("h") }
        }
        guard let match = command.message(for: error).firstMatch(of: /Unknown option '([^']+)'/) else { return nil }
        let name = String(match.1)
        return options.first { $0 == name || ($0.hasPrefix(name) && !$0.hasPrefix("--")) }
    }

    /// Why `text`, read as options, did nothing: it holds `h`, which asked for help.
    static func helpMisread(_ text: String) -> String {
        "\(shellQuoted(text)) is not an option (read as options, it holds -h, a request for help); nothing was done."
    }

    /// How to pass `text` as text: after `--`, as git and Taskwarrior take it, with the other
    /// arguments before it. `typed` is what the user typed before the arguments (`fieldaudit`, or
    /// a capture session's `/finding`).
    static func textHint(_ text: String, in arguments: [String], typed: String = "fieldaudit") -> String {
        let rest = arguments.filter { $0 != text && $0 != "--" }
        return "If \(shellQuoted(text)) is text, not an option, put -- before it, after every option: "
            + "\(typed) \((rest + ["--", text]).map(shellQuoted).joined(separator: " "))"
    }

    /// `word` as a POSIX shell reads it back: as it is when plain, else in single quotes.
    static func shellQuoted(_ word: String) -> String {
        guard word.isEmpty || word.contains(where: { !($0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0)) }) else { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
