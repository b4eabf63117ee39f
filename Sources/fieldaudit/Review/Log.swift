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
            let replica = try store.openReplica()
            let entries = try replica.log(entity: entity, engagement: engagement.engagement, limit: limit)
            let siteTime = try replica.siteTime(engagement: engagement.engagement)
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
                entries.map { entry in
                    [Terminal.time(Int64(entry.change.stamp.milliseconds), in: siteTime), entry.author, entry.change.id.description,
                     "\(entry.change.kind) \(entry.change.entity.description.suffix(8))", entry.change.field, String(entry.value.prefix(60))]
                }))
        }
    }
}
