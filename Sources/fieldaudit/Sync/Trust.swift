import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit trust`: accept a key before any roster names it.
    struct Trust: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trust",
            abstract: "Trust an identity card's key: its bundles, and the engagements it founds, are accepted.",
            discussion: "Compare the fingerprint with its owner (in person or by phone) before you trust it.")
        @Argument(help: "The identity card file.") var card: String
        @OptionGroup var store: StoreOptions

        func run() throws {
            let identity = try IdentityCard.load(from: card)
            let replica = try store.openReplica().trust(identity)
            Terminal.print("Trusted \(Terminal.shown(identity.name)) (\(replica.short), \(identity.fingerprint)).")
        }
    }
}
