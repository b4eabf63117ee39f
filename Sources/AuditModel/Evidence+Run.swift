import Foundation
import Replication

extension Evidence {
    /// How a command whose combined output is the evidence ran (`fieldaudit evidence run`, `/run`).
    ///
    /// The transcript's bytes are the evidence file itself (after redaction); these facts are
    /// fields of the same evidence entity, written once with it (evidence is append-only, so they
    /// never conflict).
    public struct Run: Hashable, Sendable, Encodable {
        /// The command and its arguments, exactly as run (no shell).
        public var argv: [String]
        /// The working directory it ran in.
        public var directory: String
        /// The host it ran on.
        public var host: String
        /// When it started and ended, Unix milliseconds (UTC).
        public var startedAt: Int64
        /// When it ended (or was killed), Unix milliseconds (UTC).
        public var endedAt: Int64
        /// Its exit status; `nil` when a signal ended it.
        public var exitStatus: Int64?
        /// The signal that ended it, if one did.
        public var signal: Int64?
        /// Whether it ran past the time limit and FieldAudit killed its process group.
        public var timedOut: Bool
        /// Whether the output was longer than the limit and only its first `outputLimit` bytes were stored.
        public var truncated: Bool
        /// How many bytes the command wrote in all (before redaction; more than stored when truncated).
        public var outputBytes: Int64
        /// The output limit in force, in bytes.
        public var outputLimit: Int64
        /// What was masked before anything was stored: each pattern and how many matches it masked.
        /// The masked text itself is never recorded.
        public var redactions: [Redaction]

        /// One `--redact` pattern and how many matches of it were masked.
        public struct Redaction: Hashable, Sendable, Encodable {
            /// The regular expression, as the auditor gave it.
            public var pattern: String
            /// How many matches were replaced by `Evidence.Run.mask`.
            public var matches: Int

            /// A pattern and its count of masked matches.
            public init(pattern: String, matches: Int) {
                self.pattern = pattern
                self.matches = matches
            }
        }

        /// What replaces each masked match in the stored transcript.
        public static let mask = "[REDACTED]"

        /// A command's run, as recorded.
        public init(
            argv: [String], directory: String, host: String, startedAt: Int64, endedAt: Int64, exitStatus: Int64?, signal: Int64?,
            timedOut: Bool, truncated: Bool, outputBytes: Int64, outputLimit: Int64, redactions: [Redaction]
        ) {
            self.argv = argv
            self.directory = directory
            self.host = host
            self.startedAt = startedAt
            self.endedAt = endedAt
            self.exitStatus = exitStatus
            self.signal = signal
            self.timedOut = timedOut
            self.truncated = truncated
            self.outputBytes = outputBytes
            self.outputLimit = outputLimit
            self.redactions = redactions
        }

        /// Reads a run from an evidence snapshot; `nil` when the evidence is not a transcript (no `argv`).
        init?(_ snapshot: EntitySnapshot) {
            let argv = snapshot.strings(Field.argv.rawValue)
            guard !argv.isEmpty else { return nil }
            self.argv = argv
            directory = snapshot.text(Field.directory.rawValue) ?? ""
            host = snapshot.text(Field.host.rawValue) ?? ""
            startedAt = snapshot.integer(Field.startedAt.rawValue) ?? 0
            endedAt = snapshot.integer(Field.endedAt.rawValue) ?? startedAt
            exitStatus = snapshot.integer(Field.exitStatus.rawValue)
            signal = snapshot.integer(Field.signal.rawValue)
            timedOut = snapshot.flag(Field.timedOut.rawValue)
            truncated = snapshot.flag(Field.truncated.rawValue)
            outputBytes = snapshot.integer(Field.outputBytes.rawValue) ?? 0
            outputLimit = snapshot.integer(Field.outputLimit.rawValue) ?? 0
            redactions = snapshot.strings(Field.redactions.rawValue).compactMap { entry in
                // Each entry is `COUNT PATTERN`: the count, one space, the pattern as given.
                guard let space = entry.firstIndex(of: " "), let count = Int(entry[..<space]) else { return nil }
                return Redaction(pattern: String(entry[entry.index(after: space)...]), matches: count)
            }
        }

        /// The fields that record the run, beside `Evidence.writes` of the transcript.
        public var writes: FieldWrites {
            var writes: FieldWrites = [
                (Field.argv.rawValue, FieldCoding.encodeStrings(argv)), (Field.directory.rawValue, .text(directory)),
                (Field.host.rawValue, .text(host)), (Field.startedAt.rawValue, .integer(startedAt)),
                (Field.endedAt.rawValue, .integer(endedAt)), (Field.timedOut.rawValue, .integer(timedOut ? 1 : 0)),
                (Field.truncated.rawValue, .integer(truncated ? 1 : 0)), (Field.outputBytes.rawValue, .integer(outputBytes)),
                (Field.outputLimit.rawValue, .integer(outputLimit)),
                (Field.redactions.rawValue, FieldCoding.encodeStrings(redactions.map { "\($0.matches) \($0.pattern)" })),
            ]
            if let exitStatus { writes.append((Field.exitStatus.rawValue, .integer(exitStatus))) }
            if let signal { writes.append((Field.signal.rawValue, .integer(signal))) }
            return writes
        }

        /// How the command ended, in words: `exit status 0`, `killed by signal 9 after the 10 s time limit`.
        public var outcome: String {
            var words = exitStatus.map { "exit status \($0)" } ?? signal.map { "killed by signal \($0)\(Self.signalName($0).map { " (\($0))" } ?? "")" } ?? "unknown"
            if timedOut { words += ", timed out: FieldAudit stopped it at the time limit" }
            return words
        }

        /// The command line as a person would type it: words with spaces or quotes are single-quoted.
        public var commandLine: String { Self.commandLine(argv) }

        /// A command line as a person would type it: words with spaces or quotes are single-quoted.
        public static func commandLine(_ argv: [String]) -> String {
            argv.map(quoted).joined(separator: " ")
        }

        /// The redaction note: `2 matches of password=\S+ masked`, or `nil` when nothing was asked to be masked.
        public var redactionNote: String? {
            guard !redactions.isEmpty else { return nil }
            return redactions.map { "\($0.matches) match\($0.matches == 1 ? "" : "es") of \($0.pattern) masked" }.joined(separator: "; ")
                + " (each replaced by \(Self.mask) before the output was stored)"
        }

        /// The truncation note, or `nil` when the whole output was stored.
        public var truncationNote: String? {
            truncated ? "output cut at the limit: the first \(outputLimit) of \(outputBytes) bytes were stored" : nil
        }

        /// Unix milliseconds as `2026-12-01T10:23:38.123Z`, UTC to the millisecond, as machine
        /// formats (OSCAL) record a run's times; people read them in the engagement's zone
        /// (`SiteTime.precise`).
        public static func time(_ milliseconds: Int64) -> String {
            SiteTime.rfc3339(milliseconds, fractionalSeconds: true)
        }

        /// A word quoted for a POSIX shell when it needs it.
        static func quoted(_ word: String) -> String {
            let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { scalar in
                scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_./=:,+@%".unicodeScalars.contains(scalar)
            }
            return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }

        /// The usual name of a signal on Linux.
        static func signalName(_ number: Int64) -> String? {
            [1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 6: "SIGABRT", 9: "SIGKILL", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM"][number]
        }
    }

    /// The media type of an evidence set's manifest (`evidence add DIR`).
    public static let manifestMediaType = "application/vnd.fieldaudit.manifest+json"

    /// Whether this evidence is an evidence set's manifest.
    public var isManifest: Bool { mediaType == Self.manifestMediaType }
}
