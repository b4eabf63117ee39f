import ArgumentParser
import FieldAudit
import Foundation

extension FieldAuditCommand {
    /// `fieldaudit whoami`: this replica's name, id and key fingerprint, or its identity card.
    struct Whoami: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "whoami",
            abstract: "Show this replica's identity, or write its public identity card.")

        @Flag(help: "Write the public identity card (JSON) instead of the summary.")
        var card = false

        @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the card (a file, a directory to write it in, or '-' for standard output).", valueName: "file"))
        var output: String?

        @Flag(help: "Replace the card file if it exists.")
        var force = false

        @Flag(help: "Print JSON.")
        var json = false

        @OptionGroup var options: StoreOptions

        func validate() throws {
            if output != nil && !card { throw ValidationError("-o/--output goes with --card.") }
        }

        struct Summary: Encodable {
            var name: String
            var replicaID: String
            var fingerprint: String
            var publicKey: String
            var store: String
        }

        func run() throws {
            let replica = try options.openReplica()
            if card {
                let data = replica.card.encoded()
                guard let output, output != "-" else { return Terminal.output(data) }
                let file = try OutputFile.resolve(output, defaultName: OutputFile.fileName([replica.name], extension: "card.json"), force: force)
                try file.write(data)
                Terminal.print("Wrote the identity card of \(replica.name) to \(file)")
                return
            }
            let summary = Summary(
                name: replica.name, replicaID: replica.identity.id.hex, fingerprint: replica.identity.fingerprint,
                publicKey: replica.card.publicKey, store: replica.location.directory)
            if json { return try Terminal.printJSON(summary) }
            Terminal.print(Terminal.table([
                ("name", summary.name), ("replica", summary.replicaID), ("fingerprint", summary.fingerprint),
                ("store", summary.store),
            ]))
        }
    }
}
