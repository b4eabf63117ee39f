import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit conflicts`: fields edited concurrently.
    struct Conflicts: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "conflicts",
            abstract: "List fields edited concurrently: every value is kept and shown, winner first.")
        @Flag(help: "Every engagement, not only the current one.") var all = false
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        struct View: Encodable {
            struct Candidate: Encodable { var take: Int; var value: String; var author: String; var change: String }
            var kind: String, entity: String, field: String
            var values: [Candidate]
        }

        func run() throws {
            let replica = try store.openReplica()
            let conflicts = try replica.conflicts(engagement: all ? nil : try replica.engagementID(engagement.engagement).description)
            let view = conflicts.map { conflict in
                View(kind: conflict.kind, entity: conflict.entity.description, field: conflict.field, values: conflict.values.enumerated().map {
                    .init(take: $0.offset + 1, value: $0.element.value.description, author: $0.element.author, change: $0.element.change.description)
                })
            }
            if output.json { return try Terminal.printJSON(view) }
            if view.isEmpty { return Terminal.print("No conflicts.") }
            for conflict in view {
                Terminal.print("\(Terminal.shown(conflict.kind)) \(conflict.entity.suffix(8)) \(Terminal.shown(conflict.field)):")
                for candidate in conflict.values {
                    Terminal.print("  [\(candidate.take)] \(Terminal.shown(candidate.value))  — \(Terminal.shown(candidate.author)), \(candidate.change)")
                }
                Terminal.print("  resolve: fieldaudit resolve \(conflict.entity.suffix(8)) \(Terminal.shown(conflict.field)) --take N")
            }
        }
    }
}
