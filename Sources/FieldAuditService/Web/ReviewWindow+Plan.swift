import AuditModel
import FieldAudit
import Foundation
import Replication

/// The audit plan on the overview page and each nonconformity's register entry and follow-up on
/// the findings page, as template values. Every text is a plain string: the templates escape it by
/// the report's one HTML rule. A field in conflict shows every value, marked.
extension ReviewWindow {
    /// A field's text, or every value when it is in conflict.
    static func shown(_ record: EngagementRecord, _ entity: EntityID, _ field: String, _ winner: String?) -> String? {
        if let values = record.conflictingTexts(of: entity, field) { return "\(values.joined(separator: " / ")) (in conflict)" }
        return winner
    }

    /// The plan: the engagement's plan facts, the sessions and meetings with their progress, and
    /// the Stage 1 points with their follow-up.
    static func planValues(_ record: EngagementRecord) -> [String: Any] {
        let engagement = record.engagement
        let facts: [[String: Any]] = engagement.planFacts.map { label, field, value in
            ["label": label, "value": shown(record, engagement.id, field.rawValue, value) ?? value]
        }
        let progress = PlanProgress(record, timeZone: engagement.siteTime.timeZone)
        let lines = Dictionary(progress.lines.map { ($0.item.id, $0) }, uniquingKeysWith: { first, _ in first })
        let items = record.planItems.sorted(by: PlanItem.planOrder)
        let text = { (item: PlanItem, field: PlanItem.Field, winner: String?) in shown(record, item.id, field.rawValue, winner) }
        let zone = engagement.siteTime.description
        let sessions: [[String: Any]] = items.filter { $0.kind != .stage1 }.map { item in
            let line = lines[item.id]
            let state = line.map { line in
                line.state.rawValue + (line.missing.isEmpty ? "" : "; not yet: \(line.missing.joined(separator: ", "))")
            } ?? "—"
            return [
                "when": item.when.isEmpty ? "—" : "\(item.when) (\(zone))", "what": item.kind?.title ?? "—",
                "where": text(item, .place, item.whereabouts) ?? item.whereabouts,
                "function": text(item, .function, item.function) ?? "—",
                "refs": text(item, .refs, item.refs.isEmpty ? nil : item.refs.joined(separator: ", ")) ?? "—",
                "auditors": text(item, .auditors, item.auditors.isEmpty ? nil : item.auditors.joined(separator: ", ")) ?? "—",
                "attendees": text(item, .attendees, item.attendees.isEmpty ? nil : item.attendees.joined(separator: ", ")) ?? "—",
                "progress": state,
            ]
        }
        let points: [[String: Any]] = items.filter { $0.kind == .stage1 }.map { item in
            [
                "point": text(item, .point, item.point) ?? "—",
                "followUp": text(item, .followUp, item.followUp) ?? "not followed up in the record",
            ]
        }
        return [
            "planFacts": facts, "hasPlanFacts": !facts.isEmpty, "sessions": sessions, "hasSessions": !sessions.isEmpty,
            "stage1": points, "hasStage1": !points.isEmpty,
            "hasPlan": !facts.isEmpty || !sessions.isEmpty || !points.isEmpty,
        ]
    }

    /// A finding's register entry: its number, grade justification, sign-off state, the findings
    /// merged into it and, for a major or minor nonconformity, its follow-up read on `today`.
    static func nonconformityValues(_ finding: Finding, in record: EngagementRecord, today: String) -> [String: Any] {
        typealias F = Finding.Field
        let time = record.engagement.siteTime
        let label = record.nonconformityLabel(of: finding.id)
        let merged: [String] = finding.mergedFrom.map { id in
            let source = record.mergedFindings.first { $0.id == id }
            let name = record.nonconformityLabel(of: id).map { "\($0) (\(id.short))" } ?? "finding \(id.short)"
            return "\(name) merged into \(label ?? finding.id.short), raised by \(source?.raisedBy ?? "—")" + (source?.mergeReason.map { ": \($0)" } ?? "")
        }
        var values: [String: Any] = [
            "label": label ?? "", "hasLabel": label != nil,
            "justification": shown(record, finding.id, F.gradeJustification.rawValue, finding.gradeJustification) ?? "not recorded",
            "signOff": record.signOffSummary(of: finding) { time.dateTime($0) },
            "changedSinceSignOff": { if case .changedSinceSignOff = finding.signOffState { return true } else { return false } }(),
            "merged": merged, "hasMerged": !merged.isEmpty, "isNonconformity": false,
        ]
        guard finding.grade?.isNonconformity == true else { return values }
        let item = NonconformityFollowUp(finding, in: record, today: today)
        let actions: [[String: Any]] = item.actions.map { action in
            let text = { (field: CorrectiveAction.Field, winner: String?) in shown(record, action.id, field.rawValue, winner) }
            let overdue = item.overdueActions.contains { $0.id == action.id }
            return [
                "action": text(.action, action.action) ?? "—", "owner": text(.owner, action.owner) ?? "—",
                "due": text(.dueDate, action.dueDate) ?? "—", "overdue": overdue,
                "done": text(.doneOn, action.doneOn).map { done in done + (action.implementation.map { ": \($0)" } ?? "") } ?? "not yet",
            ]
        }
        let verification = finding.verification.map { verification -> String in
            let who = (try? ReplicaID(hex: verification.by)).map(record.memberName) ?? verification.by
            let files = verification.evidence.compactMap { id in record.evidence.first { $0.id.description == id }?.name }
            return "\(verification.outcome.rawValue) by \(who) on \(time.dateTime(verification.at)): \(verification.reason)"
                + (files.isEmpty ? "" : " (evidence examined: \(files.joined(separator: ", ")))")
        }
        values["isNonconformity"] = true
        values["deadline"] = (item.deadline ?? "not set") + (item.isOverdue ? " (overdue)" : "")
        values["state"] = item.state.rawValue + (item.verificationDisputed ? " (verification in conflict)" : "")
        values["correction"] = shown(record, finding.id, F.correction.rawValue, finding.correction) ?? "not recorded"
        values["rootCause"] = shown(record, finding.id, F.rootCause.rawValue, finding.rootCause) ?? "not recorded"
        values["verification"] = shown(record, finding.id, F.verification.rawValue, verification) ?? "not yet verified"
        values["actions"] = actions
        values["hasActions"] = !actions.isEmpty
        return values
    }
}
