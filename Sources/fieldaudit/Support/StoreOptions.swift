import ArgumentParser
import FieldAudit
import Foundation

/// The `--store` option every command takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The replica's directory (default: FIELDAUDIT_STORE, else $XDG_DATA_HOME/fieldaudit).",
        valueName: "path"))
    var store: String?

    @Option(name: .long, help: ArgumentHelp(
        "A central's PostgreSQL store (postgres://USER@HOST[:PORT]/DB[?schema=NAME]; password from PGPASSWORD) instead of the SQLite file; the directory keeps the key and the evidence files.",
        valueName: "url"))
    var database: String?

    /// The location this invocation uses.
    var location: StoreLocation { Self.location(store) }

    /// The location a `--store` value (or none) names, in this process's environment.
    static func location(_ store: String?) -> StoreLocation {
        StoreLocation.resolve(explicit: store, environment: ProcessInfo.processInfo.environment)
    }

    /// Opens the replica at the location; `concurrentReads` for a server (see `Replica.open`).
    func openReplica(concurrentReads: Bool = false) throws -> Replica {
        try Replica.open(at: location, database: database, concurrentReads: concurrentReads)
    }
}
