import Replication

/// Where "the interview in progress" is kept, so two places that capture at once never share one.
///
/// The command line keeps one current interview per replica, in its store: `interview start`,
/// `note` and `interview end` typed in any terminal share it. A capture session keeps its own,
/// in memory: its notes go to it and its `/end` ends it, whatever other sessions or the command
/// line do meanwhile.
public enum InterviewSlot: Hashable, Sendable {
    /// The replica's current interview, kept in its store.
    case commandLine
    /// A capture session's own interview; `nil` until the session starts (or adopts) one.
    case session(EntityID?)

    /// Whether this is a capture session's slot.
    public var isSession: Bool {
        if case .session = self { true } else { false }
    }
}
