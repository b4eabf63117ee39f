import ArgumentParser
import FieldAudit

extension FieldAuditCommand.EvidenceCommand {
    /// `fieldaudit evidence list`: list evidence.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List evidence.")
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var deletion: DeletedOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            if deletion.deleted { return try DeletionOutput.list(.evidence, json: output.json, engagement: engagement, store: store) }
            let (replica, record) = try engagement.open(store)
            if output.json { return try Terminal.printJSON(record.evidence) }
            Terminal.print(Terminal.columns(
                ["id", "name", "bytes", "sha256", "stored", "description"],
                record.evidence.map { item in
                    [
                        item.id.short, item.name, String(item.size), String(item.digest?.hex.prefix(16) ?? "") + "…",
                        item.digest.map { replica.holdsEvidence($0) ? "yes" : "not yet" } ?? "?", item.description ?? "",
                    ]
                }))
        }
    }
}
