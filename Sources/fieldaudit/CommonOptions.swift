import ArgumentParser
import AuditModel
import FieldAudit

/// `--engagement`: which engagement a command works in (default: the current one).
struct EngagementOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The engagement's id or a unique prefix of it (default: the current one).", valueName: "id"))
    var engagement: String?

    /// Opens the replica and reads everything recorded in the engagement, for read commands.
    func open(_ store: StoreOptions) throws -> (replica: Replica, record: EngagementRecord) {
        let replica = try store.openReplica()
        return (replica, try replica.record(of: try replica.engagementID(engagement)))
    }
}

/// `--json`: machine-readable output for read commands.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON instead of text.")
    var json = false
}

extension AuditType: ExpressibleByArgument {}
extension TeamRole: ExpressibleByArgument {}
extension TestMethod: ExpressibleByArgument {}
extension TestResult: ExpressibleByArgument {}
extension FindingGrade: ExpressibleByArgument {}
extension AISystemRole: ExpressibleByArgument {}
extension RiskClass: ExpressibleByArgument {}
extension ImplementationStatus: ExpressibleByArgument {}
extension FindingStatus: ExpressibleByArgument {}

/// `yes` or `no`.
enum YesNo: String, ExpressibleByArgument, CaseIterable {
    case yes, no
    var bool: Bool { self == .yes }
}
