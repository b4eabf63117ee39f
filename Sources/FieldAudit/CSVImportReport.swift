/// What an import of a CSV table did with each row: recorded (added or updated), unchanged,
/// skipped or refused, with its line, so the user can see every row's fate.
///
/// An expected outcome, not an error: the command prints it, then fails (exit 65) if any row was
/// refused. Rows are recorded only when none is refused, or when the caller asked to skip bad
/// rows (`--skip-bad-rows`); `recorded` says which happened.
public struct CSVImportReport: Sendable {
    /// What happened to one row.
    public enum Outcome: Sendable, Equatable {
        /// A new entity was recorded.
        case added
        /// An existing entity (the same identity: a system's name, a control's reference) was
        /// updated; each string says what changed (`risk: limited → high`).
        case updated([String])
        /// The row matches what is recorded already; nothing was written.
        case unchanged
        /// The row was not read, and that is fine (a blank row).
        case skipped(String)
        /// The row cannot be recorded, and why.
        case refused(String)
    }

    /// One row's line, what it names (a system's name, a control) and what happened to it.
    public struct Line: Sendable {
        /// The line the row starts on.
        public let line: Int
        /// What the row names, as written in it; empty when it names nothing.
        public let label: String
        /// What happened to it.
        public let outcome: Outcome
    }

    /// The file imported.
    public let path: String
    /// Every row, in file order.
    public let lines: [Line]
    /// Header cells that name no known column, whose values were not read.
    public let ignoredColumns: [String]
    /// Whether the rows that could be recorded were written: `false` when a row was refused
    /// and bad rows were not to be skipped (then nothing was written).
    public let recorded: Bool

    /// How many rows had each fate.
    public var added: Int { lines.count { $0.outcome == .added } }
    /// Rows that updated an entity already recorded.
    public var updated: Int { lines.count { if case .updated = $0.outcome { true } else { false } } }
    /// Rows already recorded as they are.
    public var unchanged: Int { lines.count { $0.outcome == .unchanged } }
    /// Rows skipped (blank).
    public var skipped: Int { lines.count { if case .skipped = $0.outcome { true } else { false } } }
    /// Rows refused.
    public var refused: Int { lines.count { if case .refused = $0.outcome { true } else { false } } }

    /// The error a command ends with when a row was refused; `nil` when none was.
    public var refusal: FieldAuditError? {
        guard refused > 0 else { return nil }
        return .rowsRefused(path: path, refused: refused, recordedOthers: recorded)
    }
}
