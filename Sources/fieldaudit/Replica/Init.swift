import ArgumentParser
import FieldAudit
import Foundation

extension FieldAuditCommand {
    /// `fieldaudit init`: creates this laptop's replica and its signing key.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a replica: an empty store and a new signing key.",
            discussion: "Refuses to touch an existing replica. The private key file is created with mode 0600.")

        @Option(parsing: .unconditional, help: "Your name, as it will appear in the audit's records.")
        var name: String

        @OptionGroup var options: StoreOptions

        func validate() throws {
            if name.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--name must not be empty.")
            }
        }

        func run() throws {
            let replica = try Replica.create(at: options.location, name: name, database: options.database)
            Terminal.print("""
                Created replica \(replica.identity.id.hex) for \(replica.name)
                store:       \(replica.location.directory)
                fingerprint: \(replica.identity.fingerprint)
                Next, if you lead the audit: fieldaudit engagement create --client NAME (you are on its team as lead;
                      add the others' cards with fieldaudit team add CARD --role auditor, never your own).
                Otherwise: send your identity card to your lead: fieldaudit whoami --card -o \(cardFileName(replica.name))
                """)
        }

        private func cardFileName(_ name: String) -> String {
            name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.reduce(into: "") { $0.append($1) } + ".card.json"
        }
    }
}
