import AuditModel
import Foundation
import Replication

extension Replica {
    /// Declares one Statement of Applicability entry for an Annex A control (or any catalog requirement).
    public func setApplicability(
        ref: String, applicable: Bool?, justification: String?, status: ImplementationStatus?, engagement reference: String?
    ) throws(FieldAuditError) -> EntityID {
        let record = try capturing(in: reference, kinds: [.soa])
        let (requirement, writes) = try validate { () throws(AuditModelError) in
            let requirement = try record.catalog.check(ref)
            return (requirement, try ApplicabilityStatement.checkedWrites(
                for: requirement, in: record.catalog, applicable: applicable, justification: justification, status: status,
                existing: record.applicability(of: requirement.ref)))
        }
        let id = ApplicabilityStatement.id(engagement: record.engagement.id, ref: requirement.ref)
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: id, kind: .soa) }
        return id
    }

    /// Loads a Statement of Applicability from CSV (`ref,applicable,justification,status`, a header
    /// line first) in one transaction: every line is checked before anything is written, by the
    /// same rules as `setApplicability`, and the first line refused is named.
    public func importApplicability(from path: String, engagement reference: String?) throws(FieldAuditError) -> Int {
        let record = try capturing(in: reference, kinds: [.soa])
        let rows = try CSVFile.read(path)
        var entries: [(EntityID, FieldWrites)] = []
        for (number, row) in rows.enumerated() {
            let line = number + 2
            guard row.count >= 2 else { throw .invalidInput(source: path, reason: "line \(line) needs at least ref and applicable") }
            let applicable = try parseYesNo(row[1], path: path, line: line)
            let justification = row.count > 2 && !row[2].isEmpty ? row[2] : nil
            do throws(AuditModelError) {
                let requirement = try record.catalog.check(row[0])
                let status = try row.count > 3 && !row[3].isEmpty ? ImplementationStatus.parse(row[3]) : nil
                entries.append((
                    ApplicabilityStatement.id(engagement: record.engagement.id, ref: requirement.ref),
                    try ApplicabilityStatement.checkedWrites(
                        for: requirement, in: record.catalog, applicable: applicable, justification: justification, status: status,
                        existing: record.applicability(of: requirement.ref))))
            } catch {
                let reason = error.description.hasSuffix(".") ? String(error.description.dropLast()) : error.description
                throw .invalidInput(source: path, reason: "line \(line) (\(row[0])): \(reason)")
            }
        }
        try write(in: record.engagement.id) { writer in
            for (id, writes) in entries { try writer.put(writes, entity: id, kind: .soa) }
        }
        return entries.count
    }

    /// Adds an AI system to the engagement's inventory.
    public func addSystem(
        name: String, purpose: String?, role: AISystemRole, riskClass: RiskClass, engagement reference: String?
    ) throws(FieldAuditError) -> EntityID {
        let record = try capturing(in: reference)
        let writes = try validate { () throws(AuditModelError) in try AISystem.writes(name: name, purpose: purpose, role: role, riskClass: riskClass) }
        let id = makeEntityID()
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: id, kind: .system) }
        return id
    }

    /// Loads an AI-system inventory from CSV (`name,purpose,role,risk`, a header line first).
    public func importSystems(from path: String, engagement reference: String?) throws(FieldAuditError) -> Int {
        let record = try capturing(in: reference)
        var systems: [FieldWrites] = []
        for (number, row) in try CSVFile.read(path).enumerated() {
            guard row.count >= 4 else { throw .invalidInput(source: path, reason: "line \(number + 2) needs name, purpose, role and risk") }
            systems.append(try validate { () throws(AuditModelError) in
                try AISystem.writes(
                    name: row[0], purpose: row[1].isEmpty ? nil : row[1], role: try AISystemRole.parse(row[2]),
                    riskClass: try RiskClass.parse(row[3]))
            })
        }
        try write(in: record.engagement.id) { writer in
            for writes in systems { try writer.put(writes, entity: makeEntityID(), kind: .system) }
        }
        return systems.count
    }

    /// Resolves AI-system ids or unique prefixes, or names, among the engagement's systems.
    func systemIDs(_ references: [String], in record: EngagementRecord) throws(FieldAuditError) -> [EntityID] {
        var ids: [EntityID] = []
        for reference in references {
            if let byName = record.systems.first(where: { $0.name.caseInsensitiveCompare(reference) == .orderedSame }) {
                ids.append(byName.id)
            } else {
                ids.append(try resolve(reference, among: record.systems.map(\.id), kind: "system"))
            }
        }
        return ids
    }

    private func parseYesNo(_ text: String, path: String, line: Int) throws(FieldAuditError) -> Bool {
        switch text.lowercased() {
        case "yes", "y", "true", "1": return true
        case "no", "n", "false", "0": return false
        default: throw .invalidInput(source: path, reason: "line \(line): applicable must be yes or no, not '\(text)'")
        }
    }
}

/// A small RFC 4180 CSV reader for the auditee's files (Statement of Applicability, inventories).
enum CSVFile {
    /// The rows after the header line, each a list of fields.
    static func read(_ path: String) throws(FieldAuditError) -> [[String]] {
        Array(parse(try InputFile.text(of: path)).dropFirst())
    }

    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var characters = text.makeIterator()
        while let character = characters.next() {
            if quoted {
                if character == "\"" {
                    if let next = characters.next() {
                        if next == "\"" { field.append("\"") } else {
                            quoted = false
                            if next == "," { row.append(field); field = "" } else if next.isNewline { row.append(field); rows.append(row); row = []; field = "" } else { field.append(next) }
                        }
                    } else { quoted = false }
                } else { field.append(character) }
            } else if character == "\"" && field.isEmpty {
                quoted = true
            } else if character == "," {
                row.append(field); field = ""
            } else if character.isNewline {
                row.append(field); rows.append(row); row = []; field = ""
            } else {
                field.append(character)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows.filter { $0 != [""] }.map { $0.map { $0.trimmingCharacters(in: .whitespaces) } }
    }
}
