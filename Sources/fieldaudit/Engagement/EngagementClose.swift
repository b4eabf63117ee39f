import ArgumentParser
import FieldAudit

extension FieldAuditCommand.EngagementCommand {
    /// `fieldaudit engagement close`: say what is not covered and what is open, then freeze the conclusion and sign.
    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "close",
            abstract: "Close the engagement, freezing the report's conclusion and recommendation, and sign it (lead only).",
            discussion: """
                Closing first prints what is not covered (mandatory clauses and applicable Annex A controls \
                nothing was recorded on) and what is open (nonconformities by grade). Without \
                --recommendation, the recommendation is the one the findings propose: certify after closure \
                of major nonconformities when any major nonconformity is open, certify otherwise. "certify" \
                is refused while a major nonconformity is open or a mandatory clause was not examined, \
                unless you give --justification, which is recorded and printed in the report. Changes \
                auditors made elsewhere before they learned of the closing are still imported and kept; \
                `fieldaudit engagement late` lists them for you to accept or reject one by one.
                """)
        @Option(help: "The recommendation on certification (default: the one the findings propose).") var recommendation: Recommendation?
        @Option(parsing: .unconditional, help: "Your conclusion in words, for the report.") var conclusion: String?
        @Option(parsing: .unconditional, help: "Why you recommend certification although the record alone does not support it.")
        var justification: String?
        @Option(help: "The proposed date of the first surveillance audit, YYYY-MM-DD.") var surveillance: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let replica = try store.openReplica()
            let review = try replica.closingReview(engagement: engagement.engagement)
            Terminal.print(Self.describe(review))
            let closing = try replica.closeEngagement(
                recommendation: recommendation, conclusion: conclusion, justification: justification, surveillanceDate: surveillance,
                engagement: engagement.engagement)
            Terminal.print("Closed engagement \(closing.engagement) at \(Terminal.time(closing.closedAt, in: try replica.siteTime(engagement: closing.engagement.description))); recommendation: \(closing.recommendation?.title ?? "none")"
                + (justification == nil ? "" : " (justified)") + "; signed by you.")
        }

        /// What is not covered and what is open, in words.
        static func describe(_ review: ClosingReview) -> String {
            let refs = { (rows: [Coverage.Row]) in rows.isEmpty ? "none" : "\(rows.count): " + review.refs(rows).joined(separator: ", ") }
            let findings = { (findings: [Finding]) in findings.isEmpty ? "none" : "\(findings.count): " + findings.map { $0.refs.first ?? $0.id.short }.joined(separator: ", ") }
            return Terminal.table([
                ("mandatory clauses not examined", refs(review.clausesNotExamined)),
                ("applicable Annex A controls not examined", refs(review.controlsNotExamined)),
                ("open major nonconformities", findings(review.openMajors)),
                ("open minor nonconformities", findings(review.openMinors)),
                ("proposed from the findings", review.proposed.title),
            ])
        }
    }
}
