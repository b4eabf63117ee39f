import ArgumentParser
import FieldAudit

extension FieldAuditCommand.EvidenceCommand {
    /// `fieldaudit evidence show`: show one evidence item and what it is linked to.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one evidence item and what it is linked to.")
        @Argument(help: "The evidence id (or prefix).") var id: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        struct View: Encodable {
            var evidence: Evidence
            var links: [EvidenceLink]
            var stored: Bool
            var intact: Bool
        }

        func run() throws {
            let (replica, record) = try engagement.open(store)
            let chosen = try replica.resolve(id, among: record.evidence.map(\.id), kind: "evidence")
            let item = record.evidence.first { $0.id == chosen }!
            let links = record.links.filter { $0.evidence == item.id }
            let stored = item.digest.map(replica.holdsEvidence) ?? false
            let intact = item.digest.map(replica.evidenceIsIntact) ?? false
            if output.json { return try Terminal.printJSON(View(evidence: item, links: links, stored: stored, intact: intact)) }
            Terminal.print(Terminal.table([
                ("evidence", item.id.description), ("name", item.name), ("size", "\(item.size) bytes"),
                ("media type", item.mediaType ?? "—"), ("sha256", item.digest?.hex ?? "—"),
                ("stored", stored ? (intact ? "yes, hash verified" : "yes, but its bytes no longer match the hash") : "not in this store yet"),
                ("captured", "\(item.capturedBy ?? "?") at \(Terminal.time(item.capturedAt))"),
                ("description", item.description ?? "—"),
                ("linked to", links.map { "\($0.targetKind) \($0.targetKind == "requirement" ? $0.target : String($0.target.suffix(8)))" }.joined(separator: ", ")),
            ]))
        }
    }
}
