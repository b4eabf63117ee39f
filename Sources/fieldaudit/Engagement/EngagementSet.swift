import ArgumentParser
import FieldAudit
import Foundation

extension FieldAuditCommand.EngagementCommand {
    /// `fieldaudit engagement set`: change an engagement's settings (lead only).
    struct Settings: ReplicaCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Change an engagement's settings: its time zone, the standards it audits (lead only).",
            discussion: """
                Every table (`interview list`, `status`, `log`, …) and every report shows the engagement's \
                times in its time zone, with the zone (`2026-12-03 09:30 +01:00`), whoever shows them and \
                whatever their own TZ; OSCAL keeps UTC. The change replicates like any other; a concurrent \
                change is a conflict, shown by `fieldaudit conflicts`.

                `--add-mapping ID` records a requirement mapping set held (`catalog import`) that links two of \
                its standards. `--add-standard ID` makes the audit an integrated one (or adds a standard to it): the catalog is \
                recorded whole in the engagement, every replica audits the same text, and what is recorded \
                already keeps its meaning (it concerns the standards it cited). A standard is never removed.
                """)
        @Option(help: ArgumentHelp("The site's time zone, an IANA name such as Europe/Berlin or America/New_York.", valueName: "zone"))
        var timeZone: String?
        @Option(help: ArgumentHelp("Add a standard to the audit: a catalog id, ID@VERSION for one version (see `fieldaudit catalog list --catalogs`).", valueName: "id"))
        var addStandard: [String] = []
        @Option(help: ArgumentHelp("Record a requirement mapping set (see `fieldaudit catalog list --mappings`) linking two of the standards.", valueName: "id"))
        var addMapping: [String] = []
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if timeZone == nil && addStandard.isEmpty && addMapping.isEmpty {
                throw ValidationError("Nothing to set: give --time-zone ZONE (an IANA name such as Europe/Berlin), --add-standard ID or --add-mapping ID.")
            }
        }

        func run(on replica: Replica) throws {
            for standard in addStandard {
                let added = try replica.addStandard(standard, engagement: engagement.engagement)
                Terminal.print(added.wasAudited
                    ? "The engagement audits \(Terminal.shown(added.catalog.displayName)) already; nothing changed."
                    : "The engagement now audits \(Terminal.shown(added.catalog.displayName)) too; cite its requirements as \(Terminal.shown(added.prefix)):REF.")
                for set in added.mappingSets { Terminal.print("The mapping set \(Terminal.shown(set.name)) is recorded with it.") }
                for (set, reason) in added.leftOutMappingSets {
                    Terminal.print("The mapping set \(Terminal.shown(set.name)) is not recorded: \(Terminal.shown(reason)). Import a version of it made for the audited version (`fieldaudit catalog import`), then `fieldaudit engagement set --add-mapping ID`.")
                }
            }
            for mapping in addMapping {
                let added = try replica.addMappingSet(mapping, engagement: engagement.engagement)
                Terminal.print(added.wasRecorded
                    ? "The mapping set \(Terminal.shown(added.mappingSet.name)) is recorded already; nothing changed."
                    : "The mapping set \(Terminal.shown(added.mappingSet.name)) is recorded: a requirement examined in one standard shows as mapped evidence towards the other's.")
            }
            guard let timeZone else { return }
            let zone = try replica.setTimeZone(timeZone, engagement: engagement.engagement)
            Terminal.print("The engagement's times are now shown in \(zone.name(at: Int64(Date().timeIntervalSince1970 * 1000))).")
        }
    }
}
