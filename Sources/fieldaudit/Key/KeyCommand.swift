import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit key`: this replica's signing key.
    struct KeyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "key", abstract: "Replace this replica's signing key.", subcommands: [Rotate.self])
    }
}
