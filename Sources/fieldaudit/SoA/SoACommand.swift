import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit soa`: the auditee's Statement of Applicability.
    struct SoACommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "soa", abstract: "Record or list the auditee's Statement of Applicability.",
            subcommands: [SetEntry.self, Import.self, List.self, DeleteEntity<ApplicabilityTarget>.self, RestoreEntity<ApplicabilityTarget>.self])
    }
}
