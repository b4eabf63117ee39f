import ArgumentParser
import FieldAudit

extension FieldAuditCommand.TeamCommand {
    /// `fieldaudit team remove`: remove a member from the team (the founding lead only); the work they did until now stays valid.
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a member from the team (the founding lead only); the work they did until now stays valid.")
        @Argument(help: "The member's identity card file or replica id.") var member: String
        @Option(help: ArgumentHelp("Keep the member's changes up to this seq valid (default: the last one you hold); for work that reached teammates but not you.", valueName: "seq"))
        var after: UInt64?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let replica = try FieldAuditCommand.Export.peerID(member)
            let kept = try store.openReplica().removeMember(replica, engagement: engagement.engagement, keepingThrough: after)
            Terminal.print("Removed \(replica.short) from the team; their changes up to seq \(kept) stay valid, later ones will be refused.")
        }
    }
}
