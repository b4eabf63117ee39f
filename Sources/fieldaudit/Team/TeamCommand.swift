import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit team`: the engagement's audit team.
    struct TeamCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "team", abstract: "Add, remove or list the audit team's members.", subcommands: [Add.self, Remove.self, List.self, Rotate.self])
    }
}
