import ArgumentParser
import FieldAudit

extension FieldAuditCommand.TeamCommand {
    /// `fieldaudit team rotate`: a member continues under a new key; the old one is retired (the founding lead only).
    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Continue a member under a new key and retire the old one (the founding lead only).",
            discussion: """
                The new key joins with the member's name and role and continues their authorship (they may \
                still delete what they recorded under the old key). The new key is the one the old key's own \
                rotation record names (import the bundle `fieldaudit key rotate` wrote first), or the card \
                given with --to (a stolen laptop: the member ran `init` again). The old key stays valid through \
                its rotation record, else through the last of its changes you hold, or through --after SEQ \
                (never beyond its own rotation record); \
                anything later signed with it is refused by every replica. Compare the fingerprint shown with \
                the one the member reads out from `fieldaudit whoami`. It acts in one engagement (the current \
                one, or --engagement); for a member of several, it names the others to run it in.
                """)
        @Argument(help: "The old key: the member's identity card file or replica id.") var member: String
        @Option(name: .customLong("to"), help: "The new key's identity card (default: the one the old key's rotation record names).") var card: String?
        @Option(help: ArgumentHelp("Keep the old key's changes up to this seq valid; for work that reached teammates but not you.", valueName: "seq"))
        var after: UInt64?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let old = try FieldAuditCommand.Export.peerID(member)
            let newCard = try card.map { try IdentityCard.load(from: $0) }
            let rotation = try store.openReplica().rotateMember(old, to: newCard, keepingThrough: after, engagement: engagement.engagement)
            Terminal.print("""
                \(Terminal.shown(rotation.name)) continues as \(rotation.role) under key \(rotation.replica.prefix(8)) (\(rotation.fingerprint)); \
                compare this fingerprint with theirs.
                The old key \(rotation.retired.prefix(8)) is retired: its changes up to seq \(rotation.retiredAfter) stay valid\
                \(rotation.fromRotationRecord ? " (its own rotation record)" : ""), later ones are refused.\
                \(rotation.requestedAfter.map { "\nNot through seq \($0) as asked: the key's own rotation record retired it after seq \(rotation.retiredAfter), and every replica refuses its later changes whatever you record." } ?? "")
                Next: export for them (`fieldaudit export --for \(rotation.replica) -o DIR`).\
                \(rotation.otherEngagements.map { "\nThe old key is still on the team of engagement \($0.suffix(8)) too: run `fieldaudit team rotate \(member) \(card.map { "--to \($0) " } ?? "")--engagement \($0.suffix(8))` there." }.joined())
                """)
        }
    }
}
