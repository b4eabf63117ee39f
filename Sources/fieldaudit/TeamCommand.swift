import ArgumentParser
import AuditModel
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit team`: the engagement's audit team.
    struct TeamCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "team", abstract: "Add, remove or list the audit team's members.", subcommands: [Add.self, Remove.self, List.self])
    }
}

extension FieldAuditCommand.TeamCommand {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a member from their identity card, or change a member's role (the founding lead only).",
            discussion: """
                The card comes from `fieldaudit whoami --card -o FILE` on the member's laptop. The lead who \
                created the engagement is on its team already. A card already on the team changes nothing \
                unless --role asks for another role; the last lead cannot be demoted.
                """)
        @Argument(help: "The member's identity card file.") var card: String
        @Option(help: "The member's role (a new member: default auditor; a member already on the team: the new role).") var role: TeamRole?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let identity = try IdentityCard.load(from: card)
            let who = "\(identity.name) (\(identity.replicaID.prefix(8)), \(identity.fingerprint))"
            switch try store.openReplica().addMember(identity, role: role, engagement: engagement.engagement).outcome {
            case let .added(role):
                Terminal.print("Added \(who) as \(role.rawValue).")
            case let .alreadyOnTeam(role):
                Terminal.print("\(who) is already on the team as \(role.rawValue); nothing changed. To change the role: fieldaudit team add \(card) --role ROLE.")
            case let .roleChanged(from, to):
                Terminal.print("\(who) was \(from.rawValue), now \(to.rawValue).")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a member from the team (the founding lead only); the work they did until now stays valid.")
        @Argument(help: "The member's identity card file or replica id.") var member: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let replica = try FieldAuditCommand.Export.peerID(member)
            let kept = try store.openReplica().removeMember(replica, engagement: engagement.engagement)
            Terminal.print("Removed \(replica.short) from the team; their changes up to seq \(kept) stay valid, later ones will be refused.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the audit team.")
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            let (replica, record) = try engagement.open(store)
            if output.json { return try Terminal.printJSON(record.members) }
            Terminal.print(Terminal.columns(
                ["name", "role", "replica", "you"],
                record.members.map { [$0.name, $0.role?.rawValue ?? "?", $0.replica?.short ?? "?", $0.replica == replica.identity.id ? "*" : ""] }))
        }
    }
}
