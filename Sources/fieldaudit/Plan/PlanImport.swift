import ArgumentParser
import FieldAudit

extension FieldAuditCommand.PlanCommand {
    /// `fieldaudit plan import`: load plan lines from CSV.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Load plan lines from CSV: kind,date,start,end,place,function,refs,auditors,attendees,point,follow_up (with a header line; lists separated by ';', place 'remote' for a remote session).")
        @Argument(help: "The CSV file.") var file: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let count = try store.openReplica().importPlan(from: file, engagement: engagement.engagement)
            Terminal.print("Recorded \(count) plan line\(count == 1 ? "" : "s").")
        }
    }
}
