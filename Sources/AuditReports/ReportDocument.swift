import AuditModel
import Replication

/// The Stage 2 audit report as a tree of sections and blocks: written once here, rendered to
/// Markdown by `MarkdownReport` and to print-ready HTML by `HTMLReport`.
///
/// The content follows what ISO 19011 §6.5.1 and ISO/IEC 17021-1 §9.4.8 expect of an audit
/// report. Anything a reader must not miss (open conflicts, changes after closing) comes first,
/// as alerts, before the numbered sections. Text may hold `code spans` in backticks; renderers
/// escape everything else.
public struct ReportDocument: Sendable {
    /// One piece of a section.
    public indirect enum Block: Sendable {
        case paragraph(String)
        /// Label and value pairs.
        case facts([Fact])
        /// A table; a cell may hold several lines.
        case table(header: [String], rows: [[String]])
        case list([String])
        /// A notice set apart so no reader misses it.
        case alert(title: String, blocks: [Block])
        /// A titled part of a section, one heading level down.
        case subsection(id: String?, title: String, blocks: [Block])
    }

    /// A label and its value.
    public struct Fact: Sendable {
        public let label: String
        public let value: String

        public init(_ label: String, _ value: String) {
            self.label = label
            self.value = value
        }
    }

    /// A numbered section; each starts a new page in print.
    public struct Section: Sendable {
        /// The anchor (`coverage`, `findings`).
        public let id: String
        public let title: String
        public let blocks: [Block]
    }

    public let title: String
    /// What comes before the sections: the report's identity, then any alerts.
    public let front: [Block]
    public let sections: [Section]

    /// The Stage 2 (or other audit type's) report of an engagement.
    public init(_ content: ReportContent) {
        let builder = Builder(content: content)
        title = builder.title
        front = builder.front
        sections = builder.sections
    }
}

extension ReportDocument {
    /// A run of text: plain, or a `code span`.
    public enum Span: Equatable, Sendable {
        case text(String)
        case code(String)
    }

    /// Splits text at backticks into plain runs and code spans; an unmatched backtick stays in the
    /// plain text.
    public static func spans(_ text: String) -> [Span] {
        let pieces = text.split(separator: "`", omittingEmptySubsequences: false).map(String.init)
        let balanced = !pieces.count.isMultiple(of: 2)
        return pieces.enumerated().map { index, piece in
            if index.isMultiple(of: 2) { return .text(piece) }
            return balanced || index < pieces.count - 1 ? .code(piece) : .text("`" + piece)
        }
    }
}

/// Writes the report's prose from the content, one section at a time.
private struct Builder {
    let content: ReportContent
    var record: EngagementRecord { content.record }
    var engagement: Engagement { record.engagement }
    typealias Block = ReportDocument.Block
    typealias Fact = ReportDocument.Fact

    var title: String { "\(engagement.auditType?.title ?? "Audit") report: \(engagement.client)" }

    func field(_ field: Engagement.Field, _ winner: String?) -> String? {
        content.text(of: engagement.id, field.rawValue, winner: winner)
    }

    // MARK: - Front

    var front: [Block] {
        var blocks: [Block] = [.facts([
            Fact("Standard", record.catalog.title.hasPrefix(record.catalog.displayName)
                ? record.catalog.title : "\(record.catalog.displayName) — \(record.catalog.title)"),
            Fact("Engagement", engagement.id.description),
            Fact("Report status", status),
            Fact("Generated", "\(content.time(content.context.generatedAt)) by \(content.context.generator)"),
        ])]
        let conflicts = content.conflicts
        if !conflicts.isEmpty {
            blocks.append(.alert(title: "Open conflicts: \(count(conflicts.count, "field")) with unresolved concurrent values", blocks: [
                .paragraph(
                    "Auditors recorded different values for the fields below without seeing each other's, and nobody has chosen between them yet. "
                        + "This report takes no side: it shows every value, here and wherever the field appears further on. "
                        + "The lead settles each one with `fieldaudit conflicts` and `fieldaudit resolve` before the report is final."),
                .table(
                    header: ["Item", "Field", "Values (author, time)"],
                    rows: conflicts.map { line in
                        [line.subject, line.field, line.values.map { "“\($0.text)” (\($0.author), \($0.at))" }.joined(separator: "\n")]
                    }),
            ]))
        }
        let late = content.lateLines
        if !late.isEmpty {
            blocks.append(.alert(title: "Changes after closing: \(count(late.count, "change")) not yet accepted by the lead", blocks: [
                .paragraph(
                    "These changes reached this replica after the lead closed the engagement; they were written by auditors who had not yet learned of the closing, or after it. "
                        + "They are kept, never dropped, and the rest of this report takes them into account, but the conclusion and recommendation the lead recorded were frozen without them. "
                        + "The lead reviews them and accepts them with `fieldaudit engagement accept-late`."),
                .table(
                    header: ["Change", "Item", "Field", "Value", "By", "Written"],
                    rows: late.map { [$0.change, $0.subject, $0.field, $0.value, $0.author, $0.at] }),
            ]))
        }
        return blocks
    }

    var status: String {
        guard let closing = content.closing else {
            return "Draft: the engagement is open, so findings and the recommendation may still change"
        }
        let late = content.context.lateChanges.count
        return "Final: the lead closed the engagement on \(content.time(closing.closedAt))"
            + (late == 0 ? "" : ", and \(count(late, "change")) arrived later that the lead has not accepted")
    }

    // MARK: - Sections

    var sections: [ReportDocument.Section] {
        [
            .init(id: "audit", title: "The audit", blocks: audit),
            .init(id: "scope", title: "Scope", blocks: scope),
            .init(id: "criteria", title: "Criteria and Statement of Applicability", blocks: criteria),
            .init(id: "people", title: "Audit team and auditee participants", blocks: people),
            .init(id: "coverage", title: "Coverage of the requirements", blocks: coverage),
            .init(id: "findings", title: "Findings", blocks: findings),
            .init(id: "opinions", title: "Auditee positions and diverging opinions", blocks: opinions),
            .init(id: "eu-ai-act", title: "EU AI Act cross-reference", blocks: crossReference),
            .init(id: "sampling", title: "Sampling and limitations", blocks: sampling),
            .init(id: "conclusion", title: "Conclusion and recommendation", blocks: conclusion),
            .init(id: "sign-off", title: "Sign-off", blocks: signOff),
        ]
    }

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
        let controls = content.coverage.rows.filter { $0.kind == .control }
        let applicable = controls.filter { $0.applicable == true }.count
        let excluded = controls.filter { $0.applicable == false }
        let undeclared = controls.filter { $0.applicable == nil }.count
        let clauses = content.coverage.rows.filter { $0.kind == .clause }.count
        var blocks: [Block] = [.paragraph(
            "The audit measured the management system against the \(clauses) clause requirements of \(record.catalog.displayName), which always apply, "
                + "and against its \(controls.count) controls as the organisation's Statement of Applicability declares them: "
                + "\(applicable) applicable, \(excluded.count) excluded"
                + (undeclared == 0 ? "." : ", and \(undeclared) not declared (the audit treats those as applicable)."))]
        if !excluded.isEmpty {
            blocks.append(.subsection(id: nil, title: "Controls the Statement of Applicability excludes", blocks: [
                .table(header: ["Control", "Title", "Justification"], rows: excluded.map { row in
                    let statement = record.applicability(of: row.ref)
                    return [row.ref, row.title, statement.flatMap { content.text(of: $0.id, ApplicabilityStatement.Field.justification.rawValue, winner: $0.justification) } ?? "—"]
                }),
            ]))
        }
        return blocks
    }

    var people: [Block] {
        var blocks: [Block] = [.subsection(id: nil, title: "Audit team", blocks: [
            .table(header: ["Name", "Role"], rows: content.team.map { member in
                [member.name, content.text(of: member.id, TeamMember.Field.role.rawValue, winner: member.role.map(roleTitle)) ?? "—"]
            }),
        ])]
        blocks.append(.subsection(id: nil, title: "Auditee participants", blocks: content.participants.isEmpty
            ? [.paragraph("No interview was recorded.")]
            : [.table(header: ["Name", "Role", "Interviewed", "By"], rows: content.participants.map { person in
                [
                    person.name, person.roles.joined(separator: "; "),
                    person.interviews.map { content.span($0.startedAt, $0.endedAt) }.joined(separator: "\n"),
                    person.auditors.joined(separator: ", "),
                ]
            })]))
        return blocks
    }

    var coverage: [Block] {
        let clauses = content.coverage.covered(.clause), controls = content.coverage.covered(.control)
        return [
            .paragraph(
                "A requirement is covered when at least one test or finding concerns it. Covered: \(clauses.covered) of \(clauses.of) clause requirements "
                    + "and \(controls.covered) of \(controls.of) applicable controls. The table lists every requirement of \(record.catalog.displayName)."),
            .table(header: ["Ref", "Requirement", "Applicable", "Tests", "Findings", "Result", "By"], rows: content.coverage.rows.map { row in
                [
                    row.ref, row.title,
                    row.applicable.map { $0 ? "yes" : "no (SoA)" } ?? "not declared",
                    counts(row.tests.map { ($0.key.rawValue, $0.value) }),
                    counts(row.findings.map { ($0.key.rawValue, $0.value) }),
                    row.isCovered ? row.result : "not covered",
                    row.workedOnBy.joined(separator: ", "),
                ]
            }),
            .subsection(id: nil, title: "Tests performed", blocks: record.tests.isEmpty ? [.paragraph("No test was recorded.")] : [
                .table(header: ["Ref", "Method", "Sample", "Sample / population", "AI systems", "Result", "Conclusion", "By"], rows: record.tests.map { test in
                    [
                        test.ref, content.text(of: test.id, ControlTest.Field.method.rawValue, winner: test.method?.rawValue) ?? "—",
                        content.text(of: test.id, ControlTest.Field.sample.rawValue, winner: test.sample) ?? "—",
                        sampleText(test),
                        systemNames(test.systems),
                        content.text(of: test.id, ControlTest.Field.result.rawValue, winner: test.result?.rawValue) ?? "—",
                        content.text(of: test.id, ControlTest.Field.conclusion.rawValue, winner: test.conclusion) ?? "—",
                        (test.tester ?? "—") + (content.lateEntities.contains(test.id) ? "\n(changed after closing)" : ""),
                    ]
                }),
            ]),
        ]
    }

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
            Fact("Requirements", content.text(of: finding.id, F.refs.rawValue, winner: finding.refs.map { "\($0) \(content.title(of: $0))" }.joined(separator: "; ")) ?? "—"),
            Fact("Statement", content.text(of: finding.id, F.statement.rawValue, winner: finding.statement) ?? "—"),
            Fact("Objective evidence", content.text(of: finding.id, F.objectiveEvidence.rawValue, winner: finding.objectiveEvidence) ?? "—"),
        ]
        if !finding.systems.isEmpty || record.conflictingValues(of: finding.id, F.systems.rawValue) != nil {
            facts.append(Fact("AI systems", content.text(of: finding.id, F.systems.rawValue, winner: systemNames(finding.systems)) ?? "—"))
        }
        facts += [
            Fact("Raised by", finding.raisedBy ?? "—"),
            Fact("Discussed with the auditee", content.text(of: finding.id, F.discussed.rawValue, winner: finding.discussed ? "yes" : "no") ?? "no"),
            Fact("Auditee's position", content.text(of: finding.id, F.auditeePosition.rawValue, winner: finding.auditeePosition) ?? "not recorded"),
            Fact("Status", content.text(of: finding.id, F.status.rawValue, winner: finding.status.rawValue) ?? "—"),
            Fact("Sign-off", signOffText(finding)),
            Fact("Id", finding.id.description),
        ]
        if content.lateEntities.contains(finding.id) {
            facts.append(Fact("Changed after closing", "yes: see the changes after closing at the top of the report"))
        }
        let files = content.evidence(citedBy: finding)
        if !files.isEmpty {
            let cited = files.map { item in
                "\(item.evidence.name), SHA-256 \(item.evidence.digest?.hex ?? "unknown")"
                    + (item.via.map { " (on \($0))" } ?? "")
                    + (item.evidence.digest.map { content.context.missingEvidence.contains($0) } == true ? ", file not held by this replica" : "")
            }
            facts.insert(Fact("Evidence files", cited.joined(separator: "\n")), at: 4)
        }
        let blocks: [Block] = [.facts(facts)]
        let title = "\(label): " + (finding.refs.first.map { "\($0) \(content.title(of: $0))" } ?? "no requirement")
        return [.subsection(id: "finding-\(finding.id.short)", title: title, blocks: blocks)]
    }

    var opinions: [Block] {
        let open = content.findings.filter { !$0.isSignedOff }
        let disputed = content.conflicts.filter { $0.subject.hasPrefix("finding") }
        var blocks: [Block] = []
        if open.isEmpty {
            blocks.append(.paragraph("No diverging opinion remains open: the lead has signed off every finding after its discussion with the auditee."))
        } else {
            blocks.append(.paragraph(
                "Until the lead signs a finding off, the auditee's position on it is not settled. "
                    + "The table lists every such finding, whether it was discussed with the auditee, and the position the auditee took."))
            blocks.append(.table(header: ["Finding", "Discussed", "Auditee's position"], rows: open.map { finding in
                [
                    content.labels[finding.id] ?? finding.id.short,
                    content.text(of: finding.id, Finding.Field.discussed.rawValue, winner: finding.discussed ? "yes" : "not yet") ?? "not yet",
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
            return [.paragraph("None of the requirements the findings concern maps to an article of the EU AI Act in the catalog.")]
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

    var sampling: [Block] {
        let sized = record.tests.filter { $0.sampleSize != nil }
        return [
            .paragraph(
                "An audit examines samples of the information available, in limited time. The findings rest on the evidence the auditors saw: "
                    + "the samples listed under the tests performed (\(count(record.tests.count, "test")), \(sized.count) with a recorded sample size), "
                    + "\(count(record.interviews.count, "interview")) and \(count(record.evidence.count, "evidence file")). "
                    + "Nonconformities may exist in what was not sampled, and a requirement without a finding is not thereby shown to be met in full."),
        ]
    }

    var conclusion: [Block] {
        let state = content.recommendation
        let majors = content.findings.filter { $0.grade == .major }.count, minors = content.findings.filter { $0.grade == .minor }.count
        let clauses = content.coverage.covered(.clause), controls = content.coverage.covered(.control)
        var blocks: [Block] = [.paragraph(
            "The audit team covered \(clauses.covered) of \(clauses.of) clause requirements and \(controls.covered) of \(controls.of) applicable controls, "
                + "and raised \(count(majors, "major nonconformity", plural: "major nonconformities")) and \(count(minors, "minor nonconformity", plural: "minor nonconformities"))."
                + (content.conflicts.isEmpty ? "" : " Some of the team's records are still in conflict (see the top of the report), so this conclusion is provisional."))]
        if let words = content.text(of: engagement.id, Engagement.Field.conclusion.rawValue, winner: engagement.conclusion) {
            blocks.append(.subsection(id: nil, title: "The lead auditor's conclusion", blocks: [.paragraph(words)]))
        }
        let reason = state.proposed == .certifyAfterClosure
            ? "at least one major nonconformity (or a finding that some auditor graded major) is open"
            : "no major nonconformity is open"
        var facts = [Fact("Proposed from the findings", "\(state.proposed.title), because \(reason)")]
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
        blocks.append(.facts(facts))
        return blocks
    }

    var signOff: [Block] {
        let findings = content.findings
        var facts = [
            Fact("Engagement", content.closing.map { "closed on \(content.time($0.closedAt))" } ?? "open"),
            Fact("Findings signed off", "\(findings.count - content.unsignedFindings.count) of \(findings.count)"),
        ]
        if content.closing != nil {
            facts.append(Fact("Changes after closing awaiting acceptance", content.context.lateChanges.isEmpty ? "none" : String(content.context.lateChanges.count)))
        }
        var blocks: [Block] = [.facts(facts)]
        if !findings.isEmpty {
            blocks.append(.table(header: ["Finding", "Sign-off"], rows: findings.map { [content.labels[$0.id] ?? $0.id.short, signOffText($0)] }))
        }
        return blocks
    }

    // MARK: - Words

    func signOffText(_ finding: Finding) -> String {
        guard let signer = content.signer(of: finding) else { return "not signed off" }
        return "signed off by \(signer) on \(content.time(finding.signedOffAt))"
    }

    func sampleText(_ test: ControlTest) -> String {
        switch (test.sampleSize, test.population) {
        case let (size?, population?): "\(size) of \(population)"
        case let (size?, nil): "\(size)"
        case let (nil, population?): "? of \(population)"
        case (nil, nil): "—"
        }
    }

    func systemNames(_ ids: [String]) -> String {
        ids.isEmpty ? "—" : ids.map { id in record.systems.first { $0.id.description == id }?.name ?? id }.joined(separator: ", ")
    }

    func roleTitle(_ role: TeamRole) -> String {
        switch role {
        case .lead: "Lead auditor"
        case .auditor: "Auditor"
        case .expert: "Technical expert"
        case .observer: "Observer"
        }
    }

    func counts(_ pairs: [(String, Int)]) -> String {
        pairs.isEmpty ? "—" : pairs.sorted { $0.0 < $1.0 }.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
    }

    func count(_ number: Int, _ noun: String, plural: String? = nil) -> String {
        "\(number) " + (number == 1 ? noun : plural ?? (noun.hasSuffix("y") && !noun.hasSuffix("ey") ? String(noun.dropLast()) + "ies" : noun + "s"))
    }
}
