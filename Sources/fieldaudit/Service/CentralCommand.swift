import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit central`: looking after the central repository's store.
    struct CentralCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "central",
            abstract: "Look after the central repository's store (moving it to PostgreSQL).",
            subcommands: [Migrate.self])
    }
}

extension FieldAuditCommand.CentralCommand {
    /// `fieldaudit central migrate --to URL`: copies a replica's SQLite store into PostgreSQL.
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Copy this replica's SQLite store into an empty PostgreSQL database.",
            discussion: """
                Copies every change, withheld placeholder, signed checkpoint, founder, trusted key and the \
                replica's own settings, then checks that both stores have the same state digest. The SQLite \
                store is not changed; the key and the evidence files stay in the directory. Stop `serve` \
                first, then serve with `--store DIR --database URL`. Refuses a database that already holds \
                a replica or changes.
                """)

        @Option(help: ArgumentHelp("The empty PostgreSQL database (postgres://USER@HOST[:PORT]/DB[?schema=NAME]).", valueName: "url"))
        var to: String

        @Flag(help: "Print JSON.")
        var json = false

        @OptionGroup var store: StoreOptions

        func validate() throws {
            if store.database != nil { throw ValidationError("--database names the store to read; migrate reads the SQLite store of --store.") }
        }

        func run() throws {
            let summary = try store.openReplica().migrate(toDatabase: to)
            if json {
                try Terminal.printJSON(summary)
            } else {
                Terminal.print(Terminal.table([
                    ("database", summary.database),
                    ("changes", "\(summary.changes) copied, \(summary.withheld) withheld placeholders"),
                    ("trusted", "\(summary.trustedKeys) keys"),
                    ("digest", summary.digest),
                ]))
                Terminal.print("ok: the PostgreSQL store holds the same state. Serve it with: fieldaudit serve --store \(store.location.directory) --database URL")
            }
        }
    }
}
