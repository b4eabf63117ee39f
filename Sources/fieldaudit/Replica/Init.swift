import ArgumentParser
import FieldAudit
import Foundation

extension FieldAuditCommand {
    /// `fieldaudit init`: creates this laptop's replica and its signing key, or restores one.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a replica: an empty store and a new signing key; or restore one from bundles.",
            discussion: """
                Refuses to touch an existing replica. The private key file is created with mode 0600. \
                --restore-from rebuilds the replica's engagements from bundles that hold them (your lead's \
                or the central's `export --for YOUR-CARD --all`); --trust names the card of whoever \
                exported them (compare its fingerprint). --key keeps a backed-up identity.key (same \
                replica id), and needs a bundle that carries your own earlier changes, so your history \
                continues from what your peers hold instead of forking.
                """)

        @Option(parsing: .unconditional, help: "Your name, as it will appear in the audit's records.")
        var name: String

        @Option(help: ArgumentHelp("A backed-up identity.key to keep (needs --restore-from).", valueName: "file"))
        var key: String?

        @Option(name: .customLong("restore-from"), help: ArgumentHelp("A bundle to rebuild the replica from (repeatable).", valueName: "bundle"))
        var restoreFrom: [String] = []

        @Option(name: .customLong("trust"), help: ArgumentHelp("The card of whoever exported the bundles (repeatable).", valueName: "card"))
        var trustedCards: [String] = []

        @OptionGroup var options: StoreOptions

        func validate() throws {
            if name.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--name must not be empty.")
            }
            if key != nil && restoreFrom.isEmpty {
                throw ValidationError("""
                    --key needs --restore-from BUNDLE: a backed-up key in an empty store would number its changes \
                    from 1 again and fork the history your peers hold. Ask your lead or the central for \
                    `fieldaudit export --for YOUR-CARD --all -o FILE` and restore from it, or copy your whole \
                    backed-up store folder back instead.
                    """)
            }
            if !trustedCards.isEmpty && restoreFrom.isEmpty {
                throw ValidationError("--trust goes with --restore-from; otherwise run `fieldaudit trust CARD` after init.")
            }
        }

        func run() throws {
            let identity = try key.map { path throws(FieldAuditError) in try Replica.identity(fromBackup: path) }
            if let identity { try Replica.checkRestorable(identity, from: restoreFrom) }
            let cards = try trustedCards.map { path throws(FieldAuditError) in try IdentityCard.load(from: path) }
            let location = options.location
            let existed = FileManager.default.fileExists(atPath: location.directory)
            let replica = try identity.map { try Replica.create(at: location, name: name, identity: $0, database: options.database) }
                ?? Replica.create(at: location, name: name, database: options.database)
            if !restoreFrom.isEmpty {
                do {
                    try restore(replica, trusting: cards)
                } catch {
                    // Nothing half-restored is left behind: the next attempt starts afresh.
                    let files = FileManager.default
                    if existed {
                        for path in [location.database, location.database + "-wal", location.database + "-shm", location.keyFile, location.blobs] {
                            try? files.removeItem(atPath: path)
                        }
                    } else {
                        try? files.removeItem(atPath: location.directory)
                    }
                    throw error
                }
            }
            Terminal.print("""
                \(restoreFrom.isEmpty ? "Created" : "Restored") replica \(replica.identity.id.hex) for \(replica.name)
                store:       \(replica.location.directory)
                fingerprint: \(replica.identity.fingerprint)
                """)
            if !restoreFrom.isEmpty {
                Terminal.print(identity == nil
                    ? "This is a new key: unless your lead added its card already, send it (fieldaudit whoami --card -o \(cardFileName(replica.name))); the lead adds it and removes the old one."
                    : "Your history continues from what the bundles hold; anything you never exported from the lost copy is not in them.")
                return
            }
            Terminal.print("""
                Next, if you lead the audit: fieldaudit engagement create --client NAME (you are on its team as lead;
                      add the others' cards with fieldaudit team add CARD --role auditor, never your own).
                Otherwise: send your identity card to your lead: fieldaudit whoami --card -o \(cardFileName(replica.name))
                """)
        }

        /// Trusts the cards, imports the bundles and makes the only engagement current.
        private func restore(_ replica: Replica, trusting cards: [IdentityCard]) throws {
            for card in cards {
                _ = try replica.trust(card)
                Terminal.print("Trusted \(Terminal.shown(card.name)) (\(card.fingerprint)).")
            }
            _ = try Import.importAll(restoreFrom.map { ($0, $0) }, into: replica, printing: true)
            if let adopted = try replica.adoptSoleEngagement() {
                Terminal.note("Engagement \(adopted.id.short) (\(Terminal.shown(adopted.client))) is now current: it is the only one here.")
            }
        }

        private func cardFileName(_ name: String) -> String {
            name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.reduce(into: "") { $0.append($1) } + ".card.json"
        }
    }
}
