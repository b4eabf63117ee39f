/// What applying one change did: expected outcomes are values, not errors.
public enum ApplyOutcome: Equatable, Sendable {
    /// The change was new and is now held.
    case applied
    /// The same change was already held; nothing changed.
    case duplicate
}
