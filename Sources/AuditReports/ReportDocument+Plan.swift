import AuditModel
import Replication

/// The audit plan section, and the closing history (late decisions, reopenings, signature) the
/// sign-off section adds.
extension ReportDocument.Builder {
    var plan: [Block] {
        var blocks: [Block] = []
        let facts = engagement.planFacts.compactMap { label, field, winner in self.field(field, winner).map { Fact(label, $0) } }
        blocks.append(facts.isEmpty
            ? .paragraph("No certification body, accreditation, certificate scope wording, distribution or confidentiality statement was recorded.")
            : .facts(facts))
        let items = record.planItems.sorted(by: PlanItem.planOrder)
        let scheduled = items.filter { $0.kind != .stage1 }
        if scheduled.isEmpty {
            blocks.append(.paragraph("No audit days, sessions or meetings were planned in the record."))
        } else {
            let text = { (item: PlanItem, field: PlanItem.Field, winner: String) in content.text(of: item.id, field.rawValue, winner: winner) ?? "" }
            blocks.append(.table(
                header: ["When", "What", "Where", "Auditee function", "Requirements", "Auditors", "Attendees"],
                rows: scheduled.map { item in
                    [
                        item.when, item.kind?.title ?? "—", item.whereabouts, text(item, .function, item.function ?? "—"),
                        text(item, .refs, item.refs.isEmpty ? "—" : item.refs.map(content.shown).joined(separator: ", ")),
                        text(item, .auditors, item.auditors.isEmpty ? "—" : item.auditors.joined(separator: ", ")),
                        text(item, .attendees, item.attendees.isEmpty ? "—" : item.attendees.joined(separator: ", ")),
                    ]
                }))
        }
        let points = items.filter { $0.kind == .stage1 }
        blocks.append(.subsection(id: "stage1", title: "Stage 1 open points and their follow-up", blocks: points.isEmpty
            ? [.paragraph("No open point of the Stage 1 report was recorded.")]
            : [.table(header: ["Stage 1 open point", "How Stage 2 followed it up"], rows: points.map { item in
                [
                    content.text(of: item.id, PlanItem.Field.point.rawValue, winner: item.point) ?? "—",
                    content.text(of: item.id, PlanItem.Field.followUp.rawValue, winner: item.followUp) ?? "not followed up in the record",
                ]
            })]))
        return blocks
    }

    /// Who signed the report and when, bound to the closing: the signature counts only while the
    /// engagement stays closed by the closing it was made with.
    var signature: String {
        guard let closing = content.closing else {
            if let last = record.reopenings.last {
                return "not signed: the lead reopened the engagement on \(content.time(last.reopenedAt)), withdrawing the signature of the closing of \(content.time(last.closedAt))"
            }
            return "not signed: the lead signs when closing the engagement"
        }
        guard let signer = engagement.signedBy, engagement.signedAt == closing.closedAt else {
            return "no signature was recorded with the closing of \(content.time(closing.closedAt))"
        }
        let name = (try? ReplicaID(hex: signer)).map(record.memberName) ?? signer
        return "signed by \(name), lead auditor, on \(content.time(engagement.signedAt)), closing the engagement"
    }

    /// The lead's decisions about late changes and the reopenings, as the sign-off section lists them.
    var closingHistory: [Block] {
        var blocks: [Block] = []
        let decisions = record.lateDecisions.sorted { ($0.decidedAt ?? 0, $0.change) < ($1.decidedAt ?? 0, $1.change) }
        if !decisions.isEmpty {
            blocks.append(.subsection(id: "late-decisions", title: "Changes after closing: the lead's decisions", blocks: [
                .paragraph("A rejected change stays in the record, as every change does; the lead did not take it into the conclusion, for the reason given."),
                .table(header: ["Change", "Decision", "Reason", "By", "When"], rows: decisions.map { decision in
                    [
                        decision.shortChange,
                        content.text(of: decision.id, LateDecision.Field.verdict.rawValue, winner: decision.verdict?.rawValue) ?? "—",
                        content.text(of: decision.id, LateDecision.Field.reason.rawValue, winner: decision.reason) ?? "—",
                        decision.decidedBy ?? "—", content.time(decision.decidedAt),
                    ]
                }),
            ]))
        }
        if !record.reopenings.isEmpty {
            blocks.append(.subsection(id: "reopenings", title: "Reopenings", blocks: [
                .table(header: ["Reopened", "By", "Reason", "Closing undone", "Recommendation then"], rows: record.reopenings.map { reopening in
                    [
                        content.time(reopening.reopenedAt), reopening.reopenedBy ?? "—", reopening.reason, content.time(reopening.closedAt),
                        reopening.recommendation?.title ?? "—",
                    ]
                }),
            ]))
        }
        return blocks
    }
}
