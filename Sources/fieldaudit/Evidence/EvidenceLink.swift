import ArgumentParser
import FieldAudit

extension FieldAuditCommand.EvidenceCommand {
    /// `fieldaudit evidence link`: link stored evidence to a test, finding, interview or requirement.
    struct Link: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "link", abstract: "Link stored evidence to a test, finding, interview or requirement.")
        @Argument(help: "The evidence ids (or prefixes).") var evidence: [String]
        @Option(name: .customLong("to"), help: "The test, finding or interview id, or a requirement.") var target: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            try store.openReplica().linkEvidence(evidence, to: target, engagement: engagement.engagement)
            Terminal.print("Linked \(evidence.count) evidence item\(evidence.count == 1 ? "" : "s") to \(target).")
        }
    }
}
