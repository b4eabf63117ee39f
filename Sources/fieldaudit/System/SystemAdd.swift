import ArgumentParser
import FieldAudit

extension FieldAuditCommand.SystemCommand {
    /// `fieldaudit system add`: add an AI system to the inventory.
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an AI system to the inventory.")
        @Option(parsing: .unconditional, help: "The system's name.") var name: String
        @Option(parsing: .unconditional, help: "What the system is for.") var purpose: String?
        @Option(help: "The organisation's role towards it.") var role: AISystemRole
        @Option(help: "Its EU AI Act risk class.") var risk: RiskClass
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let id = try store.openReplica().addSystem(name: name, purpose: purpose, role: role, riskClass: risk, engagement: engagement.engagement)
            Terminal.print("Added AI system \(Terminal.shown(name)) as \(id.short).")
        }
    }
}
