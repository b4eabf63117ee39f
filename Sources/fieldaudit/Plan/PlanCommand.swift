import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit plan`: the audit plan: sessions, meetings, Stage 1 points, certification body and next step.
    struct PlanCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Record the audit plan: sessions, opening and closing meetings, Stage 1 points, the certification body and the next step (lead only).",
            discussion: "`fieldaudit status` shows each planned session against what its auditors recorded on its day.",
            subcommands: [Add.self, List.self, Import.self, SetDetails.self, Stage1.self, FollowUp.self])
    }
}

extension PlanItemKind: ExpressibleByArgument {}
