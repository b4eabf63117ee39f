import ArgumentParser
import FieldAudit

extension FieldAuditCommand.SoACommand {
    /// `fieldaudit soa set`: declare whether a control applies, why, and its implementation status.
    struct SetEntry: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Declare whether a control applies, why, and its implementation status.")
        @Argument(help: "The control (for example A.6.2.8).") var ref: String
        @Option(help: "In an integrated audit, the standard the control belongs to (its prefix, such as 27001, or catalog id); or qualify the control (27001:A.5.1).")
        var standard: String?
        @Option(help: "Whether the control applies.") var applicable: YesNo?
        @Option(parsing: .unconditional, help: "The auditee's justification.") var justification: String?
        @Option(help: "The implementation status the auditee declares.") var status: ImplementationStatus?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            _ = try store.openReplica().setApplicability(
                ref: ref, standard: standard, applicable: applicable?.bool, justification: justification, status: status, engagement: engagement.engagement)
            Terminal.print("Recorded the Statement of Applicability entry for \(ref).")
        }
    }
}
