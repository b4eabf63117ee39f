import Foundation

/// Points inside a replica's use cases where a test runs code of its own, to force an interleaving
/// with another thread at a known moment rather than by timing. Nothing is set outside tests.
final class ReplicaProbes: @unchecked Sendable {
    private let lock = NSLock()
    private var rostersRead: (@Sendable () -> Void)?

    /// Runs inside an export's snapshot once the engagements the peer may read are decided from
    /// their rosters, before the heads, checkpoints and links are read (`Replica.export`). It runs
    /// on the export's thread: work it waits for must run on another thread (a dispatch queue).
    var exportReadRosters: (@Sendable () -> Void)? {
        get { lock.withLock { rostersRead } }
        set { lock.withLock { rostersRead = newValue } }
    }
}
