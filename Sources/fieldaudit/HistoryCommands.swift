import ArgumentParser
import AuditModel
import AuditStore
import FieldAudit
import Replication

extension FieldAuditCommand {
    /// `fieldaudit search`: full-text search.
    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "search",
            abstract: "Search notes, statements, conclusions and evidence descriptions (SQLite FTS5).",
            discussion: "Plain words match entries containing all of them; FTS5 syntax (\"a phrase\", word*, OR, NOT) works too.")
        @Argument(help: "What to look for.") var query: [String]
        @Flag(help: "Search every engagement, not only the current one.") var all = false
        @Option(help: "Show at most this many matches, best first (0 shows all).") var limit = 50
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        struct Hit: Encodable { var entity: String; var kind: String; var field: String; var snippet: String }

        func validate() throws {
            if limit < 0 { throw ValidationError("--limit must be 0 (all matches) or more, not \(limit).") }
        }

        func run() throws {
            let replica = try store.openReplica()
            let scope: String? = all ? nil : try replica.engagementID(engagement.engagement).description
            let text = query.joined(separator: " ")
            let hits = try replica.search(text, engagement: scope, limit: limit == 0 ? nil : limit)
            let total = limit > 0 && hits.count == limit ? try replica.searchCount(text, engagement: scope) : hits.count
            if output.json {
                try Terminal.printJSON(hits.map { Hit(entity: $0.entity.description, kind: $0.kind, field: $0.field, snippet: $0.snippet) })
            } else if hits.isEmpty {
                Terminal.print("No matches.")
            } else {
                for hit in hits { Terminal.print("\(Terminal.shown(hit.kind)) \(hit.entity.short) \(Terminal.shown(hit.field)): \(Terminal.shown(hit.snippet))") }
            }
            if total > hits.count {
                // On standard error with --json, so the JSON stays parseable and the user still learns of the rest.
                let more = "… and \(total - hits.count) more; --limit 0 shows all (\(total) matches)."
                if output.json { Terminal.note(more) } else { Terminal.print(more) }
            }
        }
    }

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

    /// `fieldaudit resolve`: settle a conflict.
    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resolve",
            abstract: "Resolve a conflict by keeping one of its values or writing a new one; every replica that imports it agrees.")
        @Argument(help: "The entity id (or prefix).") var entity: String
        @Argument(help: "The field in conflict.") var field: String
        @Option(help: "Keep value N as `fieldaudit conflicts` numbers them.") var take: Int?
        @Option(parsing: .unconditional, help: "Write this text instead.") var value: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if (take == nil) == (value == nil) { throw ValidationError("give exactly one of --take N or --value TEXT.") }
        }

        func run() throws {
            let change = try store.openReplica().resolve(
                entity: entity, field: field, take: take, value: value.map { .text($0) }, engagement: engagement.engagement)
            Terminal.print("Resolved \(Terminal.shown(field)) of \(change.entity.short) to: \(Terminal.shown(change.value.description)) (change \(change.id)).")
        }
    }
}
