import AuditModel
import Foundation
import Replication

extension Replica {
    /// Adds a line to the audit plan: a session, an opening or closing meeting, or a Stage 1 open
    /// point. Lead only (`Roster`).
    ///
    /// The draft is checked (`PlanItem.Draft.writes(within:)`); its requirements against the
    /// engagement's catalog, with the catalog's message for an unknown one; its auditors against
    /// the team, by name.
    ///
    /// - Throws: `.model` for a malformed or incomplete draft or an unknown requirement;
    ///   `.invalidInput` for an auditor not on the team; `.engagementClosed`; `.refused` unless a lead.
    public func addPlanItem(_ draft: PlanItem.Draft, engagement reference: String?) throws(FieldAuditError) -> EntityID {
        let record = try capturing(in: reference, kinds: [.planItem])
        let writes = try checkedPlanWrites(draft, in: record)
        let id = makeEntityID()
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: id, kind: .planItem) }
        return id
    }

    /// Loads plan lines from CSV, in one transaction: every line is checked first, by the same
    /// rules as `addPlanItem`, and the first line refused is named.
    ///
    /// The columns, with a header line first: `kind,date,start,end,place,function,refs,auditors,attendees,point,follow_up`;
    /// lists are separated by `;`; a place of `remote` means a remote session.
    public func importPlan(from path: String, engagement reference: String?) throws(FieldAuditError) -> Int {
        let record = try capturing(in: reference, kinds: [.planItem])
        var items: [FieldWrites] = []
        let table = try CSVTable.read(path, schema: Self.planSchema)
        if let (line, reason) = table.malformed.first {
            throw .invalidInput(source: path, reason: "line \(line): \(reason); nothing was recorded")
        }
        for row in table.rows {
            let line = row.line
            do throws(FieldAuditError) {
                items.append(try checkedPlanWrites(try Self.planDraft(row), in: record))
            } catch {
                var reason = error.description.hasSuffix(".") ? String(error.description.dropLast()) : error.description
                if case let .invalidInput(_, inner) = error { reason = inner }
                throw .invalidInput(source: path, reason: "line \(line): \(reason)")
            }
        }
        try write(in: record.engagement.id) { writer in
            for writes in items { try writer.put(writes, entity: makeEntityID(), kind: .planItem) }
        }
        return items.count
    }

    /// Records how Stage 2 followed up a Stage 1 open point. Lead only.
    ///
    /// - Throws: `.notFound` unless `item` names a Stage 1 point of the plan; `.model` for empty text.
    public func followUp(planItem item: String, _ text: String, engagement reference: String?) throws(FieldAuditError) -> EntityID {
        let record = try capturing(in: reference, kinds: [.planItem])
        let id = try resolve(item, among: record.planItems.filter { $0.kind == .stage1 }.map(\.id), kind: "Stage 1 point")
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .model(.missing(field: "the follow-up text")) }
        try write(in: record.engagement.id) { writer in
            try writer.put([(PlanItem.Field.followUp.rawValue, .text(trimmed))], entity: id, kind: .planItem)
        }
        return id
    }

    /// Records the engagement-level facts of the plan and the next step: certification body,
    /// accreditation, certificate scope wording, distribution, confidentiality, proposed
    /// surveillance date. Lead only.
    public func setPlan(_ settings: PlanSettings, engagement reference: String?) throws(FieldAuditError) {
        let record = try capturing(in: reference)
        let writes = try validate { () throws(AuditModelError) in try settings.writes(for: record.engagement) }
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: record.engagement.id, kind: .engagement) }
    }

    /// The plan's sessions against what was done, days read in the engagement's time zone (the site's).
    public func planProgress(engagement reference: String?) throws(FieldAuditError) -> PlanProgress {
        let record = try record(of: try engagementID(reference))
        return PlanProgress(record, timeZone: record.engagement.siteTime.timeZone)
    }

    /// A draft's writes, its requirements checked against the catalog and its auditors against the team.
    private func checkedPlanWrites(_ draft: PlanItem.Draft, in record: EngagementRecord) throws(FieldAuditError) -> FieldWrites {
        var draft = draft
        draft.refs = try checkedRefs(draft.refs, in: record)
        let names = record.members.map(\.name)
        for auditor in draft.auditors where !names.contains(auditor) {
            throw .invalidInput(
                source: "the plan", reason: "the auditor '\(auditor)' is not on the team (\(names.joined(separator: ", "))); name an auditor as the team lists them, "
                    + "or add them first with `fieldaudit team add CARD`")
        }
        return try validate { () throws(AuditModelError) in try draft.writes(within: record.engagement) }
    }

    /// The columns of a plan CSV, read by header name (case, spaces, `_` and `-` ignored) as every
    /// CSV file is (`CSVTable`); lists in a cell are separated by `;`.
    public static let planSchema = CSVTable.Schema([
        .init("kind", synonyms: ["type", "item"], required: true),
        .init("date", synonyms: ["day"]),
        .init("start", synonyms: ["from", "start time"]),
        .init("end", synonyms: ["to", "end time"]),
        .init("place", synonyms: ["location", "where"]),
        .init("function", synonyms: ["auditee function", "department", "area"]),
        .init("refs", synonyms: ["requirements", "requirement", "clauses", "controls"]),
        .init("auditors", synonyms: ["auditor"]),
        .init("attendees", synonyms: ["participants"]),
        .init("point", synonyms: ["stage 1 point", "open point"]),
        .init("follow_up", synonyms: ["followup", "follow up action"]),
    ])

    /// A draft from one CSV row (`planSchema`'s columns).
    static func planDraft(_ row: CSVTable.Row) throws(FieldAuditError) -> PlanItem.Draft {
        let list = { (column: String) -> [String] in
            (row[column] ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        guard let kindText = row["kind"] else { throw .model(.missing(field: "the kind (session, opening, closing or stage1)")) }
        let kind: PlanItemKind
        do { kind = try PlanItemKind.parse(kindText) } catch { throw .model(error) }
        let remote = row["place"]?.lowercased() == "remote"
        return PlanItem.Draft(
            kind: kind, date: row["date"], start: row["start"], end: row["end"], place: remote ? nil : row["place"], remote: remote,
            function: row["function"], refs: list("refs"), auditors: list("auditors"), attendees: list("attendees"), point: row["point"],
            followUp: row["follow_up"])
    }
}
