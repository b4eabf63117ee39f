import ArgumentParser
import FieldAudit

extension FieldAuditCommand.FindingCommand {
    /// `fieldaudit finding sign-off`: sign a finding off (lead only).
    struct SignOff: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sign-off", abstract: "Sign a finding off (lead only).")
        @Argument(help: "The finding id (or prefix, or its number: NC-01).") var id: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let signed = try store.openReplica().signOffFinding(id, engagement: engagement.engagement)
            Terminal.print("Signed off finding \(signed.id.short)" + (signed.label.map { " as nonconformity \($0)" } ?? "") + ".")
        }
    }
}
