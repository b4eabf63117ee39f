import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit interview`: interviews and their notes.
    struct InterviewCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "interview", abstract: "Start, end, list and show interviews.",
            subcommands: [Start.self, End.self, List.self, Show.self, DeleteEntity<InterviewTarget>.self, RestoreEntity<InterviewTarget>.self])
    }
}
