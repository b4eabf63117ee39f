import AuditModel
import Foundation
import Replication

extension Replica {
    /// Declares one Statement of Applicability entry for an Annex A control (or any catalog requirement).
    ///
    /// In an integrated audit each standard has its own Statement of Applicability: `standard`
    /// (a prefix or catalog id) or a qualified `ref` (`27001:A.5.1`) says whose.
    public func setApplicability(
        ref: String, standard: String? = nil, applicable: Bool?, justification: String?, status: ImplementationStatus?, engagement reference: String?
    ) throws(FieldAuditError) -> EntityID {
        let record = try capturing(in: reference, kinds: [.soa])
        let requirement = try requirement(ref, standard: standard, in: record)
        let writes = try validate { () throws(AuditModelError) in
            try ApplicabilityStatement.checkedWrites(
                for: requirement.requirement, in: record.standards.catalogs[requirement.standard], storedAs: requirement.stored,
                applicable: applicable, justification: justification, status: status, existing: record.applicability(of: requirement.stored))
        }
        let id = ApplicabilityStatement.id(engagement: record.engagement.id, ref: requirement.stored)
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: id, kind: .soa) }
        return id
    }

    /// Loads a Statement of Applicability from a CSV table (`CSVTable.Schema.applicability`),
    /// by the same rules as `setApplicability`. A control's entry is its identity: a row for a
    /// control already declared updates only the fields that differ, and an identical row
    /// changes nothing. Every row is checked before anything is written; if any is refused,
    /// nothing is written unless `skipBadRows`, and the report says which and why.
    ///
    /// - Throws: what `CSVTable.read` throws for a file that is not a usable table; rows are
    ///   refused in the report, not thrown.
    ///
    /// In an integrated audit a `standard` column (a prefix or catalog id), else `standard`, else a
    /// qualified ref says whose Statement of Applicability a row belongs to.
    public func importApplicability(
        from path: String, standard: String? = nil, skipBadRows: Bool = false, engagement reference: String?
    ) throws(FieldAuditError) -> CSVImportReport {
        let record = try capturing(in: reference, kinds: [.soa])
        let table = try CSVTable.read(path, schema: .applicability)
        var plan = ImportPlan(table)
        var seen: [String: Int] = [:]
        for row in table.rows {
            let label = row["ref"] ?? ""
            do throws(FieldAuditError) {
                guard let ref = row["ref"] else { throw .model(.missing(field: "ref")) }
                guard let applicableText = row["applicable"] else { throw .model(.missing(field: "applicable")) }
                let applicable = try Self.parseYesNo(applicableText)
                let status = try validate { () throws(AuditModelError) in try row["status"].map(ImplementationStatus.parse) }
                let reference = try requirement(ref, standard: row["standard"] ?? standard, in: record)
                if let first = seen[reference.stored] { throw .invalidInput(source: path, reason: "line \(first) declares \(reference.shown) already") }
                seen[reference.stored] = row.line
                let existing = record.applicability(of: reference.stored)
                let writes = try validate { () throws(AuditModelError) in
                    try ApplicabilityStatement.checkedWrites(
                        for: reference.requirement, in: record.standards.catalogs[reference.standard], storedAs: reference.stored,
                        applicable: applicable, justification: row["justification"], status: status, existing: existing)
                }
                let id = ApplicabilityStatement.id(engagement: record.engagement.id, ref: reference.stored)
                let current: [String: Value]? = existing.map { entry in
                    ApplicabilityStatement.writes(
                        ref: entry.ref, applicable: entry.applicable, justification: entry.justification, status: entry.status
                    ).reduce(into: [:]) { $0[$1.field] = $1.value }
                }
                plan.add(row.line, label, id: id, writes: writes, existing: current)
            } catch {
                plan.refuse(row.line, label, error)
            }
        }
        return try apply(plan, kind: .soa, skipBadRows: skipBadRows, in: record.engagement.id)
    }

    /// Adds an AI system to the engagement's inventory.
    ///
    /// - Throws: `.invalidInput` when the inventory names a system so already (names are
    ///   compared ignoring case and spaces: a system's name is its identity).
    public func addSystem(
        name: String, purpose: String?, role: AISystemRole, riskClass: RiskClass, engagement reference: String?
    ) throws(FieldAuditError) -> EntityID {
        let record = try capturing(in: reference, kinds: [.system])
        if let existing = record.systems.first(where: { AISystem.identity(of: $0.name) == AISystem.identity(of: name) }) {
            throw .invalidInput(
                source: "--name \(name)",
                reason: "the inventory has a system named \(existing.name) already (\(existing.id.short)), and names are compared ignoring case and spaces; update it with `fieldaudit system import`, or delete it first (`fieldaudit system delete \(existing.id.short) --reason …`)")
        }
        let writes = try validate { () throws(AuditModelError) in try AISystem.writes(name: name, purpose: purpose, role: role, riskClass: riskClass) }
        let id = makeEntityID()
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: id, kind: .system) }
        return id
    }

    /// Loads an AI-system inventory from a CSV table (`CSVTable.Schema.systems`). A system's
    /// identity is its name in the engagement, ignoring case and spaces: a row naming a system
    /// already recorded updates only the fields that differ (an empty purpose leaves the
    /// recorded one), and an identical row changes nothing. Every row is checked before
    /// anything is written; if any is refused, nothing is written unless `skipBadRows`.
    ///
    /// - Throws: what `CSVTable.read` throws for a file that is not a usable table.
    public func importSystems(from path: String, skipBadRows: Bool = false, engagement reference: String?) throws(FieldAuditError) -> CSVImportReport {
        let record = try capturing(in: reference, kinds: [.system])
        let table = try CSVTable.read(path, schema: .systems)
        var plan = ImportPlan(table)
        var seen: [String: Int] = [:]
        for row in table.rows {
            let label = row["name"] ?? ""
            do throws(FieldAuditError) {
                guard let name = row["name"] else { throw .model(.missing(field: "system name")) }
                let key = AISystem.identity(of: name)
                if let first = seen[key] { throw .invalidInput(source: path, reason: "line \(first) names this system already") }
                seen[key] = row.line
                guard let roleText = row["role"] else { throw .model(.missing(field: "role (\(AISystemRole.allCases.map(\.rawValue).joined(separator: ", ")))")) }
                guard let riskText = row["risk"] else { throw .model(.missing(field: "risk (\(RiskClass.allCases.map(\.rawValue).joined(separator: ", ")))")) }
                let writes = try validate { () throws(AuditModelError) in
                    try AISystem.writes(name: name, purpose: row["purpose"], role: try AISystemRole.parse(roleText), riskClass: try RiskClass.parse(riskText))
                }
                let existing = record.systems.first { AISystem.identity(of: $0.name) == key }
                let current: [String: Value]? = existing.map { system in
                    var fields: [String: Value] = [AISystem.Field.name.rawValue: .text(system.name)]
                    fields[AISystem.Field.purpose.rawValue] = system.purpose.map(Value.text)
                    fields[AISystem.Field.role.rawValue] = system.role.map { .text($0.rawValue) }
                    fields[AISystem.Field.riskClass.rawValue] = system.riskClass.map { .text($0.rawValue) }
                    return fields
                }
                plan.add(
                    row.line, label, id: existing?.id ?? makeEntityID(), writes: writes, existing: current,
                    columns: [AISystem.Field.riskClass.rawValue: "risk"])
            } catch {
                plan.refuse(row.line, label, error)
            }
        }
        return try apply(plan, kind: .system, skipBadRows: skipBadRows, in: record.engagement.id)
    }

    /// Writes the rows of an import plan that change something, in one transaction, unless a
    /// row was refused and bad rows are not to be skipped.
    private func apply(_ plan: ImportPlan, kind: EntityKind, skipBadRows: Bool, in engagement: EntityID) throws(FieldAuditError) -> CSVImportReport {
        let recording = plan.refusedAny == false || skipBadRows
        if recording, !plan.writes.isEmpty {
            try write(in: engagement) { writer in
                for (id, writes) in plan.writes { try writer.put(writes, entity: id, kind: kind) }
            }
        }
        return CSVImportReport(path: plan.path, lines: plan.sortedLines, ignoredColumns: plan.ignoredColumns, recorded: recording)
    }

    /// Resolves AI-system ids or unique prefixes, or names, among the engagement's systems.
    func systemIDs(_ references: [String], in record: EngagementRecord) throws(FieldAuditError) -> [EntityID] {
        var ids: [EntityID] = []
        for reference in references {
            if let byName = record.systems.first(where: { AISystem.identity(of: $0.name) == AISystem.identity(of: reference) }) {
                ids.append(byName.id)
            } else {
                ids.append(try resolve(reference, among: record.systems.map(\.id), kind: "system"))
            }
        }
        return ids
    }

    /// `yes` or `no` as the Statement of Applicability writes it (also `y`, `true`, `1`, `x`, …).
    private static func parseYesNo(_ text: String) throws(FieldAuditError) -> Bool {
        switch text.lowercased() {
        case "yes", "y", "true", "1", "x", "applicable", "included": return true
        case "no", "n", "false", "0", "not applicable", "excluded": return false
        default: throw .model(.invalidChoice(text, field: "applicable value", valid: ["yes", "no"]))
        }
    }
}

/// The rows of a CSV import, checked, before anything is written: what each row would do.
struct ImportPlan {
    let path: String
    let ignoredColumns: [String]
    private(set) var lines: [CSVImportReport.Line] = []
    private(set) var writes: [(EntityID, FieldWrites)] = []
    private(set) var refusedAny = false

    init(_ table: CSVTable) {
        path = table.path
        ignoredColumns = table.ignoredColumns
        lines = table.blankLines.map { .init(line: $0, label: "", outcome: .skipped("blank")) }
            + table.malformed.map { .init(line: $0.line, label: "", outcome: .refused($0.reason)) }
        refusedAny = !table.malformed.isEmpty
    }

    /// Every row's line, in file order.
    var sortedLines: [CSVImportReport.Line] {
        lines.sorted { $0.line < $1.line }
    }

    /// A checked row: new when `existing` is `nil` (all of `writes` recorded), else only the
    /// fields whose value differs from `existing` (the recorded winning values).
    /// `columns` names a field by its column where the two differ (`riskClass`: `risk`).
    mutating func add(
        _ line: Int, _ label: String, id: EntityID, writes: FieldWrites, existing: [String: Value]?, columns: [String: String] = [:]
    ) {
        guard let existing else {
            self.writes.append((id, writes))
            lines.append(.init(line: line, label: label, outcome: .added))
            return
        }
        var changed: FieldWrites = []
        var said: [String] = []
        for (field, value) in writes {
            guard existing[field] != value else { continue }
            changed.append((field, value))
            said.append("\(columns[field] ?? field): \(existing[field].map { Self.text($0, field) } ?? "—") → \(Self.text(value, field))")
        }
        if changed.isEmpty {
            lines.append(.init(line: line, label: label, outcome: .unchanged))
        } else {
            self.writes.append((id, changed))
            lines.append(.init(line: line, label: label, outcome: .updated(said)))
        }
    }

    /// A row refused, and why.
    mutating func refuse(_ line: Int, _ label: String, _ error: FieldAuditError) {
        refusedAny = true
        let reason: String = switch error {
        case let .invalidInput(_, reason): reason
        case let .model(error): error.description.hasSuffix(".") ? String(error.description.dropLast()) : error.description
        default: error.description
        }
        lines.append(.init(line: line, label: label, outcome: .refused(reason)))
    }

    /// A field value as the text compared with what is recorded.
    private static func text(_ value: Value, _ field: String) -> String {
        if field == ApplicabilityStatement.Field.applicable.rawValue { return value.isTrue ? "yes" : "no" }
        return value.text ?? value.description
    }
}

extension CSVTable.Schema {
    /// The Statement of Applicability's columns: `ref` and `applicable` required.
    public static let applicability = CSVTable.Schema([
        .init("ref", synonyms: ["control", "reference", "requirement", "annex a control", "control id", "id"], required: true),
        .init("applicable", synonyms: ["applies", "applicability", "included", "in scope"], required: true),
        .init("justification", synonyms: ["reason", "justification for inclusion", "justification for exclusion", "rationale"]),
        .init("status", synonyms: ["implementation status", "implementation", "implemented"]),
        .init("standard", synonyms: ["framework", "catalog"]),
    ])

    /// The AI-system inventory's columns: `name`, `role` and `risk` required.
    public static let systems = CSVTable.Schema([
        .init("name", synonyms: ["system", "system name", "ai system", "ai system name"], required: true),
        .init("purpose", synonyms: ["intended purpose", "description", "use"]),
        .init("role", synonyms: ["organisation role", "organization role", "ai role", "our role", "operator role"], required: true),
        .init("risk", synonyms: ["risk class", "risk level", "risk category", "eu ai act risk class", "eu ai act risk"], required: true),
    ])
}
