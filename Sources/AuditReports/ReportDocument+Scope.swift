import AuditModel
import Replication

/// Sections 1–3: the audit (client, type, objectives, dates, places), its scope with the AI-system
/// inventory, and its criteria with the Statement of Applicability's exclusions.
extension ReportDocument.Builder {
    var audit: [Block] {
        let dates = [engagement.startDate, engagement.endDate].compactMap { $0 }
        let datesText = Set(dates).count <= 1 ? (dates.first ?? "—") : "\(dates[0]) to \(dates[1])"
        return [.facts([
            Fact("Client", field(.client, engagement.client) ?? "—"),
            Fact("Address", field(.address, engagement.address) ?? "—"),
            Fact("Audit type", field(.auditType, engagement.auditType?.title) ?? "—"),
            Fact("Objectives", field(.objectives, engagement.objectives) ?? "—"),
            Fact("Criteria", field(.criteria, engagement.criteria) ?? record.catalog.displayName),
            Fact("Dates", engagement.conflicts.contains(Engagement.Field.startDate.rawValue) || engagement.conflicts.contains(Engagement.Field.endDate.rawValue)
                ? "from \(field(.startDate, engagement.startDate) ?? "—") to \(field(.endDate, engagement.endDate) ?? "—")" : datesText),
            Fact("Places", field(.sites, engagement.sites.isEmpty ? nil : engagement.sites.joined(separator: "; ")) ?? "—"),
        ])]
    }

    var scope: [Block] {
        var blocks: [Block] = [.paragraph(field(.scope, engagement.scope) ?? "No scope statement was recorded.")]
        if !engagement.sites.isEmpty || engagement.conflicts.contains(Engagement.Field.sites.rawValue) {
            blocks.append(.facts([Fact("Sites", field(.sites, engagement.sites.joined(separator: "; ")) ?? "—")]))
        }
        if content.systems.isEmpty {
            blocks.append(.paragraph("No AI system was recorded in the inventory."))
        } else {
            blocks.append(.subsection(id: nil, title: "AI systems", blocks: [
                .table(
                    header: ["AI system", "Purpose", "Organisation's role", "EU AI Act risk class"],
                    rows: content.systems.map { system in
                        [
                            content.text(of: system.id, AISystem.Field.name.rawValue, winner: system.name) ?? system.name,
                            content.text(of: system.id, AISystem.Field.purpose.rawValue, winner: system.purpose) ?? "—",
                            content.text(of: system.id, AISystem.Field.role.rawValue, winner: system.role?.rawValue) ?? "—",
                            content.text(of: system.id, AISystem.Field.riskClass.rawValue, winner: system.riskClass?.rawValue) ?? "—",
                        ]
                    }),
                .paragraph("The organisation's AI roles: " + content.aiRoles.map { "\($0.role.rawValue) (\($0.systems.joined(separator: ", ")))" }.joined(separator: "; ") + "."),
            ]))
        }
        return blocks
    }

    var criteria: [Block] {
        let standards = record.standards
        guard standards.isIntegrated else { return criteria(content.coverage) }
        return [.paragraph("The audit is an integrated one: it measured the management system against \(standards.catalogs.count) standards at once, "
                + "each with its own Statement of Applicability. References are written PREFIX:REF.")]
            + content.coverages.map { coverage in
                .subsection(id: nil, title: "\(standards.prefixes[coverage.standard]): \(standards.heading(of: coverage.standard))", blocks: criteria(coverage))
            }
    }

    /// One standard's criteria: its clauses, its controls as the Statement of Applicability declares them, the exclusions.
    func criteria(_ coverage: Coverage) -> [Block] {
        let catalog = record.standards.catalogs[coverage.standard]
        let controls = coverage.rows.filter { $0.kind == .control }
        let applicable = controls.filter { $0.applicable == true }.count
        let excluded = controls.filter { $0.applicable == false }
        let undeclared = controls.filter { $0.applicable == nil }.count
        let clauses = coverage.rows.filter { $0.kind == .clause }.count
        var blocks: [Block] = [.paragraph(
            "The audit measured the management system against the \(clauses) clause requirements of \(catalog.displayName), which always apply, "
                + "and against its \(controls.count) controls as the organisation's Statement of Applicability declares them: "
                + "\(applicable) applicable, \(excluded.count) excluded"
                + (undeclared == 0 ? "." : ", and \(undeclared) not declared (the audit treats those as applicable)."))]
        if !excluded.isEmpty {
            blocks.append(.subsection(id: nil, title: "Controls the Statement of Applicability excludes", blocks: [
                .table(header: ["Control", "Title", "Justification"], rows: excluded.map { row in
                    let statement = record.applicability(of: row.stored)
                    return [row.ref, row.title, statement.flatMap { content.text(of: $0.id, ApplicabilityStatement.Field.justification.rawValue, winner: $0.justification) } ?? "—"]
                }),
            ]))
        }
        return blocks
    }
}
