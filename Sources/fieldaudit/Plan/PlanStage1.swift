import ArgumentParser
import FieldAudit

extension FieldAuditCommand.PlanCommand {
    /// `fieldaudit plan stage1`: record an open point of the Stage 1 report.
    struct Stage1: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stage1",
            abstract: "Record an open point of the Stage 1 report, and how Stage 2 followed it up (lead only).")
        @Argument(help: "The Stage 1 point, in the Stage 1 report's words.") var point: String
        @Option(parsing: .unconditional, help: "How Stage 2 followed it up (or later: `fieldaudit plan follow-up ID TEXT`).") var followUp: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let id = try store.openReplica().addPlanItem(
                PlanItem.Draft(kind: .stage1, point: point, followUp: followUp), engagement: engagement.engagement)
            Terminal.print("Recorded Stage 1 point \(id.short)" + (followUp == nil ? "; record its follow-up with `fieldaudit plan follow-up \(id.short) TEXT`." : " with its follow-up."))
        }
    }

    /// `fieldaudit plan follow-up`: record how Stage 2 followed up a Stage 1 point.
    struct FollowUp: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "follow-up", abstract: "Record how Stage 2 followed up a Stage 1 point (lead only).")
        @Argument(help: "The Stage 1 point's id (or prefix), as `fieldaudit plan list` shows it.") var item: String
        @Argument(help: "The follow-up, in words.") var text: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let id = try store.openReplica().followUp(planItem: item, text, engagement: engagement.engagement)
            Terminal.print("Recorded the follow-up of Stage 1 point \(id.short).")
        }
    }
}
