import ArgumentParser
import FieldAudit

extension FieldAuditCommand.FindingCommand {
    /// `fieldaudit finding correct`: record the auditee's correction of a nonconformity.
    struct Correct: ReplicaCommand {
        static let configuration = CommandConfiguration(
            commandName: "correct", abstract: "Record the auditee's correction of a nonconformity (what was fixed at once).",
            discussion: "Works after the audit and after closing, on any replica of a lead, auditor or expert; never a late change.")
        @Argument(help: "The nonconformity: NC-01, or the finding id (or prefix).") var id: String
        @Argument(help: "The correction ('-' reads it from standard input).") var text: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run(on replica: Replica) throws {
            let finding = try replica.recordFollowUp(.correction, try TextInput.read(text, purpose: "correction"), finding: id, engagement: engagement.engagement)
            Terminal.print("Recorded the correction of \(finding.id.short).")
        }
    }

    /// `fieldaudit finding root-cause`: record the auditee's root-cause analysis of a nonconformity.
    struct RootCause: ReplicaCommand {
        static let configuration = CommandConfiguration(
            commandName: "root-cause", abstract: "Record the auditee's root-cause analysis of a nonconformity.",
            discussion: "Works after the audit and after closing, on any replica of a lead, auditor or expert; never a late change.")
        @Argument(help: "The nonconformity: NC-01, or the finding id (or prefix).") var id: String
        @Argument(help: "The root-cause analysis ('-' reads it from standard input).") var text: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run(on replica: Replica) throws {
            let finding = try replica.recordFollowUp(.rootCause, try TextInput.read(text, purpose: "root cause"), finding: id, engagement: engagement.engagement)
            Terminal.print("Recorded the root-cause analysis of \(finding.id.short).")
        }
    }

    /// `fieldaudit finding verify`: the lead's verification of a nonconformity's corrective actions.
    struct Verify: ReplicaCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify", abstract: "Accept or reject a nonconformity's corrective actions (lead only); accepting closes it.",
            discussion: """
                Accepting needs every action of the plan done. The evidence examined defaults to the evidence \
                linked to the actions. Works on the replica of a lead, after closing too; `sync` carries it to the \
                central repository, which authors nothing itself.
                """)
        @Argument(help: "The nonconformity: NC-01, or the finding id (or prefix).") var id: String
        @Flag(help: "Accept the corrective actions: the nonconformity is closed.") var accept = false
        @Flag(help: "Reject them: the auditee must do more.") var reject = false
        @Option(parsing: .unconditional, help: "Why, in your words.") var reason: String
        @Option(help: "Evidence examined, by id or prefix (repeat for several).") var evidence: [String] = []
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if accept == reject { throw ValidationError("say --accept or --reject (one of them).") }
        }

        func run(on replica: Replica) throws {
            let finding = try replica.verifyCorrectiveActions(
                finding: id, outcome: accept ? .accepted : .rejected, reason: reason, evidence: evidence, engagement: engagement.engagement)
            Terminal.print(accept
                ? "Accepted the corrective actions of \(finding.id.short): the nonconformity is closed."
                : "Rejected the corrective actions of \(finding.id.short): the nonconformity stays open.")
        }
    }

    /// `fieldaudit finding action`: a nonconformity's corrective-action plan.
    struct Action: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "action", abstract: "Add, complete and list a nonconformity's corrective actions.",
            subcommands: [Add.self, Done.self, List.self])

        /// `fieldaudit finding action add`: add an action to a nonconformity's plan.
        struct Add: ReplicaCommand {
            static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an action, its owner and due date to a nonconformity's plan.")
            @Argument(help: "The nonconformity: NC-01, or the finding id (or prefix).") var id: String
            @Option(parsing: .unconditional, help: "What the auditee will do.") var action: String
            @Option(parsing: .unconditional, help: "Who at the auditee owns it.") var owner: String
            @Option(help: "By when, YYYY-MM-DD.") var due: String
            @OptionGroup var engagement: EngagementOption
            @OptionGroup var store: StoreOptions

            func run(on replica: Replica) throws {
                let action = try replica.addCorrectiveAction(finding: id, action: action, owner: owner, due: due, engagement: engagement.engagement)
                Terminal.print("Added corrective action \(action.short), due \(due).")
            }
        }

        /// `fieldaudit finding action done`: record an action done, with the evidence of implementation.
        struct Done: ReplicaCommand {
            static let configuration = CommandConfiguration(commandName: "done", abstract: "Record a corrective action done, how, and the evidence of implementation.")
            @Argument(help: "The action id (or prefix).") var id: String
            @Option(help: "The day it was done, YYYY-MM-DD (default: today).") var on: String?
            @Option(parsing: .unconditional, help: "How it was implemented.") var implementation: String?
            @Option(help: "Evidence of implementation, by id or prefix (repeat for several); add files with `evidence add FILE --for ACTION`.") var evidence: [String] = []
            @OptionGroup var engagement: EngagementOption
            @OptionGroup var store: StoreOptions

            func run(on replica: Replica) throws {
                let action = try replica.completeCorrectiveAction(id, on: on, implementation: implementation, evidence: evidence, engagement: engagement.engagement)
                Terminal.print("Recorded corrective action \(action.id.short) done.")
            }
        }

        /// `fieldaudit finding action list`: every corrective action, or one nonconformity's.
        struct List: ReplicaCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List corrective actions: open, overdue and done.")
            @Argument(help: "Only this nonconformity's (NC-01, or the finding id or prefix).") var id: String?
            @OptionGroup var engagement: EngagementOption
            @OptionGroup var output: OutputOptions
            @OptionGroup var store: StoreOptions

            func run(on replica: Replica) throws {
                let record = try replica.record(of: try replica.engagementID(engagement.engagement))
                let only = try id.map { try replica.finding(named: $0, in: record).id }
                let today = replica.today(in: record)
                let actions = record.actions.filter { only == nil || $0.finding == only }.sorted { ($0.dueDate, $0.id) < ($1.dueDate, $1.id) }
                if output.json { return try Terminal.printJSON(actions) }
                Terminal.print(Terminal.columns(
                    ["id", "nonconformity", "due", "state", "owner", "action"],
                    actions.map { action in
                        [
                            action.id.short, record.nonconformityLabel(of: action.finding) ?? action.finding.short, action.dueDate,
                            action.doneOn.map { "done \($0)" } ?? (action.isOverdue(today: today) ? "OVERDUE" : "open"),
                            action.owner, (action.conflicts.isEmpty ? "" : "CONFLICT(\(action.conflicts.joined(separator: ","))) ") + action.action,
                        ]
                    }))
            }
        }
    }
}
