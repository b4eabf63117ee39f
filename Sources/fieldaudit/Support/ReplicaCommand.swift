import ArgumentParser
import FieldAudit

/// A command that works on an open replica in one engagement.
///
/// On the command line it opens the replica itself; a capture session parses the same options
/// and runs it on the replica it holds, in its own engagement, without reopening the store.
protocol ReplicaCommand: ParsableCommand {
    /// The engagement option; a capture session fills it in with its engagement.
    var engagement: EngagementOption { get set }
    /// The store option; ignored when a capture session runs the command.
    var store: StoreOptions { get }
    /// Runs the command on an open replica.
    func run(on replica: Replica) throws
}

extension ReplicaCommand {
    /// Opens the replica the options name and runs the command on it.
    func run() throws {
        try run(on: store.openReplica())
    }
}
