import ArgumentParser
import FieldAudit

/// `--engagement`: which engagement a command works in (default: the current one).
struct EngagementOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The engagement's id or a unique prefix of it (default: the current one).", valueName: "id"))
    var engagement: String?

    /// Opens the replica and reads everything recorded in the engagement, for read commands.
    func open(_ store: StoreOptions) throws -> (replica: Replica, record: EngagementRecord) {
        let replica = try store.openReplica()
        return (replica, try replica.record(of: try replica.engagementID(engagement)))
    }
}
