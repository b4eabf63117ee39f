import ArgumentParser
import FieldAudit
import Foundation

extension FieldAuditCommand {
    /// `fieldaudit vector`: this replica's holdings, for a peer to export against.
    struct Vector: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "vector", abstract: "Write this replica's version vector, for a peer's `export --since`.")
        @Option(name: .shortAndLong, help: "The file, or '-' for standard output.") var output: String = "-"
        @OptionGroup var store: StoreOptions

        func run() throws {
            let data = try store.openReplica().vectorFile().encoded()
            if output == "-" { return FileHandle.standardOutput.write(data) }
            guard FileManager.default.createFile(atPath: output, contents: data) else {
                throw FieldAuditError.io(path: output, reason: "the file cannot be created")
            }
            Terminal.print("Wrote this replica's version vector to \(output).")
        }
    }
}
