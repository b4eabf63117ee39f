import ArgumentParser
import FieldAudit

extension FieldAuditCommand.InterviewCommand {
    /// `fieldaudit interview start`: start an interview; notes go to it until it ends (one at a time).
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start", abstract: "Start an interview; notes go to it until it ends (one at a time).")
        @Option(name: .customLong("with"), parsing: .unconditional, help: "The interviewee.") var interviewee: String
        @Option(parsing: .unconditional, help: "The interviewee's role or function.") var role: String?
        @Option(help: "Requirements discussed, comma-separated (for example 6.1.2,A.5.2).") var topics: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            _ = try start(on: store.openReplica(), in: .commandLine, engagement: engagement.engagement)
        }

        /// Starts the interview in a slot (the command line's, or a capture session's), says so,
        /// and returns the slot holding it.
        func start(on replica: Replica, in slot: InterviewSlot, engagement: String?) throws -> InterviewSlot {
            let id = try replica.startInterview(
                with: interviewee, role: role, topics: topics.map { [$0] } ?? [], engagement: engagement, in: slot)
            Terminal.print("Interview with \(Terminal.shown(interviewee)) started (\(id.short)); notes go to it until \(slot.isSession ? "/end" : "`fieldaudit interview end`").")
            return slot.isSession ? .session(id) : .commandLine
        }
    }
}
