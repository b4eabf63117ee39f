import Foundation

/// Points inside a replica's use cases where a test runs code of its own, to force an interleaving
/// with another thread at a known moment rather than by timing. Nothing is set outside tests.
final class ReplicaProbes: @unchecked Sendable {
    private let lock = NSLock()
    private var rostersRead: (@Sendable () -> Void)?
    private var pauseAfter: Int?
    private var applied = 0

    /// Runs inside an export's snapshot once the engagements the peer may read are decided from
    /// their rosters, before the heads, checkpoints and links are read (`Replica.export`). It runs
    /// on the export's thread: work it waits for must run on another thread (a dispatch queue).
    var exportReadRosters: (@Sendable () -> Void)? {
        get { lock.withLock { rostersRead } }
        set { lock.withLock { rostersRead = newValue } }
    }

    /// When set, an import with overlapped passes (`Replica.importOverlapped`) holds pass one
    /// before the bundle's body until pass two has handed this many links to the store, then
    /// holds pass two until pass one has ended: pass one's refusal then reaches pass two at a
    /// known link rather than whenever the threads meet.
    var passTwoPausesAfter: Int? {
        get { lock.withLock { pauseAfter } }
        set { lock.withLock { pauseAfter = newValue } }
    }

    /// How many links the last import with overlapped passes handed to its pass two: fewer than
    /// the bundle holds when pass one's refusal stopped pass two early.
    var linksApplied: Int {
        get { lock.withLock { applied } }
        set { lock.withLock { applied = newValue } }
    }
}
