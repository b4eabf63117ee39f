import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit test`: control tests.
    struct TestCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test", abstract: "Record or list control tests.", subcommands: [Record.self, List.self, DeleteEntity<TestTarget>.self, RestoreEntity<TestTarget>.self])
    }
}
