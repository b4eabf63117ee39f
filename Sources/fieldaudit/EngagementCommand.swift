import ArgumentParser
import AuditModel
import FieldAudit
import Foundation

extension FieldAuditCommand {
    /// `fieldaudit engagement`: create, list, show and choose engagements.
    struct EngagementCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "engagement",
            abstract: "Create, list, show and choose audit engagements.",
            subcommands: [Create.self, List.self, Show.self, Use.self, Close.self, AcceptLate.self])
    }
}

extension FieldAuditCommand.EngagementCommand {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create an engagement that you lead, and make it current.")

        @Option(parsing: .unconditional, help: "The client organisation.") var client: String
        @Option(parsing: .unconditional, help: "The client's address.") var address: String?
        @Option(help: "The audited standard's catalog id (see `fieldaudit catalog list --catalogs`).")
        var standard: String = Catalog.iso42001ID
        @Option(help: "The audit type.") var type: AuditType = .stage2
        @Option(parsing: .unconditional, help: "The scope statement.") var scope: String?
        @Option(name: .customLong("site"), parsing: .unconditionalSingleValue, help: "A site visited (repeat for several).") var sites: [String] = []
        @Option(help: "First audit day, YYYY-MM-DD.") var start: String?
        @Option(help: "Last audit day, YYYY-MM-DD.") var end: String?
        @Option(parsing: .unconditional, help: "Audit criteria (default: the standard and the Statement of Applicability).") var criteria: String?
        @Option(parsing: .unconditional, help: "Audit objectives.") var objectives: String?
        @OptionGroup var store: StoreOptions

        func run() throws {
            let replica = try store.openReplica()
            let draft = EngagementDraft(
                client: client, address: address, catalog: try replica.catalog(standard), auditType: type, scope: scope,
                sites: sites, startDate: start, endDate: end, criteria: criteria, objectives: objectives)
            let id = try replica.createEngagement(draft)
            Terminal.print("Created engagement \(id) for \(Terminal.shown(client)) (\(type.title), \(draft.catalog.displayName)); it is now current.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the engagements this replica holds.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            let replica = try store.openReplica()
            let engagements = try replica.engagements()
            let current = try? replica.engagementID(nil)
            if output.json { return try Terminal.printJSON(engagements) }
            if engagements.isEmpty { return Terminal.print("No engagements yet: `fieldaudit engagement create --client NAME`.") }
            Terminal.print(Terminal.columns(
                ["", "id", "client", "type", "dates", "status"],
                engagements.map { engagement in
                    [
                        engagement.id == current ? "*" : "", engagement.id.short, engagement.client,
                        engagement.auditType?.rawValue ?? "", [engagement.startDate, engagement.endDate].compactMap { $0 }.joined(separator: "…"),
                        engagement.status.rawValue,
                    ]
                }))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an engagement: client, scope, team, inventory.")
        @Argument(help: "The engagement (default: the current one).") var id: String?
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        struct View: Encodable {
            var engagement: Engagement
            var team: [TeamMember]
            var systems: [AISystem]
            var counts: [String: Int]
        }

        func run() throws {
            let replica = try store.openReplica()
            let record = try replica.record(of: try replica.engagementID(id))
            let engagement = record.engagement
            let counts = [
                "interviews": record.interviews.count, "notes": record.notes.count, "tests": record.tests.count,
                "evidence": record.evidence.count, "findings": record.findings.count,
            ]
            if output.json { return try Terminal.printJSON(View(engagement: engagement, team: record.members, systems: record.systems, counts: counts)) }
            var rows: [(String, String)] = [
                ("engagement", engagement.id.description), ("client", engagement.client),
                ("standard", record.catalog.displayName), ("type", engagement.auditType?.title ?? "—"),
                ("status", engagement.status.rawValue),
            ]
            if let address = engagement.address { rows.append(("address", address)) }
            if let scope = engagement.scope { rows.append(("scope", scope)) }
            if !engagement.sites.isEmpty { rows.append(("sites", engagement.sites.joined(separator: "; "))) }
            if let start = engagement.startDate { rows.append(("dates", [start, engagement.endDate].compactMap { $0 }.joined(separator: " to "))) }
            if let criteria = engagement.criteria { rows.append(("criteria", criteria)) }
            if let objectives = engagement.objectives { rows.append(("objectives", objectives)) }
            rows.append(("team", record.members.map { "\($0.name) (\($0.role?.rawValue ?? "?"))" }.joined(separator: ", ")))
            rows.append(("AI systems", record.systems.map(\.name).joined(separator: ", ")))
            rows.append(("recorded", counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")))
            Terminal.print(Terminal.table(rows))
            if !engagement.conflicts.isEmpty {
                Terminal.print("conflicts in: \(engagement.conflicts.joined(separator: ", ")) — see `fieldaudit conflicts`")
            }
        }
    }

    struct Use: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "use", abstract: "Make an engagement current, so capture commands need no --engagement.")
        @Argument(help: "The engagement's id or a unique prefix of it.") var id: String
        @OptionGroup var store: StoreOptions

        func run() throws {
            let replica = try store.openReplica()
            let engagement = try replica.engagementID(id)
            try replica.use(engagement: engagement)
            Terminal.print("Current engagement: \(engagement)")
        }
    }
}
