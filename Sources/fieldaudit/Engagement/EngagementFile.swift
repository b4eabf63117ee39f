import ArgumentParser
import FieldAudit

extension FieldAuditCommand.EngagementCommand {
    /// `fieldaudit engagement file --central CARD`: file the engagement with the certification
    /// body's central repository (the founding lead only).
    struct File: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "file",
            abstract: "File the engagement with the central repository: it then receives the whole engagement (the founding lead only).",
            discussion: """
                The central repository is not a member of the audit team: it is never listed with the team \
                (`team list`, reports), and it cannot write in the engagement. Its card comes from \
                `fieldaudit whoami --card -o FILE` on the central. Works offline: the filing reaches the \
                central with the next sync or bundle, like any change.
                """)
        @Option(help: "The central repository's identity card file.") var central: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let card = try IdentityCard.load(from: central)
            let who = "\(Terminal.shown(card.name)) (\(card.replicaID.prefix(8)), \(card.fingerprint))"
            switch try store.openReplica().file(with: card, engagement: engagement.engagement) {
            case .filed:
                Terminal.print("Filed the engagement with the central repository \(who); it receives the whole engagement with your next sync or bundle.")
            case .alreadyFiled:
                Terminal.print("The engagement is already filed with \(who); nothing changed.")
            }
        }
    }
}
