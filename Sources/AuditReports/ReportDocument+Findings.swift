import AuditModel
import Replication

/// Sections 6–8: the findings (nonconformities first), the auditee's positions on those not yet
/// signed off, and the EU AI Act articles the findings' requirements map to.
extension ReportDocument.Builder {
    var findings: [Block] {
        let all = content.findings
        let byGrade = FindingGrade.allCases.map { grade in
            count(all.filter { $0.grade == grade }.count, grade.title.lowercased(), plural: grade.pluralTitle.lowercased())
        }
        var blocks: [Block] = [.paragraph(all.isEmpty ? "No finding was raised." : "\(count(all.count, "finding")): \(byGrade.joined(separator: ", ")).")]
        let nonconformities = content.findingGroups.filter(\.mayBeNonconformity)
        let others = content.findingGroups.filter { !$0.mayBeNonconformity }
        blocks.append(.subsection(id: "nonconformities", title: "Nonconformities", blocks: nonconformities.isEmpty
            ? [.paragraph("No nonconformity was raised.")]
            : nonconformities.map { group in .subsection(id: nil, title: group.title, blocks: group.findings.flatMap(entry)) }))
        blocks.append(.subsection(id: "other-findings", title: "Opportunities for improvement, observations and good practice", blocks: [
            .paragraph("These are not nonconformities: they require no corrective action and do not bear on the recommendation."),
        ] + (others.isEmpty ? [.paragraph("None was recorded.")] : others.map { group in
            .subsection(id: nil, title: group.title, blocks: group.findings.flatMap(entry))
        })))
        return blocks
    }

    func entry(_ finding: Finding) -> [Block] {
        typealias F = Finding.Field
        let label = content.labels[finding.id] ?? finding.id.short
        var facts = [
            Fact("Grade", content.text(of: finding.id, F.grade.rawValue, winner: finding.grade?.title) ?? "—"),
            Fact("Requirements", content.text(of: finding.id, F.refs.rawValue, winner: finding.refs.map { "\(content.shown($0)) \(content.title(of: $0))" }.joined(separator: "; ")) ?? "—"),
            Fact("Statement", content.text(of: finding.id, F.statement.rawValue, winner: finding.statement) ?? "—"),
            Fact("Objective evidence", content.text(of: finding.id, F.objectiveEvidence.rawValue, winner: finding.objectiveEvidence) ?? "—"),
        ]
        // A nonconformity's grade is justified (ISO/IEC 17021-1 §9.4.8); other grades show one only if given.
        if finding.grade?.isNonconformity == true || finding.gradeJustification != nil
            || record.conflictingValues(of: finding.id, F.gradeJustification.rawValue) != nil {
            facts.insert(Fact("Grade justification", content.text(of: finding.id, F.gradeJustification.rawValue, winner: finding.gradeJustification) ?? "not recorded"), at: 1)
        }
        let evidenceIndex = facts.count
        if !finding.systems.isEmpty || record.conflictingValues(of: finding.id, F.systems.rawValue) != nil {
            facts.append(Fact("AI systems", content.text(of: finding.id, F.systems.rawValue, winner: systemNames(finding.systems)) ?? "—"))
        }
        facts += [
            Fact(finding.mergedFrom.isEmpty ? "Raised by" : "Raised by (every auditor)", finding.contributors.isEmpty ? "—" : finding.contributors.joined(separator: ", ")),
            Fact("Discussed with the auditee", content.text(of: finding.id, F.discussed.rawValue, winner: finding.discussed ? "yes" : "no") ?? "no"),
            Fact("Auditee's position", content.text(of: finding.id, F.auditeePosition.rawValue, winner: finding.auditeePosition) ?? "not recorded"),
            Fact("Status", content.text(of: finding.id, F.status.rawValue, winner: finding.status.rawValue) ?? "—"),
            Fact("Sign-off", signOffText(finding)),
            Fact("Id", finding.id.description),
        ]
        let merges = content.mergeLines(of: finding)
        if !merges.isEmpty { facts.append(Fact("Merged findings", merges.joined(separator: "\n"))) }
        if content.lateEntities.contains(finding.id) {
            facts.append(Fact("Changed after closing", "yes: see the changes after closing at the top of the report"))
        }
        let rejected = content.context.rejectedLateChanges.filter { $0.entity == finding.id }
        if !rejected.isEmpty {
            facts.append(Fact(
                "Rejected changes after closing",
                rejected.map { "\($0.field) set to “\(content.describe($0.written, field: $0.field))” by \($0.author) (\($0.change)), rejected: \($0.decision?.reason ?? "no reason recorded")" }
                    .joined(separator: "; ") + "; kept in the record, as every change is, and left out of the conclusion by the lead"))
        }
        let files = content.evidence(citedBy: finding)
        if !files.isEmpty {
            let cited = files.map { item in
                "\(item.evidence.name), SHA-256 \(item.evidence.digest?.hex ?? "unknown")"
                    + (item.via.map { " (on \($0))" } ?? "")
                    + (item.evidence.digest.map { content.context.missingEvidence.contains($0) } == true ? ", file not held by this replica" : "")
            }
            facts.insert(Fact("Evidence files", cited.joined(separator: "\n")), at: evidenceIndex)
        }
        let blocks: [Block] = [.facts(facts)]
        let title = "\(label): " + (finding.refs.first.map { "\(content.shown($0)) \(content.title(of: $0))" } ?? "no requirement")
        return [.subsection(id: "finding-\(finding.id.short)", title: title, blocks: blocks)]
    }

    var opinions: [Block] {
        let open = content.findings.filter { !$0.signOffState.stands }
        let disputed = content.conflicts.filter { $0.subject.hasPrefix("finding") }
        var blocks: [Block] = []
        let all = content.findings
        let label = { (finding: Finding) in content.labels[finding.id] ?? finding.id.short }
        if all.isEmpty {
            blocks.append(.paragraph("No finding was raised, so the auditee had no position to take on one."))
        } else if open.isEmpty {
            let undiscussed = all.filter { !$0.discussed || record.conflictingValues(of: $0.id, Finding.Field.discussed.rawValue) != nil }
            blocks.append(.paragraph(
                "The lead has signed off every finding, so no auditee position remains open. "
                    + (undiscussed.isEmpty
                        ? (all.count == 1 ? "The finding was discussed with the auditee." : "Each was discussed with the auditee.")
                        : "Not recorded as discussed with the auditee: \(undiscussed.map(label).joined(separator: ", ")).")))
        } else {
            blocks.append(.paragraph(
                "Until the lead signs a finding off, the auditee's position on it is not settled. "
                    + "The table lists every such finding, whether it was discussed with the auditee, and the position the auditee took."))
            let signedUndiscussed = all.filter { $0.isSignedOff && (!$0.discussed || record.conflictingValues(of: $0.id, Finding.Field.discussed.rawValue) != nil) }
            if !signedUndiscussed.isEmpty {
                blocks.append(.paragraph("Signed off without being recorded as discussed with the auditee: \(signedUndiscussed.map(label).joined(separator: ", "))."))
            }
            let notDiscussed = content.closing == nil ? "not yet" : "no"
            blocks.append(.table(header: ["Finding", "Discussed", "Auditee's position"], rows: open.map { finding in
                [
                    content.labels[finding.id] ?? finding.id.short,
                    // "not yet" while the engagement is open; once it is closed, a discussion not recorded did not happen.
                    content.text(of: finding.id, Finding.Field.discussed.rawValue, winner: finding.discussed ? "yes" : notDiscussed) ?? notDiscussed,
                    content.text(of: finding.id, Finding.Field.auditeePosition.rawValue, winner: finding.auditeePosition) ?? "not recorded",
                ]
            }))
        }
        if !disputed.isEmpty {
            blocks.append(.paragraph("The audit team itself disagrees on \(count(disputed.count, "field")) of its findings: see the open conflicts at the top of the report."))
        }
        return blocks
    }

    var crossReference: [Block] {
        let references = content.crossReferences
        guard !references.isEmpty else {
            return [.paragraph(content.findings.isEmpty
                ? "No finding was raised, so no requirement is cross-referenced to the EU AI Act here."
                : "None of the requirements the findings concern maps to an article of the EU AI Act in the catalog.")]
        }
        return [
            .paragraph(
                "The articles of the EU AI Act (Regulation (EU) 2024/1689) that the catalog relates to the requirements the findings concern. "
                    + "The mapping helps the reader see where a finding may matter for the Act; it is not a legal assessment."),
            .table(header: ["Finding", "Requirement", "Framework", "Article"], rows: references.map { item in
                [content.labels[item.finding.id] ?? item.finding.id.short, item.ref, item.reference.framework, "\(item.reference.article): \(item.reference.title)"]
            }),
        ]
    }
}
