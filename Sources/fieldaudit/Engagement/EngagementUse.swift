import ArgumentParser
import FieldAudit

extension FieldAuditCommand.EngagementCommand {
    /// `fieldaudit engagement use`: make an engagement current, so capture commands need no --engagement.
    struct Use: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "use", abstract: "Make an engagement current, so capture commands need no --engagement.")
        @Argument(help: "The engagement's id or a unique prefix of it.") var id: String
        @OptionGroup var store: StoreOptions

        func run() throws {
            let replica = try store.openReplica()
            let engagement = try replica.engagementID(id)
            try replica.use(engagement: engagement)
            Terminal.print("Current engagement: \(engagement)")
        }
    }
}
