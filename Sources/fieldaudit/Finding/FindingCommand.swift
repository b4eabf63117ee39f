import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit finding`: findings from raise to sign-off.
    struct FindingCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "finding", abstract: "Raise, list, show, edit, discuss, merge and sign off findings; follow nonconformities up to their closure.",
            subcommands: [
                Raise.self, List.self, Show.self, Edit.self, Discuss.self, SignOff.self, Correct.self, RootCause.self, Action.self, Verify.self,
                DeleteEntity<FindingTarget>.self, RestoreEntity<FindingTarget>.self,
                Merge.self,
            ])
    }
}
