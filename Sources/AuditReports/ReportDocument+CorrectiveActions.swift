import AuditModel
import Replication

/// The nonconformity register and the follow-up after the audit: each nonconformity's number,
/// grade and its justification, deadline, correction, root cause, corrective actions and the
/// verification of closure (ISO/IEC 17021-1 §9.4.9, §9.5.1).
extension ReportDocument.Builder {
    var correctiveActions: [Block] {
        let followUps = content.followUps
        guard !followUps.isEmpty else { return [.paragraph("No major or minor nonconformity was raised, so no corrective action is due.")] }
        let policy = engagement.policy
        let closed = followUps.filter { $0.state == .closed }.count
        let overdue = followUps.filter(\.isOverdue).count
        let actions = followUps.flatMap(\.actions)
        var blocks: [Block] = [
            .paragraph(
                "The certification body's policy for this engagement: a major nonconformity is to be closed within \(count(policy.majorDays, "day", plural: "days")), "
                    + "a minor one within \(count(policy.minorDays, "day", plural: "days")), counted from the closing day (while the engagement is open, from its last day on site). "
                    + "As of this report (\(content.time(content.context.generatedAt))): \(closed) of \(count(followUps.count, "nonconformity", plural: "nonconformities")) closed, \(overdue) overdue; "
                    + "\(count(actions.count, "corrective action")), \(actions.filter(\.isDone).count) done, "
                    + "\(followUps.reduce(0) { $0 + $1.overdueActions.count }) overdue."),
            .table(header: ["Nonconformity", "Grade", "Requirement", "Grade justification", "Deadline", "State", "Actions"], rows: followUps.map { item in
                let finding = item.finding
                return [
                    content.labels[finding.id] ?? finding.id.short,
                    content.text(of: finding.id, Finding.Field.grade.rawValue, winner: finding.grade?.rawValue) ?? "—",
                    finding.refs.map(content.shown).joined(separator: ", "),
                    content.text(of: finding.id, Finding.Field.gradeJustification.rawValue, winner: finding.gradeJustification) ?? "not recorded",
                    (item.deadline ?? "not set") + (item.isOverdue ? " (overdue)" : ""),
                    item.state.rawValue + (item.verificationDisputed ? " (verification in conflict)" : ""),
                    "\(item.actions.count) (\(item.actions.filter(\.isDone).count) done, \(item.overdueActions.count) overdue)",
                ]
            }),
        ]
        for item in followUps { blocks.append(followUp(item)) }
        return blocks
    }

    func followUp(_ item: NonconformityFollowUp) -> Block {
        typealias F = Finding.Field
        let finding = item.finding
        let label = content.labels[finding.id] ?? finding.id.short
        var blocks: [Block] = [.facts([
            Fact("Correction", content.text(of: finding.id, F.correction.rawValue, winner: finding.correction) ?? "not recorded"),
            Fact("Root cause", content.text(of: finding.id, F.rootCause.rawValue, winner: finding.rootCause) ?? "not recorded"),
            Fact("Verification of closure", content.text(of: finding.id, F.verification.rawValue, winner: finding.verification.map(verificationText)) ?? "not yet verified"),
        ])]
        if item.actions.isEmpty {
            blocks.append(.paragraph("No corrective-action plan is recorded yet."))
        } else {
            blocks.append(.table(header: ["Action", "Owner", "Due", "Done", "Evidence of implementation"], rows: item.actions.map { action in
                let text = { (field: CorrectiveAction.Field, winner: String?) in content.text(of: action.id, field.rawValue, winner: winner) }
                let files = record.evidence(linkedTo: action.id.description).map { "\($0.name), SHA-256 \($0.digest?.hex ?? "unknown")" }
                return [
                    text(.action, action.action) ?? "—", text(.owner, action.owner) ?? "—",
                    (text(.dueDate, action.dueDate) ?? "—") + (item.overdueActions.contains { $0.id == action.id } ? " (overdue)" : ""),
                    text(.doneOn, action.doneOn).map { done in done + (action.implementation.map { ": \($0)" } ?? "") } ?? "not yet",
                    files.isEmpty ? "none" : files.joined(separator: "\n"),
                ]
            }))
        }
        return .subsection(id: "follow-up-\(finding.id.short)", title: "\(label): follow-up", blocks: blocks)
    }

    func verificationText(_ verification: ClosureVerification) -> String {
        let who = (try? ReplicaID(hex: verification.by)).map(record.memberName) ?? verification.by
        let files = verification.evidence.compactMap { id in record.evidence.first { $0.id.description == id }?.name }
        return "\(verification.outcome.rawValue) by \(who) on \(content.time(verification.at)): \(verification.reason)"
            + (files.isEmpty ? "" : " (evidence examined: \(files.joined(separator: ", ")))")
    }
}
