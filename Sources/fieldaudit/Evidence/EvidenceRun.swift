import ArgumentParser
import FieldAudit
import Foundation

extension FieldAuditCommand.EvidenceCommand {
    /// `fieldaudit evidence run`: run a command and record what it printed, and how it ran, as one evidence item.
    struct Run: ReplicaCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run a command and record its combined output, and how it ran, as one evidence item.",
            discussion: """
                The command runs without a shell, its argv exactly as given after --. Its standard output \
                and error are shown as they arrive and recorded together, byte for byte, with the argv, \
                working directory, host, start and end time (UTC, ms) and exit status (or signal). \
                --redact masks every match of a regular expression with [REDACTED], in the output and in \
                the recorded argv, before anything is stored; the record names the pattern and how many \
                matches it masked (write a pattern that begins with '-' as --redact=PATTERN). A command still \
                running at --timeout is stopped (its process group gets SIGTERM, then SIGKILL) and recorded \
                as timed out. Output beyond --max-output is shown but not stored: the record says it was \
                cut, and fieldaudit exits 65. Ctrl-C stops the command and records nothing, unless --keep-interrupted.
                """)
        @Option(help: "A requirement the evidence bears on.") var ref: String?
        @Option(name: .customLong("for"), help: "A test, finding or interview id (or prefix), or a requirement, to link to.") var target: String?
        @Option(parsing: .unconditional, help: "What the run shows.") var describe: String?
        @Option(help: "The name to record the transcript under (default: the command's name and .transcript).") var name: String?
        @Option(help: "Stop the command after this long: seconds, or 90s, 10m, 2h.") var timeout = TimeLimit(seconds: 600)
        @Option(name: .customLong("max-output"), help: "Store at most this much output: bytes, KiB, MiB (at most 256MiB).")
        var maxOutput = ByteCount(bytes: 16 << 20)
        @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("Mask matches of this regular expression before storing (repeatable).", valueName: "pattern"))
        var redact: [String] = []
        @Flag(help: "Record the output even if the run is interrupted with Ctrl-C.") var keepInterrupted = false
        @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.") var command: [String] = []
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        /// The largest --max-output: the output is kept in memory until it is redacted and stored.
        static let largestOutput: Int64 = 256 << 20

        func validate() throws {
            if command.isEmpty { throw ValidationError("give the command after --: fieldaudit evidence run -- kubectl get pods") }
            if maxOutput.bytes > Self.largestOutput { throw ValidationError("--max-output is at most 256MiB.") }
        }

        func run(on replica: Replica) throws {
            try record(on: replica, standardInput: true)
        }

        /// Runs the command and records it; a capture session gives the command no standard input
        /// (its own lines are the session's) and links the run to its interview.
        func record(on replica: Replica, standardInput: Bool, interview: String? = nil) throws {
            if let name { try Replica.checkEvidenceName(name) }
            let redactor = try Redactor(patterns: redact)
            let linkTo = target ?? interview
            try replica.checkEvidenceDestination(target: linkTo, ref: ref, engagement: engagement.engagement)
            let directory = FileManager.default.currentDirectoryPath
            let host = CommandRun.hostName()
            Terminal.note("$ \(Terminal.shown(Self.commandLine(redactor.redact(arguments: command).arguments)))")
            let outcome = try CommandRun(timeout: Double(timeout.seconds), limit: Int(maxOutput.bytes), inheritsStandardInput: standardInput)
                .run(command)
            if outcome.interrupted && !keepInterrupted {
                throw FieldAuditError.runInterrupted(command: Self.commandLine(redactor.redact(arguments: command).arguments))
            }
            let (output, inOutput) = redactor.redact(outcome.output)
            let (argv, inArguments) = redactor.redact(arguments: command)
            let redactions = zip(inOutput, inArguments).map { Evidence.Run.Redaction(pattern: $0.pattern, matches: $0.matches + $1.matches) }
            let run = Evidence.Run(
                argv: argv, directory: directory, host: host, startedAt: outcome.startedAt, endedAt: outcome.endedAt,
                exitStatus: outcome.exitStatus.map(Int64.init), signal: outcome.signal.map(Int64.init), timedOut: outcome.timedOut,
                truncated: outcome.truncated, outputBytes: outcome.outputBytes, outputLimit: maxOutput.bytes, redactions: redactions)
            let added = try replica.addTranscript(
                output, run: run, name: name ?? Self.defaultName(command), description: describe, target: linkTo, ref: ref,
                engagement: engagement.engagement)
            var lines = [
                "Recorded evidence \(added.id.short): \(run.outcome), \(output.count) bytes stored, sha256:\(added.digest.hex)"
                    + (added.newLinks.isEmpty ? "" : "; linked to \(added.newLinks.joined(separator: ", "))") + ".",
            ]
            if outcome.interrupted { lines.append("The run was interrupted; what it printed until then was recorded (--keep-interrupted).") }
            if let note = run.redactionNote { lines.append("Redacted: \(note).") }
            if outcome.timedOut { lines.append("It ran past the \(timeout) limit and was stopped; the record says it timed out.") }

            if !Replica.isText(output) { lines.append("The output is binary: reports and `evidence show` describe it as binary, \(output.count) bytes.") }
            for line in lines { Terminal.note(line) }
            // Recorded, but not whole: never exit 0 when output was dropped.
            if run.truncated { throw FieldAuditError.runOutputCut(evidence: added.id.short, stored: Int64(output.count), written: run.outputBytes) }
        }

        /// The command as a person would type it.
        static func commandLine(_ argv: [String]) -> String { Evidence.Run.commandLine(argv) }

        /// `NAME.transcript` after the program's file name, or `command.transcript` when that is not a usable name.
        static func defaultName(_ argv: [String]) -> String {
            let name = (argv[0] as NSString).lastPathComponent + ".transcript"
            return (try? Replica.checkEvidenceName(name)) == nil ? "command.transcript" : name
        }
    }
}
