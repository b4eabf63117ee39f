import ArgumentParser
import FieldAudit

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
}
