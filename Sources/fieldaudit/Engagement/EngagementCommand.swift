import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit engagement`: create, list, show and choose engagements.
    struct EngagementCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "engagement",
            abstract: "Create, list, show and choose audit engagements.",
            subcommands: [
                Create.self, List.self, Show.self, Use.self, Close.self, AcceptLate.self, Late.self, RejectLate.self, Reopen.self, File.self,
                Policy.self, Settings.self,
            ])
    }
}
