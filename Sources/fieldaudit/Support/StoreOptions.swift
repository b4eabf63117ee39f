import ArgumentParser
import FieldAudit
import Foundation

/// The `--store` option every command takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The replica's directory (default: FIELDAUDIT_STORE, else $XDG_DATA_HOME/fieldaudit).",
        valueName: "path"))
    var store: String?

    /// The location this invocation uses.
    var location: StoreLocation {
        StoreLocation.resolve(explicit: store, environment: ProcessInfo.processInfo.environment)
    }

    /// Opens the replica at the location.
    func openReplica() throws -> Replica {
        try Replica.open(at: location)
    }
}
