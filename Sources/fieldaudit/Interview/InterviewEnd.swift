import ArgumentParser
import FieldAudit

extension FieldAuditCommand.InterviewCommand {
    /// `fieldaudit interview end`: end the interview in progress.
    struct End: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "end", abstract: "End the interview in progress.")
        @Argument(help: "An interview to end instead of the current one.") var id: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let ended = try store.openReplica().endInterview(id, engagement: engagement.engagement)
            Terminal.print("Interview \(ended.short) ended.")
        }
    }
}
