import ArgumentParser
import FieldAudit

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
            Terminal.print("Closed engagement \(closing.engagement) at \(Terminal.time(closing.closedAt, in: try replica.siteTime(engagement: closing.engagement.description))); recommendation: \(closing.recommendation?.title ?? "none").")
        }
    }
}
