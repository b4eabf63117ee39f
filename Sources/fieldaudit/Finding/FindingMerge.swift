import ArgumentParser
import FieldAudit

extension FieldAuditCommand.FindingCommand {
    /// `fieldaudit finding merge`: one finding from several auditors' observations (lead only).
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Merge findings into one (lead only): the kept finding gains the others' evidence, requirements, AI systems and authors.",
            discussion: """
                The merged findings are not deleted: they keep their fields, history and numbers, are listed with \
                `finding list --merged`, and are no longer counted or reported on their own. Edits made to them later \
                still show on the kept finding. A merge voids the kept finding's sign-off, if any.
                """)
        @Argument(help: "The finding kept (id, prefix, or its number: NC-01).") var keep: String
        @Argument(help: "The findings merged into it.") var others: [String]
        @Option(parsing: .unconditional, help: "Why they are one finding.") var reason: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let merge = try store.openReplica().mergeFindings(keep: keep, others: others, reason: reason, engagement: engagement.engagement)
            let name = { (id: EntityID) in merge.labels[id].map { "\($0) (\(id.short))" } ?? id.short }
            for finding in merge.merged {
                Terminal.print("Merged finding \(name(finding.id)) into \(name(merge.kept.id)).")
            }
            Terminal.print("Finding \(name(merge.kept.id)) now rests on the observations of \(Terminal.shown(merge.kept.contributors.joined(separator: ", ")))"
                + " and covers \(Terminal.shown(merge.kept.refs.joined(separator: ", "))).")
            let severity = { (grade: FindingGrade?) in grade.flatMap { FindingGrade.allCases.firstIndex(of: $0) } ?? FindingGrade.allCases.count }
            for finding in merge.merged where severity(finding.grade) < severity(merge.kept.grade) {
                Terminal.print("Note: \(name(finding.id)) was graded \(finding.grade?.rawValue ?? "?"), and \(name(merge.kept.id)) stays \(merge.kept.grade?.rawValue ?? "ungraded"):"
                    + " regrade it with `fieldaudit finding edit \(merge.labels[merge.kept.id] ?? merge.kept.id.short) --grade \(finding.grade?.rawValue ?? "?")` if the merged grade should stand.")
            }
                        if case .changedSinceSignOff = merge.kept.signOffState {
                Terminal.print("Its sign-off no longer stands: sign it off again with `fieldaudit finding sign-off \(merge.labels[merge.kept.id] ?? merge.kept.id.short)`.")
            }
        }
    }
}
