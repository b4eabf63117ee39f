import ArgumentParser
import FieldAudit

extension FieldAuditCommand.EngagementCommand {
    /// `fieldaudit engagement policy`: the days allowed to close nonconformities.
    struct Policy: ReplicaCommand {
        static let configuration = CommandConfiguration(
            commandName: "policy", abstract: "Show or set the days allowed to close a major and a minor nonconformity (lead only).",
            discussion: "Counted from the closing day (while open, the last day on site). Defaults: 30 days for a major, 90 for a minor.")
        @Option(help: "Days allowed for a major nonconformity.") var majorDays: Int?
        @Option(help: "Days allowed for a minor nonconformity.") var minorDays: Int?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run(on replica: Replica) throws {
            let policy = majorDays == nil && minorDays == nil
                ? try replica.record(of: try replica.engagementID(engagement.engagement), kinds: []).engagement.policy
                : try replica.setNonconformityPolicy(majorDays: majorDays, minorDays: minorDays, engagement: engagement.engagement)
            Terminal.print("Nonconformities must be closed within \(policy.majorDays) days (major) and \(policy.minorDays) days (minor).")
        }
    }
}
