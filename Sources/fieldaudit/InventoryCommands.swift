import ArgumentParser
import AuditModel
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit soa`: the auditee's Statement of Applicability.
    struct SoACommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "soa", abstract: "Record or list the auditee's Statement of Applicability.",
            subcommands: [Set.self, Import.self, List.self])
    }

    /// `fieldaudit system`: the auditee's AI-system inventory.
    struct SystemCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "system", abstract: "Record or list the auditee's AI systems.", subcommands: [Add.self, Import.self, List.self])
    }
}

extension FieldAuditCommand.SoACommand {
    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Declare whether a control applies, why, and its implementation status.")
        @Argument(help: "The control (for example A.6.2.8).") var ref: String
        @Option(help: "Whether the control applies.") var applicable: YesNo?
        @Option(parsing: .unconditional, help: "The auditee's justification.") var justification: String?
        @Option(help: "The implementation status the auditee declares.") var status: ImplementationStatus?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            _ = try store.openReplica().setApplicability(
                ref: ref, applicable: applicable?.bool, justification: justification, status: status, engagement: engagement.engagement)
            Terminal.print("Recorded the Statement of Applicability entry for \(ref).")
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Load a Statement of Applicability from CSV: ref,applicable,justification,status (with a header line).")
        @Argument(help: "The CSV file.") var file: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let count = try store.openReplica().importApplicability(from: file, engagement: engagement.engagement)
            Terminal.print("Recorded \(count) Statement of Applicability entries.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the Statement of Applicability.")
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            let record = try engagement.open(store).record
            let order = Dictionary(uniqueKeysWithValues: record.catalog.requirements.enumerated().map { ($1.ref, $0) })
            let entries = record.applicability.sorted { (order[$0.ref] ?? .max) < (order[$1.ref] ?? .max) }
            if output.json { return try Terminal.printJSON(entries) }
            Terminal.print(Terminal.columns(
                ["control", "applies", "status", "justification"],
                entries.map { [$0.ref, $0.applicable ? "yes" : "no", $0.status?.rawValue ?? "", $0.justification ?? ""] }))
        }
    }
}

extension FieldAuditCommand.SystemCommand {
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

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "import", abstract: "Load an AI-system inventory from CSV: name,purpose,role,risk (with a header line).")
        @Argument(help: "The CSV file.") var file: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let count = try store.openReplica().importSystems(from: file, engagement: engagement.engagement)
            Terminal.print("Added \(count) AI systems.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the AI-system inventory.")
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            let record = try engagement.open(store).record
            if output.json { return try Terminal.printJSON(record.systems) }
            Terminal.print(Terminal.columns(
                ["id", "name", "role", "risk", "purpose"],
                record.systems.map { [$0.id.short, $0.name, $0.role?.rawValue ?? "", $0.riskClass?.rawValue ?? "", $0.purpose ?? ""] }))
        }
    }
}
