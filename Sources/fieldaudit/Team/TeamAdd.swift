import ArgumentParser
import FieldAudit

extension FieldAuditCommand.TeamCommand {
    /// `fieldaudit team add`: add a member from their identity card, or change a member's role (the founding lead only).
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

        func validate() throws {
            if role == .central {
                throw ValidationError("A central repository is not a team member: file the engagement with it instead, with `fieldaudit engagement file --central CARD`.")
            }
        }

        func run() throws {
            let identity = try IdentityCard.load(from: card)
            let who = "\(Terminal.shown(identity.name)) (\(identity.replicaID.prefix(8)), \(identity.fingerprint))"
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
}
