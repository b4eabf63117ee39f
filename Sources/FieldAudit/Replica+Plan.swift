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
        for (number, row) in try Self.planRows(path).enumerated() {
            let line = number + 2
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

    /// The plan's sessions against what was done, days read in `timeZone` (the site's).
    public func planProgress(engagement reference: String?, timeZone: TimeZone = .current) throws(FieldAuditError) -> PlanProgress {
        PlanProgress(try record(of: try engagementID(reference)), timeZone: timeZone)
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

    /// The rows of a plan CSV after its header: the one place the plan's CSV is read, so it can
    /// move to reading by header with the other CSV files.
    static func planRows(_ path: String) throws(FieldAuditError) -> [[String]] {
        try CSVFile.read(path)
    }

    /// A draft from one CSV row (`importPlan`'s columns).
    static func planDraft(_ row: [String]) throws(FieldAuditError) -> PlanItem.Draft {
        let column = { (index: Int) -> String? in index < row.count && !row[index].isEmpty ? row[index] : nil }
        let list = { (index: Int) -> [String] in
            (column(index) ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        guard let kindText = column(0) else { throw .model(.missing(field: "the kind (session, opening, closing or stage1)")) }
        let kind: PlanItemKind
        do { kind = try PlanItemKind.parse(kindText) } catch { throw .model(error) }
        let remote = column(4)?.lowercased() == "remote"
        return PlanItem.Draft(
            kind: kind, date: column(1), start: column(2), end: column(3), place: remote ? nil : column(4), remote: remote,
            function: column(5), refs: list(6), auditors: list(7), attendees: list(8), point: column(9), followUp: column(10))
    }
}
