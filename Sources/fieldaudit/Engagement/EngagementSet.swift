import ArgumentParser
import FieldAudit
import Foundation

extension FieldAuditCommand.EngagementCommand {
    /// `fieldaudit engagement set`: change an engagement's settings (lead only).
    struct Settings: ReplicaCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Change an engagement's settings: its time zone (lead only).",
            discussion: """
                Every table (`interview list`, `status`, `log`, …) and every report shows the engagement's \
                times in its time zone, with the zone (`2026-12-03 09:30 +01:00`), whoever shows them and \
                whatever their own TZ; OSCAL keeps UTC. The change replicates like any other; a concurrent \
                change is a conflict, shown by `fieldaudit conflicts`.
                """)
        @Option(help: ArgumentHelp("The site's time zone, an IANA name such as Europe/Berlin or America/New_York.", valueName: "zone"))
        var timeZone: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if timeZone == nil { throw ValidationError("Nothing to set: give --time-zone ZONE (an IANA name such as Europe/Berlin).") }
        }

        func run(on replica: Replica) throws {
            guard let timeZone else { return }
            let zone = try replica.setTimeZone(timeZone, engagement: engagement.engagement)
            Terminal.print("The engagement's times are now shown in \(zone.name(at: Int64(Date().timeIntervalSince1970 * 1000))).")
        }
    }
}
