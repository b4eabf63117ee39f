import ArgumentParser
import FieldAudit

extension FieldAuditCommand.InterviewCommand {
    /// `fieldaudit interview show`: show an interview with its notes.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an interview with its notes.")
        @Argument(help: "The interview (default: the one in progress).") var id: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        struct View: Encodable {
            var interview: Interview
            var notes: [Note]
        }

        func run() throws {
            let (replica, record) = try engagement.open(store)
            let chosen: Interview
            if let id {
                let wanted = try replica.resolve(id, among: record.interviews.map(\.id), kind: "interview")
                chosen = record.interviews.first { $0.id == wanted }!
            } else {
                guard let current = try replica.currentInterview(), let found = record.interviews.first(where: { $0.id == current }) else {
                    throw FieldAuditError.noCurrentInterview
                }
                chosen = found
            }
            let notes = record.notes.filter { $0.interview == chosen.id }
            if output.json { return try Terminal.printJSON(View(interview: chosen, notes: notes)) }
            Terminal.print(Terminal.table([
                ("interview", chosen.id.description), ("with", chosen.interviewee + (chosen.role.map { ", \($0)" } ?? "")),
                ("started", Terminal.time(chosen.startedAt, in: record.engagement.siteTime)), ("ended", chosen.endedAt.map { Terminal.time($0, in: record.engagement.siteTime) } ?? "in progress"),
                ("auditors", chosen.auditors.joined(separator: ", ")), ("topics", chosen.topics.map(record.standards.shown).joined(separator: ", ")),
            ]))
            for note in notes {
                Terminal.print("  \((note.at.map(record.engagement.siteTime.clock) ?? "—"))\(note.ref.map { " [\(Terminal.shown(record.standards.shown($0)))]" } ?? "") \(Terminal.shown(note.text, multiline: true, indent: "        "))")
            }
        }
    }
}
