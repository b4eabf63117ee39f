import ArgumentParser
import FieldAudit

extension FieldAuditCommand.EngagementCommand {
    /// `fieldaudit engagement accept-late`: accept changes that arrived after closing, one by one or all.
    struct AcceptLate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "accept-late",
            abstract: "Accept changes that arrived after the engagement was closed, one by one or --all (lead only).",
            discussion: "List them first with `fieldaudit engagement late`; `fieldaudit report` shows them too.")
        @Argument(help: "The late changes to accept, as `fieldaudit engagement late` lists them (origin:seq).") var changes: [String] = []
        @Flag(help: "Accept every late change this replica holds.") var all = false
        @Option(help: "A revised recommendation in the light of the late changes (with --all).") var recommendation: Recommendation?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if all == !changes.isEmpty { throw ValidationError("name the late changes to accept (see `fieldaudit engagement late`), or give --all.") }
            if recommendation != nil, !all { throw ValidationError("--recommendation revises the recommendation with --all only.") }
        }

        func run() throws {
            let replica = try store.openReplica()
            guard all else {
                let decided = try replica.decideLateChanges(changes, verdict: .accepted, reason: nil, engagement: engagement.engagement)
                return Terminal.print("Accepted \(decided.count) late change\(decided.count == 1 ? "" : "s"): \(decided.map(\.change).joined(separator: ", ")).")
            }
            switch try replica.acceptLateChanges(recommendation: recommendation, engagement: engagement.engagement) {
            case .nothingLate:
                Terminal.print("No late change to accept.")
            case let .accepted(count, recommendation):
                Terminal.print("Accepted \(count) late change\(count == 1 ? "" : "s")"
                    + (recommendation.map { "; recommendation now: \($0.title)" } ?? "") + ".")
            }
        }
    }

    /// `fieldaudit engagement reject-late`: reject changes that arrived after closing, with a reason.
    struct RejectLate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reject-late",
            abstract: "Reject changes that arrived after the engagement was closed, with a reason (lead only); they are kept and shown as rejected.")
        @Argument(help: "The late changes to reject, as `fieldaudit engagement late` lists them (origin:seq).") var changes: [String]
        @Option(parsing: .unconditional, help: "Why: recorded and printed in the report.") var reason: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let decided = try store.openReplica().decideLateChanges(changes, verdict: .rejected, reason: reason, engagement: engagement.engagement)
            Terminal.print("Rejected \(decided.count) late change\(decided.count == 1 ? "" : "s"): \(decided.map(\.change).joined(separator: ", ")); they stay in the record, shown as rejected.")
        }
    }

    /// `fieldaudit engagement late`: list the changes that arrived after closing, with the lead's decisions.
    struct Late: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "late", abstract: "List the changes that arrived after the engagement was closed, with the lead's decisions.")
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            let (replica, record) = try engagement.open(store)
            let late = try replica.lateChanges(in: record, includingDecided: true)
            if output.json { return try Terminal.printJSON(late) }
            if record.engagement.status != .closed { return Terminal.print("The engagement is open: no change is late.") }
            if late.isEmpty { return Terminal.print("No late change.") }
            Terminal.print(Terminal.columns(
                ["change", "by", "written", "kind", "entity", "field", "value", "decision", "reason"],
                late.map { late in
                    [
                        late.change, late.author, Terminal.time(late.at, in: record.engagement.siteTime), late.kind, late.entity.short, late.field, late.value,
                        late.decision?.verdict?.rawValue ?? "awaiting", late.decision?.reason ?? "",
                    ]
                }))
        }
    }

    /// `fieldaudit engagement reopen`: reopen a closed engagement, with a reason.
    struct Reopen: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reopen", abstract: "Reopen a closed engagement so work can be recorded again (lead only); the reason is kept and reported.")
        @Option(parsing: .unconditional, help: "Why: recorded and printed in the report.") var reason: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let replica = try store.openReplica()
            let reopening = try replica.reopenEngagement(reason: reason, engagement: engagement.engagement)
            let siteTime = try replica.siteTime(engagement: engagement.engagement)
            Terminal.print("Reopened the engagement closed at \(reopening.closedAt.map { Terminal.time($0, in: siteTime) } ?? "?"); close it again with `fieldaudit engagement close`.")
        }
    }
}
