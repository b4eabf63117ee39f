import ArgumentParser
import AuditReports
import FieldAudit
import Foundation

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
            /// A command transcript as shown (escaped, cut when long); `nil` for a file.
            var transcript: String?
            /// An evidence set's files (for its manifest evidence).
            var members: [Evidence]?
        }

        func run() throws {
            let (replica, record) = try engagement.open(store)
            let chosen = try replica.resolve(id, among: record.evidence.map(\.id), kind: "evidence")
            let item = record.evidence.first { $0.id == chosen }!
            let links = record.links.filter { $0.evidence == item.id }
            let stored = item.digest.map(replica.holdsEvidence) ?? false
            let intact = item.digest.map(replica.evidenceIsIntact) ?? false
            let transcript = replica.transcript(of: item)
            let members = item.isManifest ? record.evidence.filter { $0.set == item.id } : nil
            if output.json {
                return try Terminal.printJSON(View(evidence: item, links: links, stored: stored, intact: intact, transcript: transcript?.text, members: members))
            }
            var rows: [(String, String)] = []
            if let run = item.run {
                rows = [
                    ("directory", run.directory), ("host", run.host),
                    ("ran", "\(record.engagement.siteTime.precise(run.startedAt)) to \(record.engagement.siteTime.precise(run.endedAt))"), ("outcome", run.outcome),
                    ("redaction", run.redactionNote ?? "none asked for"),
                ]
                if let note = run.truncationNote { rows.append(("output", note)) }
                // A transcript's media type says whether its output was text (`Replica.addTranscript`).
                if item.mediaType == "application/octet-stream" {
                    rows.append(("content", "binary, \(item.size) bytes (not shown; `evidence extract` copies it out)"))
                }
            }
            if let members { rows.append(("evidence set", "\(members.count) file\(members.count == 1 ? "" : "s"): " + members.map(\.name).joined(separator: ", "))) }
            if let set = item.set { rows.append(("in evidence set", set.short)) }
            Terminal.print(Terminal.table([
                ("evidence", item.id.description), ("name", item.name), ("size", "\(item.size) bytes"),
                ("media type", item.mediaType ?? "—"), ("sha256", item.digest?.hex ?? "—"),
                ("stored", stored ? (intact ? "yes, hash verified" : "yes, but its bytes no longer match the hash") : "not in this store yet"),
                ("captured", "\(item.capturedBy ?? "?") at \(Terminal.time(item.capturedAt, in: record.engagement.siteTime))"),
                ("description", item.description ?? "—"),
                ("linked to", links.map { "\($0.targetKind) \($0.targetKind == "requirement" ? $0.target : String($0.target.suffix(8)))" }.joined(separator: ", ")),
            ] + rows))
            // The transcript is escaped already (`Replica.transcript`): print it as it is.
            if let transcript { Terminal.print("\n" + transcript.text) }
        }
    }
}
