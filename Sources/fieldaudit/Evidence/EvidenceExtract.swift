import ArgumentParser
import FieldAudit

extension FieldAuditCommand.EvidenceCommand {
    /// `fieldaudit evidence extract`: copy a stored evidence file out, checking its hash.
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
