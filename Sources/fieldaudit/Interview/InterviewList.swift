import ArgumentParser
import FieldAudit

extension FieldAuditCommand.InterviewCommand {
    /// `fieldaudit interview list`: list interviews.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List interviews.")
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var deletion: DeletedOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            if deletion.deleted { return try DeletionOutput.list(.interview, json: output.json, engagement: engagement, store: store) }
            let record = try engagement.open(store).record
            if output.json { return try Terminal.printJSON(record.interviews) }
            Terminal.print(Terminal.columns(
                ["id", "interviewee", "role", "started", "notes", "topics"],
                record.interviews.map { interview in
                    [
                        interview.id.short, interview.interviewee, interview.role ?? "", Terminal.time(interview.startedAt, in: record.engagement.siteTime),
                        String(record.notes.filter { $0.interview == interview.id }.count), interview.topics.map(record.standards.shown).joined(separator: ","),
                    ]
                }))
        }
    }
}
