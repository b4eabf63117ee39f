import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit system`: the auditee's AI-system inventory.
    struct SystemCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "system", abstract: "Record or list the auditee's AI systems.", subcommands: [Add.self, Import.self, List.self, DeleteEntity<SystemTarget>.self, RestoreEntity<SystemTarget>.self])
    }
}
