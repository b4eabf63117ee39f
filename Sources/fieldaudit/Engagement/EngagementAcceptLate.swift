import ArgumentParser
import FieldAudit

extension FieldAuditCommand.EngagementCommand {
    /// `fieldaudit engagement accept-late`: accept the changes that arrived after closing.
    struct AcceptLate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "accept-late",
            abstract: "Accept the changes that arrived after the engagement was closed (lead only).",
            discussion: "Review them first: `fieldaudit status` counts them and `fieldaudit report` lists them at the top.")
        @Option(help: "A revised recommendation in the light of the late changes.") var recommendation: Recommendation?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let replica = try store.openReplica()
            switch try replica.acceptLateChanges(recommendation: recommendation, engagement: engagement.engagement) {
            case .nothingLate:
                Terminal.print("No late change to accept.")
            case let .accepted(count, recommendation):
                Terminal.print("Accepted \(count) late change\(count == 1 ? "" : "s")"
                    + (recommendation.map { "; recommendation now: \($0.title)" } ?? "") + ".")
            }
        }
    }
}
