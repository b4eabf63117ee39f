import ArgumentParser
import FieldAudit
import FieldAuditService
import Foundation

extension FieldAuditCommand {
    /// `fieldaudit sync [NAME]`: pull what this laptop lacks from a central repository, then push
    /// what the central lacks.
    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sync",
            abstract: "Sync with a central repository: pull what this replica lacks, then push what the central lacks.",
            discussion: """
                Both directions are bundles in today's format, verified and applied by the import's \
                rules, each in one transaction: an interrupted sync leaves nothing half-applied, and \
                the next one completes it. Offline, it says so and exits 75; your work stays here.
                """)
        @Argument(help: "The remote (default: the only one, or the one named central).") var name: String?
        @Option(help: "The largest bundle to accept from the central (bytes, or with KiB, MiB, GiB).") var maxPull = ByteCount(bytes: 4 << 30)
        @OptionGroup var store: StoreOptions

        func run() throws {
            try ExitStatus.reporting {
                let replica = try store.openReplica()
                let remote = try RemoteList.load(for: replica.location).remote(named: name)
                let session = try CentralSync(replica: replica, remote: remote, maxPull: UInt64(maxPull.bytes))
                let progress = Progress(label: "sync")
                let report: SyncReport
                do {
                    defer { progress.finish() }
                    report = try Blocking.run { try await session.run { progress.update($0, label: "sync") } }
                }
                Terminal.print("Synced with \(remote.name) (\(remote.url)): " + Self.describe(report))
            }
        }

        /// "pulled 12 new changes (…); pushed 40 changes (…)".
        static func describe(_ report: SyncReport) -> String {
            let pulled = report.pulled
            var parts = ["\(pulled.knownChanges) already known", "\(pulled.newEntities) new entities", "\(pulled.newEvidence) new evidence files"]
            if pulled.withheld > 0 { parts.insert("\(pulled.withheld) withheld (other engagements)", at: 1) }
            if pulled.newConflicts > 0 { parts.append("\(pulled.newConflicts) new conflicts — see `fieldaudit conflicts`") }
            let pull = "pulled \(pulled.newChanges) new changes (\(parts.joined(separator: ", ")))"
            guard let sent = report.sent, let pushed = report.pushed else { return pull + "; pushed nothing (the central lacks nothing)." }
            var sentParts = ["\(pushed.newChanges) new to the central", "\(pushed.knownChanges) already there"]
            if sent.withheld > 0 { sentParts.append("\(sent.withheld) withheld as hashes") }
            if sent.evidenceFiles > 0 { sentParts.append("\(sent.evidenceFiles) evidence files") }
            return pull + "; pushed \(sent.changes) changes (\(sentParts.joined(separator: ", ")))."
        }
    }
}
