import ArgumentParser
import FieldAudit
import Foundation

extension FieldAuditCommand {
    /// `fieldaudit vector`: this replica's holdings, for a peer to export against.
    struct Vector: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "vector", abstract: "Write this replica's version vector, for a peer's `export --since`.")
        @Option(name: .shortAndLong, help: "The file (or a directory to write it in), or '-' for standard output.") var output: String = "-"
        @Flag(help: "Replace the file if it exists.") var force = false
        @OptionGroup var store: StoreOptions

        func run() throws {
            let replica = try store.openReplica()
            let data = try replica.vectorFile().encoded()
            if output == "-" { return Terminal.output(data) }
            let file = try OutputFile.resolve(output, defaultName: OutputFile.fileName([replica.name], extension: "vector.json"), force: force)
            try file.write(data)
            Terminal.print("Wrote this replica's version vector to \(file).")
        }
    }
}
