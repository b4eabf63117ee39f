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

        @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the card ('-' for standard output).", valueName: "file"))
        var output: String?

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
                guard let output, output != "-" else {
                    FileHandle.standardOutput.write(data)
                    return
                }
                guard FileManager.default.createFile(atPath: output, contents: data) else {
                    throw FieldAuditError.io(path: output, reason: "the file cannot be created")
                }
                Terminal.print("Wrote the identity card of \(replica.name) to \(output)")
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
