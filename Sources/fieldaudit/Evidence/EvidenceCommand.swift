import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit evidence`: evidence files.
    struct EvidenceCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "evidence", abstract: "Store evidence files, link them, list, show and extract them.",
            subcommands: [
                Add.self, Link.self, List.self, Show.self, Extract.self, Run.self, DeleteEntity<EvidenceTarget>.self,
                RestoreEntity<EvidenceTarget>.self,
            ])
    }
}
