import Foundation
import ArgumentParser
import FieldAudit

extension FieldAuditCommand.EngagementCommand {
    /// `fieldaudit engagement create`: create an engagement that you lead, and make it current.
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create an engagement that you lead, and make it current.")

        @Option(parsing: .unconditional, help: "The client organisation.") var client: String
        @Option(parsing: .unconditional, help: "The client's address.") var address: String?
        @Option(name: .customLong("standard"), help: ArgumentHelp(
            "An audited standard's catalog id, ID@VERSION for one version (see `fieldaudit catalog list --catalogs`); repeat for an integrated audit, the first being the primary standard (default: \(Catalog.iso42001ID)).",
            valueName: "id"))
        var standards: [String] = []
        @Option(help: "The audit type.") var type: AuditType = .stage2
        @Option(parsing: .unconditional, help: "The scope statement.") var scope: String?
        @Option(name: .customLong("site"), parsing: .unconditionalSingleValue, help: "A site visited (repeat for several).") var sites: [String] = []
        @Option(help: "First audit day, YYYY-MM-DD.") var start: String?
        @Option(help: "Last audit day, YYYY-MM-DD.") var end: String?
        @Option(parsing: .unconditional, help: "Audit criteria (default: the standard and the Statement of Applicability).") var criteria: String?
        @Option(parsing: .unconditional, help: "Audit objectives.") var objectives: String?
        @Option(help: ArgumentHelp(
            "The site's time zone, an IANA name such as Europe/Berlin, in which every table and report shows the engagement's times (default: yours, from TZ or /etc/localtime).",
            valueName: "zone"))
        var timeZone: String?
        @OptionGroup var store: StoreOptions

        /// This machine's zone (`TZ`, else `/etc/localtime`) when it is an IANA zone name; UTC otherwise
        /// (a `TZ` such as `EST5EDT` or `:/path` names no site).
        static var localZone: String {
            let current = TimeZone.current.identifier
            return (try? SiteTime(identifier: current)) == nil ? "UTC" : current
        }

        func run() throws {
            let replica = try store.openReplica()
            let catalogs = try (standards.isEmpty ? [Catalog.iso42001ID] : standards).map { try replica.catalog($0) }
            let draft = EngagementDraft(
                client: client, address: address, catalog: catalogs[0], auditType: type, scope: scope,
                sites: sites, startDate: start, endDate: end, criteria: criteria, objectives: objectives,
                timeZone: timeZone ?? Self.localZone, otherCatalogs: Array(catalogs.dropFirst()), mappingSets: replica.mappingSets())
            let mappings = draft.mappingRecording
            let id = try replica.createEngagement(draft)
            let audited = Standards(primary: draft.catalog, others: draft.otherCatalogs, mappingSets: mappings.recorded)
            let names = audited.isIntegrated
                ? audited.catalogs.indices.map { "\(audited.catalogs[$0].displayName) as \(audited.prefixes[$0])" }.joined(separator: ", ")
                : draft.catalog.displayName
            Terminal.print("Created engagement \(id) for \(Terminal.shown(client)) (\(type.title), \(Terminal.shown(names))); it is now current.")
            if audited.isIntegrated {
                for set in audited.mappingSets {
                    Terminal.print("The mapping set \(Terminal.shown(set.name)) is recorded: a requirement examined in one standard shows as mapped evidence towards the other's.")
                }
                for (set, reason) in mappings.leftOut {
                    Terminal.print("The mapping set \(Terminal.shown(set.name)) is not recorded: \(Terminal.shown(reason)). Import a version of it made for the audited version (`fieldaudit catalog import`), then `fieldaudit engagement set --add-mapping ID`.")
                }
                Terminal.print("Cite requirements as PREFIX:REF (\(Terminal.shown(audited.prefixes[1])):\(Terminal.shown(audited.catalogs[1].requirements[0].ref))); a reference only one standard has needs no prefix.")
            }
            let zone = try replica.siteTime(engagement: id.description)
            Terminal.print("Times are shown in \(zone.name(at: Int64(Date().timeIntervalSince1970 * 1000))), the site's zone, for everyone; `fieldaudit engagement set --time-zone ZONE` changes it.")
        }
    }
}
