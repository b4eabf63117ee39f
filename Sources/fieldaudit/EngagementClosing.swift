import ArgumentParser
import AuditModel
import FieldAudit

extension Recommendation: ExpressibleByArgument {}

extension FieldAuditCommand.EngagementCommand {
    /// `fieldaudit engagement close`: freeze the conclusion.
    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "close",
            abstract: "Close the engagement, freezing the report's conclusion and recommendation (lead only).",
            discussion: """
                Without --recommendation, the recommendation is the one the findings propose: certify \
                after closure of major nonconformities when any major nonconformity is open, certify \
                otherwise. Changes auditors made elsewhere before they learned of the closing are still \
                imported and kept; `status` and `report` flag them as late until you accept them with \
                `fieldaudit engagement accept-late`.
                """)
        @Option(help: "The recommendation on certification (default: the one the findings propose).") var recommendation: Recommendation?
        @Option(parsing: .unconditional, help: "Your conclusion in words, for the report.") var conclusion: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let replica = try store.openReplica()
            let closing = try replica.closeEngagement(recommendation: recommendation, conclusion: conclusion, engagement: engagement.engagement)
            Terminal.print("Closed engagement \(closing.engagement) at \(Terminal.time(closing.closedAt)); recommendation: \(closing.recommendation?.title ?? "none").")
        }
    }

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
