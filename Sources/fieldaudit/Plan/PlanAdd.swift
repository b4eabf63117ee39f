import ArgumentParser
import FieldAudit

extension FieldAuditCommand.PlanCommand {
    /// `fieldaudit plan add`: add a session or a meeting to the audit plan.
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a session, or the opening or closing meeting, to the audit plan (lead only).",
            discussion: """
                A session needs --date (inside the engagement's dates), --start and --end (HH:MM), --place or \
                --remote, --function and at least one --auditor (a name on the team); --ref lists the \
                requirements to cover. A meeting needs the date and times; --attendee names who attends.
                """)
        @Argument(help: "session, opening or closing.") var kind: PlanItemKind
        @Option(help: "The day, YYYY-MM-DD.") var date: String?
        @Option(help: "The start time, HH:MM.") var start: String?
        @Option(help: "The end time, HH:MM.") var end: String?
        @Option(parsing: .unconditional, help: "Where (a site, a room).") var place: String?
        @Flag(help: "The session or meeting is held remotely.") var remote = false
        @Option(parsing: .unconditional, help: "The auditee function met.") var function: String?
        @Option(name: .customLong("ref"), help: "A requirement to cover (repeat, or separate with commas).") var refs: [String] = []
        @Option(name: .customLong("auditor"), parsing: .unconditionalSingleValue, help: "An auditor, by name on the team (repeat for several).")
        var auditors: [String] = []
        @Option(name: .customLong("attendee"), parsing: .unconditionalSingleValue, help: "Someone who attends (repeat for several).")
        var attendees: [String] = []
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if kind == .stage1 { throw ValidationError("record a Stage 1 point with `fieldaudit plan stage1 TEXT`.") }
        }

        func run() throws {
            let draft = PlanItem.Draft(
                kind: kind, date: date, start: start, end: end, place: place, remote: remote, function: function, refs: refs,
                auditors: auditors, attendees: attendees)
            let id = try store.openReplica().addPlanItem(draft, engagement: engagement.engagement)
            Terminal.print("Planned \(kind.title.lowercased()) \(id.short) on \(date ?? "?") \(start ?? "?")–\(end ?? "?").")
        }
    }
}
