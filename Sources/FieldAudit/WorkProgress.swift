/// How far a long piece of work has come (an export, a verification): what it is doing now, how
/// much of that is done, and how much there is when that is known.
///
/// The front door reports it to a callback now and then; showing it (a progress bar on standard
/// error, redrawn on a timer) is the caller's business. Calls are cheap and may come often.
public struct WorkProgress: Sendable, Equatable {
    /// What `done` and `total` count.
    public enum Unit: Sendable, Equatable {
        /// Bytes (of a bundle, of evidence files).
        case bytes
        /// Change records.
        case changes
        /// Files (evidence files checked).
        case files
    }

    /// What the work is doing now, in a few words (`changes`, `evidence files`).
    public var step: String
    /// How much of the step is done.
    public var done: UInt64
    /// How much the step has to do, when known.
    public var total: UInt64?
    /// What `done` and `total` count.
    public var unit: Unit

    /// Progress of `done` out of `total` (when known) in a step.
    public init(step: String, done: UInt64, total: UInt64?, unit: Unit) {
        self.step = step
        self.done = done
        self.total = total
        self.unit = unit
    }
}
