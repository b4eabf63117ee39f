import ArgumentParser
import FieldAudit

extension FieldAuditCommand.FindingCommand {
    /// `fieldaudit finding discuss`: record that the finding was discussed with the auditee, and their position.
    struct Discuss: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "discuss", abstract: "Record that the finding was discussed with the auditee, and their position.")
        @Argument(help: "The finding id (or prefix).") var id: String
        @Option(parsing: .unconditional, help: "The auditee's position.") var position: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let discussed = try store.openReplica().discussFinding(id, position: position, engagement: engagement.engagement)
            Terminal.print("Recorded the auditee's position on \(discussed.short).")
        }
    }
}
