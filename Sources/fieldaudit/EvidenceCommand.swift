import ArgumentParser
import AuditModel
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit evidence`: evidence files.
    struct EvidenceCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "evidence", abstract: "Store evidence files, link them, list, show and extract them.",
            subcommands: [Add.self, Link.self, List.self, Show.self, Extract.self])
    }
}

extension FieldAuditCommand.EvidenceCommand {
    struct Add: ReplicaCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Store files as evidence: hashed (SHA-256), stored once, linked to a test, finding, interview or requirement.")
        @Argument(help: "The files.") var files: [String]
        @Option(name: .customLong("for"), help: "A test, finding or interview id (or prefix), or a requirement, to link to.") var target: String?
        @Option(help: "A requirement the evidence bears on.") var ref: String?
        @Option(help: "What the evidence shows.") var describe: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if files.isEmpty { throw ValidationError("name at least one file.") }
        }

        func run(on replica: Replica) throws {
            var shown: (file: String, progress: Progress)?
            let added = try replica.addEvidence(
                files: files, target: target, ref: ref, description: describe, engagement: engagement.engagement
            ) { file, bytes in
                // Files of a few MiB are stored in a blink; larger ones show how far the copy is.
                guard bytes >= Self.progressThreshold else { return }
                if shown?.file != file {
                    shown?.progress.finish()
                    shown = (file, Progress(label: "storing \(file)"))
                }
                shown?.progress.bytes(UInt64(bytes))
            }
            shown?.progress.finish()
            for (file, item) in zip(files, added) { Terminal.print(Self.describe(item, file: file)) }
        }

        /// Bytes copied after which a file's progress shows.
        static let progressThreshold: Int64 = 4 << 20

        /// One line for one file: stored as new evidence, or already stored and what it was linked to.
        static func describe(_ item: Replica.AddedEvidence, file: String) -> String {
            guard let existing = item.alreadyStoredAs else {
                return "\(item.id.short)  \(file)  \(item.size) bytes  sha256:\(item.digest.hex)\(item.isNewBlob ? "" : "  (identical file already stored)")"
            }
            var line = "\(file): identical file already stored as evidence \(item.id.short) (\(existing)); "
            line += item.newLinks.isEmpty ? "no new link" : "linked it to \(item.newLinks.joined(separator: ", "))"
            if let previous = item.replacedDescription {
                line += previous.isEmpty ? "; description set" : "; description replaced (it was: \(previous))"
            }
            return line + "."
        }
    }

    struct Link: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "link", abstract: "Link stored evidence to a test, finding, interview or requirement.")
        @Argument(help: "The evidence ids (or prefixes).") var evidence: [String]
        @Option(name: .customLong("to"), help: "The test, finding or interview id, or a requirement.") var target: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            try store.openReplica().linkEvidence(evidence, to: target, engagement: engagement.engagement)
            Terminal.print("Linked \(evidence.count) evidence item\(evidence.count == 1 ? "" : "s") to \(target).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List evidence.")
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            let (replica, record) = try engagement.open(store)
            if output.json { return try Terminal.printJSON(record.evidence) }
            Terminal.print(Terminal.columns(
                ["id", "name", "bytes", "sha256", "stored", "description"],
                record.evidence.map { item in
                    [
                        item.id.short, item.name, String(item.size), String(item.digest?.hex.prefix(16) ?? "") + "…",
                        item.digest.map { replica.blobs.contains($0) ? "yes" : "not yet" } ?? "?", item.description ?? "",
                    ]
                }))
        }
    }

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
            let stored = item.digest.map(replica.blobs.contains) ?? false
            let intact = item.digest.map(replica.blobs.verify) ?? false
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

    struct Extract: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "extract", abstract: "Copy a stored evidence file out, checking its hash.",
            discussion: """
                -o names a file, a directory (the file goes in under its recorded name, made unique), or \
                '-' for standard output (not a terminal). An existing file is replaced only with --force.
                """)
        @Argument(help: "The evidence id (or prefix).") var id: String
        @Option(name: .shortAndLong, help: ArgumentHelp("Where to write: a file, a directory, or '-' for standard output.", valueName: "path"))
        var output: String
        @Flag(help: "Replace an existing file.") var force = false
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let (item, written) = try store.openReplica().extractEvidence(id, to: output, force: force, engagement: engagement.engagement)
            let message = "Wrote \(item.name) (\(item.size) bytes, hash verified) to \(written)."
            if written.path == nil { Terminal.note(message) } else { Terminal.print(message) }
        }
    }
}
