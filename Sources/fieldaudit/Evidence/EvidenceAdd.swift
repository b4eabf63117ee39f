import ArgumentParser
import FieldAudit

extension FieldAuditCommand.EvidenceCommand {
    /// `fieldaudit evidence add`: store files as evidence: hashed (SHA-256), stored once, linked to a test, finding, interview or requirement.
    struct Add: ReplicaCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Store files as evidence: hashed (SHA-256), stored once, linked to a test, finding, interview or requirement.")
        @Argument(help: "The files.") var files: [String]
        @Option(name: .customLong("for"), help: "A test, finding or interview id (or prefix), or a requirement, to link to.") var target: String?
        @Option(help: "A requirement the evidence bears on.") var ref: String?
        @Option(parsing: .unconditional, help: "What the evidence shows.") var describe: String?
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
}
