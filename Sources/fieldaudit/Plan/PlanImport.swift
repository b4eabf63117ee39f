import ArgumentParser
import FieldAudit

extension FieldAuditCommand.PlanCommand {
    /// `fieldaudit plan import`: load plan lines from CSV.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Load plan lines from CSV, read by column name (lists separated by ';'; place 'remote' for a remote session).",
            discussion: "Columns (case, spaces, '_' and '-' ignored; ',' ';' or tab; a header line is required):\n"
                + Replica.planSchema.help + "\nA line that cannot be recorded is named and nothing is recorded.")
        @Argument(help: "The CSV file (a spreadsheet must be saved as CSV first).") var file: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let count = try store.openReplica().importPlan(from: file, engagement: engagement.engagement)
            Terminal.print("Recorded \(count) plan line\(count == 1 ? "" : "s").")
        }
    }
}
