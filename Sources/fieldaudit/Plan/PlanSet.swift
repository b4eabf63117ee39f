import ArgumentParser
import FieldAudit

extension FieldAuditCommand.PlanCommand {
    /// `fieldaudit plan set`: record the certification body, its accreditation, the certificate's scope wording,
    /// distribution, confidentiality and the proposed surveillance date.
    struct SetDetails: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Record the certification body, its accreditation, the certificate's scope wording, distribution, confidentiality and the proposed surveillance date (lead only).")
        @Option(parsing: .unconditional, help: "The certification body.") var body: String?
        @Option(parsing: .unconditional, help: "Its accreditation (accreditation body and number).") var accreditation: String?
        @Option(parsing: .unconditional, help: "The scope wording proposed for the certificate.") var certificateScope: String?
        @Option(name: .customLong("distribution"), parsing: .unconditionalSingleValue, help: "Who receives the report (repeat for several).")
        var distribution: [String] = []
        @Option(parsing: .unconditional, help: "The report's confidentiality statement.") var confidentiality: String?
        @Option(help: "The proposed date of the first surveillance audit, YYYY-MM-DD.") var surveillance: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let settings = PlanSettings(
                certificationBody: body, accreditation: accreditation, certificateScope: certificateScope,
                distribution: distribution.isEmpty ? nil : distribution, confidentiality: confidentiality, surveillanceDate: surveillance)
            try store.openReplica().setPlan(settings, engagement: engagement.engagement)
            Terminal.print("Recorded the plan's engagement details.")
        }
    }
}
