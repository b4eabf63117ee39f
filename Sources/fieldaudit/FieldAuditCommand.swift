import ArgumentParser
import FieldAudit
import Foundation

/// `fieldaudit`: offline audit capture and sync, one replica per auditor.
@main
struct FieldAuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fieldaudit",
        abstract: "Capture an audit offline and merge the team's work without losing a word.",
        discussion: """
            Each auditor's laptop holds a replica: a SQLite store where every edit is a signed, \
            mergeable change. The store lives in $XDG_DATA_HOME/fieldaudit unless --store or \
            FIELDAUDIT_STORE says otherwise.
            """,
        version: "0.1.0",
        subcommands: [
            Init.self, Whoami.self, EngagementCommand.self, TeamCommand.self, CatalogCommand.self, SoACommand.self,
            SystemCommand.self, InterviewCommand.self, NoteCommand.self, Capture.self, TestCommand.self,
            EvidenceCommand.self, FindingCommand.self, Status.self, Search.self, Log.self, Conflicts.self, Resolve.self,
            Export.self, Import.self, BundleCommand.self, Vector.self, Trust.self, Verify.self, Field.self, ReportCommand.self,
            Serve.self, RemoteCommand.self, Sync.self,
        ])

    /// Runs the command line, mapping every error to its message and exit code in one place.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as FieldAuditError {
            Terminal.error(error.description)
            Foundation.exit(ExitStatus.of(error).rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
