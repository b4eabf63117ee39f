import AuditModel
import Replication

/// Before the numbered sections: the report's identity and status, then the alerts no reader may
/// miss (open conflicts, changes after closing).
extension ReportDocument.Builder {
    var front: [Block] {
        var blocks: [Block] = [.facts([
            record.standards.isIntegrated
                ? Fact("Standards", record.standards.catalogs.indices.map { "\(record.standards.prefixes[$0]): \(record.standards.heading(of: $0))" }.joined(separator: "\n"))
                : Fact("Standard", record.catalog.title.hasPrefix(record.catalog.displayName)
                    ? record.catalog.title : "\(record.catalog.displayName) — \(record.catalog.title)"),
            Fact("Engagement", engagement.id.description),
            Fact("Report status", status),
            Fact("Generated", "\(content.time(content.context.generatedAt)) by \(content.context.generator)"),
            Fact("Time zone", "times are the site's: \(content.siteTime.name(at: content.context.generatedAt))"),
        ])]
        let conflicts = content.conflicts
        if !conflicts.isEmpty {
            blocks.append(alert(
                "Open conflicts: \(count(conflicts.count, "field")) with unresolved concurrent values",
                "Auditors recorded different values for the fields below without seeing each other's, and nobody has chosen between them yet. "
                    + "This report takes no side: it shows every value, here and wherever the field appears further on. "
                    + "The lead settles each one with `fieldaudit conflicts` and `fieldaudit resolve` before the report is final.",
                header: ["Item", "Field", "Values (author, time)"],
                rows: conflicts.map { line in
                    [line.subject, line.field, line.values.map { "“\($0.text)” (\($0.author), \($0.at))" }.joined(separator: "\n")]
                }))
        }
        let late = content.lateLines
        if !late.isEmpty {
            blocks.append(alert(
                "Changes after closing: \(count(late.count, "change")) awaiting the lead's decision",
                "These changes reached this replica after the lead closed the engagement; they were written by auditors who had not yet learned of the closing, or after it. "
                    + "They are kept, never dropped, and the rest of this report takes them into account, but the conclusion and recommendation the lead recorded were frozen without them. "
                    + "The lead reviews them (`fieldaudit engagement late`) and accepts or rejects each: `fieldaudit engagement accept-late CHANGE`, `fieldaudit engagement reject-late CHANGE --reason TEXT`.",
                header: ["Change", "Item", "Field", "Value", "By", "Written"],
                rows: late.map { [$0.change, $0.subject, $0.field, $0.value, $0.author, $0.at] }))
        }
        return blocks
    }

    /// An alert: its title, a paragraph saying what happened and what the lead does about it, then
    /// the table of what it concerns.
    func alert(_ title: String, _ explanation: String, header: [String], rows: [[String]]) -> Block {
        .alert(title: title, blocks: [.paragraph(explanation), .table(header: header, rows: rows)])
    }

    /// The running header of every printed page, from the same facts as the report's status.
    var runningHeader: ReportDocument.RunningHeader {
        let dates = [engagement.startDate, engagement.endDate].compactMap { $0 }
        let when = Set(dates).count <= 1 ? dates.first : "\(dates[0]) to \(dates[1])"
        let audit = [engagement.auditType?.title ?? "Audit", when].compactMap { $0 }.joined(separator: " ")
        let parts = [field(.client, engagement.client) ?? "—", audit, "engagement \(engagement.id.short)"]
        guard let closing = content.closing else {
            return .init(engagement: parts.joined(separator: " · "), status: "DRAFT: engagement open, not final", isDraft: true)
        }
        let late = content.context.lateChanges.count
        let closed = String(content.time(closing.closedAt).prefix(10))
        return .init(
            engagement: parts.joined(separator: " · "),
            status: "FINAL: closed \(closed)" + (late == 0 ? "" : ", \(count(late, "late change")) not accepted"), isDraft: false)
    }

    var status: String {
        guard let closing = content.closing else {
            return "Draft: the engagement is open, so findings and the recommendation may still change"
        }
        let late = content.context.lateChanges.count
        return "Final: the lead closed the engagement on \(content.time(closing.closedAt))"
            + (late == 0 ? "" : ", and \(count(late, "change")) arrived later that the lead has not accepted")
    }
}
