import ArgumentParser
import FieldAudit
import Foundation

extension FieldAuditCommand.EngagementCommand {
    /// `fieldaudit engagement show`: show an engagement: client, scope, team, inventory.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an engagement: client, scope, team, inventory.")
        @Argument(help: "The engagement (default: the current one).") var id: String?
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        struct View: Encodable {
            var engagement: Engagement
            var standards: [StandardView]
            var team: [TeamMember]
            var systems: [AISystem]
            var counts: [String: Int]
        }

        /// One audited standard: its prefix, catalog id, version and title.
        struct StandardView: Encodable {
            var prefix: String, id: String, version: String?, title: String
        }

        func run() throws {
            let replica = try store.openReplica()
            let record = try replica.record(of: try replica.engagementID(id))
            let engagement = record.engagement
            let counts = [
                "interviews": record.interviews.count, "notes": record.notes.count, "tests": record.tests.count,
                "evidence": record.evidence.count, "findings": record.findings.count,
            ]
            let standards = record.standards
            let standardViews = standards.catalogs.indices.map { index in
                StandardView(prefix: standards.prefixes[index], id: standards.catalogs[index].id, version: standards.catalogs[index].edition,
                             title: standards.catalogs[index].title)
            }
            if output.json {
                return try Terminal.printJSON(View(engagement: engagement, standards: standardViews, team: record.members, systems: record.systems, counts: counts))
            }
            var rows: [(String, String)] = [
                ("engagement", engagement.id.description), ("client", engagement.client),
                standards.isIntegrated
                    ? ("standards", standards.catalogs.indices.map { "\(standards.prefixes[$0]): \(standards.heading(of: $0)) [\(standards.catalogs[$0].id)]" }.joined(separator: "; "))
                    : ("standard", record.catalog.displayName),
                ("type", engagement.auditType?.title ?? "—"),
                ("status", engagement.status.rawValue),
            ]
            if let address = engagement.address { rows.append(("address", address)) }
            if let scope = engagement.scope { rows.append(("scope", scope)) }
            if !engagement.sites.isEmpty { rows.append(("sites", engagement.sites.joined(separator: "; "))) }
            if let start = engagement.startDate { rows.append(("dates", [start, engagement.endDate].compactMap { $0 }.joined(separator: " to "))) }
            let zone = engagement.siteTime.name(at: Int64(Date().timeIntervalSince1970 * 1000))
            rows.append(("time zone", engagement.timeZone == nil ? "\(zone) (none recorded; `engagement set --time-zone ZONE`)" : zone))
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
}
