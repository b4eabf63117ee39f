import ArgumentParser
import FieldAudit
import FieldAuditService

extension FieldAuditCommand.RemoteCommand {
    /// `fieldaudit remote list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the remotes and their pinned keys.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            try ExitStatus.reporting {
                let remotes = try RemoteList.load(for: store.location).remotes
                if output.json { return try Terminal.printJSON(remotes) }
                guard !remotes.isEmpty else { return Terminal.print("No remotes; add one with `fieldaudit remote add central URL`.") }
                Terminal.print(Terminal.columns(
                    ["NAME", "URL", "SERVER", "FINGERPRINT"],
                    remotes.map { [$0.name, $0.url, $0.serverName, $0.fingerprint] }))
            }
        }
    }
}
