import AuditModel
import Replication

/// Sections 9–11: sampling and limitations, the conclusion and recommendation, and the sign-off.
extension ReportDocument.Builder {
    var sampling: [Block] {
        let sized = record.tests.filter { $0.sampleSize != nil }
        let tests = record.tests.isEmpty
            ? "no test was recorded"
            : "the samples listed under the tests performed (\(count(record.tests.count, "test")), \(sized.count) with a recorded sample size)"
        return [
            .paragraph(
                "An audit examines samples of the information available, in limited time. The findings rest on the evidence the auditors saw: "
                    + "\(tests), \(count(record.interviews.count, "interview")) and \(count(record.evidence.count, "evidence file")). "
                    + "Nonconformities may exist in what was not sampled, and a requirement without a finding is not thereby shown to be met in full."),
        ]
    }

    var conclusion: [Block] {
        let state = content.recommendation
        // Findings whose grade is in conflict are counted apart, under neither of their grades.
        let grouped = { (kind: ReportContent.FindingGroup.Kind) in content.findingGroups.first { $0.kind == kind }?.findings.count ?? 0 }
        let majors = grouped(.grade(.major)), minors = grouped(.grade(.minor)), disputed = grouped(.gradeInConflict)
        let clauses = content.coverage.tally(.clause), controls = content.coverage.tally(.control)
        let unconcluded = clauses.of - clauses.concluded + controls.of - controls.concluded
        var blocks: [Block] = [.paragraph(
            "The audit team recorded a conclusion on \(clauses.concluded) of \(clauses.of) clause requirements and \(controls.concluded) of \(controls.of) applicable controls"
                + (unconcluded == 0 ? "" : " (\(clauses.examined + controls.examined) more examined without a recorded conclusion, \(clauses.notExamined + controls.notExamined) not examined)")
                + ", and raised \(count(majors, "major nonconformity", plural: "major nonconformities")) and \(count(minors, "minor nonconformity", plural: "minor nonconformities"))"
                + (disputed == 0 ? "." : ", besides \(count(disputed, "finding")) whose grade is in conflict.")
                + (content.conflicts.isEmpty ? "" : " Some of the team's records are still in conflict (see the top of the report), so this conclusion is provisional."))]
        if let words = content.text(of: engagement.id, Engagement.Field.conclusion.rawValue, winner: engagement.conclusion) {
            blocks.append(.subsection(id: nil, title: "The lead auditor's conclusion", blocks: [.paragraph(words)]))
        }
        var facts = [Fact("Proposed from the findings", "\(state.proposed.title), because \(proposalReason)")]
        let review = ClosingReview(record, coverage: record.standards.isIntegrated ? nil : content.coverage)
        if !review.clausesNotExamined.isEmpty {
            facts.append(Fact(
                "Mandatory clauses not examined",
                review.refs(review.clausesNotExamined).joined(separator: ", ")
                    + (state.proposed == .certify ? " (recommending certification despite them needs the lead's recorded justification)" : "")))
        }
        switch (state.recorded.count, state.isFinal) {
        case (0, false):
            facts.append(Fact("Recommendation", "not recorded yet: the lead records it when closing the engagement (`fieldaudit engagement close --recommendation …`)"))
        case (0, true):
            facts.append(Fact("Recommendation", "none was recorded when the engagement was closed"))
        case (1, _):
            facts.append(Fact("Recommendation", state.recorded[0].title + (state.isFinal ? " (recorded by the lead when closing)" : " (recorded, the engagement is open)")))
        default:
            facts.append(Fact("Recommendation", content.text(of: engagement.id, Engagement.Field.recommendation.rawValue, winner: nil) ?? "—"))
        }
        if let justification = field(.justification, engagement.justification) {
            facts.append(Fact("Justification", justification))
        }
        facts.append(Fact("Next step", field(.surveillanceDate, engagement.surveillanceDate).map { "surveillance audit proposed for \($0)" }
            ?? "no surveillance date proposed yet"))
        blocks.append(.facts(facts))
        return blocks
    }

    /// Why the findings propose what they propose, from the findings that make it so.
    var proposalReason: String {
        let (majors, disputed) = record.openMajorFindings()
        let labels = { (findings: [Finding]) in findings.map { content.labels[$0.id] ?? $0.id.short }.joined(separator: ", ") }
        let grades = disputed.count == 1 ? "the grade is" : "the grades are"
        switch (majors.isEmpty, disputed.isEmpty) {
        case (false, true): return "\(count(majors.count, "major nonconformity", plural: "major nonconformities")) \(majors.count == 1 ? "is" : "are") open (\(labels(majors)))"
        case (true, false): return "an auditor graded \(labels(disputed)) major and \(grades) in conflict, so the proposal takes the cautious side"
        case (false, false):
            return "\(count(majors.count, "major nonconformity", plural: "major nonconformities")) \(majors.count == 1 ? "is" : "are") open (\(labels(majors))), "
                + "and an auditor graded \(labels(disputed)) major (\(grades) in conflict)"
        case (true, true):
            let closedMajors = content.findings.filter { $0.grade == .major }.count
            return closedMajors == 0 ? "no major nonconformity was raised" : "every major nonconformity raised is closed"
        }
    }

    var signOff: [Block] {
        let findings = content.findings
        var facts = [
            Fact("Engagement", content.closing.map { "closed on \(content.time($0.closedAt))" } ?? "open"),
            Fact("Findings signed off", "\(findings.count - content.unsignedFindings.count) of \(findings.count)"),
        ]
        if content.closing != nil {
            facts.append(Fact("Changes after closing awaiting the lead's decision", content.context.lateChanges.isEmpty ? "none" : String(content.context.lateChanges.count)))
        }
        facts.append(Fact("Report", signature))
        var blocks: [Block] = [.facts(facts)]
        if !findings.isEmpty {
            blocks.append(.table(header: ["Finding", "Sign-off"], rows: findings.map { [content.labels[$0.id] ?? $0.id.short, signOffText($0)] }))
        }
        return blocks + closingHistory
    }
}
