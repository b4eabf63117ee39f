import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit log`: who changed what.
    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "log", abstract: "Show who changed what, when, from which replica.")
        @Option(help: "Only the history of this entity (id or prefix).") var entity: String?
        @Option(help: "How many recent changes to show without --entity.") var limit = 50
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        struct Entry: Encodable {
            var change: String, author: String, replica: String, stamp: UInt64, time: Int64
            var kind: String, entity: String, field: String, value: String, supersedes: [String]
        }

        func run() throws {
            let entries = try store.openReplica().log(entity: entity, engagement: engagement.engagement, limit: limit)
            let view = entries.map { entry in
                Entry(
                    change: entry.change.id.description, author: entry.author, replica: entry.change.origin.hex,
                    stamp: entry.change.stamp.rawValue, time: Int64(entry.change.stamp.milliseconds), kind: entry.change.kind,
                    entity: entry.change.entity.description, field: entry.change.field, value: entry.change.value.description,
                    supersedes: entry.change.supersedes.map(\.description))
            }
            if output.json { return try Terminal.printJSON(view) }
            Terminal.print(Terminal.columns(
                ["when", "who", "change", "entity", "field", "value"],
                view.map { [Terminal.time($0.time), $0.author, $0.change, "\($0.kind) \($0.entity.suffix(8))", $0.field, String($0.value.prefix(60))] }))
        }
    }
}
