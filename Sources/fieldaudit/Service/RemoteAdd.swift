import ArgumentParser
import FieldAudit
import FieldAuditService
import Foundation

extension FieldAuditCommand.RemoteCommand {
    /// `fieldaudit remote add NAME URL`: fetch a central's card, confirm its fingerprint, pin its key.
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a central repository: once it proves it holds the key on its card, show the key's fingerprint, and on confirmation pin and trust the key.",
            discussion: "Compare the fingerprint with the central's operator (`fieldaudit whoami` on the central) before you confirm.")
        @Argument(help: "A name for it, e.g. central.") var name: String
        @Argument(help: "Its address, e.g. https://central.example:8443.") var url: String
        @Flag(help: "Pin the key without asking (for scripts that checked the fingerprint otherwise).") var yes = false
        @OptionGroup var store: StoreOptions

        func run() throws {
            try ExitStatus.reporting {
                try Remote.validate(name: name)
                try Remote.validate(url: url)
                let replica = try store.openReplica()
                var list = try RemoteList.load(for: replica.location)
                let url = url
                let card = try Blocking.run { try await CentralClient.identity(at: url) }
                Terminal.print("The server at \(url) presents:")
                Terminal.print(Terminal.table([
                    ("  name", card.name), ("  replica", card.replicaID), ("  fingerprint", card.fingerprint),
                ]))
                if !yes { try confirm() }
                let remote = Remote(name: name, url: url, card: card)
                try list.add(remote)
                _ = try replica.trust(card)
                try list.save(for: replica.location)
                Terminal.print("Added remote \(name) (\(remote.url)); its key is pinned and trusted. Sync with `fieldaudit sync \(name)`.")
            }
        }

        /// Asks on the terminal; refuses without one.
        private func confirm() throws {
            guard isatty(STDIN_FILENO) == 1 else {
                throw ServiceError.notConfirmed(reason: "standard input is not a terminal to ask on; compare the fingerprint with the central's operator, then run again with --yes")
            }
            Terminal.prompt("Is this the fingerprint the central's operator reads to you? Pin this key? [y/N] ")
            let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            guard answer == "y" || answer == "yes" else { throw ServiceError.notConfirmed(reason: "you did not confirm; nothing was changed") }
        }
    }
}
