import AuditModel
import Foundation
import Replication

/// The engagement as an OSCAL 1.1 `assessment-results` document, for GRC tools.
///
/// - One result per engagement, from the audit's first to last day, reviewing every clause and
///   every control the Statement of Applicability does not exclude.
/// - Observations: each interview (`INTERVIEW`) with its notes; each note outside an interview
///   (`EXAMINE`); each test, by its method (inquiry `INTERVIEW`, observation and inspection
///   `EXAMINE`, re-performance `TEST`); each finding's objective evidence (`EXAMINE`). Each names
///   the evidence it rests on and when it was collected.
/// - Findings: one per audit finding and requirement, its target the requirement with the state
///   `not-satisfied` for a nonconformity and `satisfied` otherwise; and one per requirement tested
///   without a finding, its state from the tests. Grade, sample size and population travel as
///   properties in FieldAudit's namespace (`namespace`).
/// - Parties: the client, the audit team and the people interviewed; back matter: every evidence
///   file with its SHA-256.
///
/// Every UUID is a version 5 UUID derived from the id of what it names (`NameBasedUUID`), so the
/// same engagement gives the same document. OSCAL identifiers must start with a letter, so a
/// clause reference becomes `clause-5.2` (`controlID(for:)`); controls keep theirs (`A.6.2.8`).
public enum OSCALAssessmentResults {
    /// The namespace of FieldAudit's OSCAL properties.
    static let namespace = "https://fieldaudit.example/ns/oscal"
    /// The OSCAL version the document is written against.
    static let oscalVersion = "1.1.3"

    /// The document as pretty-printed JSON with sorted keys, ending with a newline.
    public static func document(_ record: EngagementRecord, context: ReportContext) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let document = Projection(content: ReportContent(record: record, context: context)).document
        return ((try? encoder.encode(document)) ?? Data()) + Data("\n".utf8)
    }

    /// The OSCAL identifier of a stored requirement reference: the reference itself when it starts
    /// with a letter, else `clause-` and the reference. A requirement of a standard other than the
    /// primary one of an integrated audit (stored `CATALOG-ID:REF`) is `CATALOG-ID_` and its
    /// reference's identifier (`example-isms-2025_clause-6.1.2`), so two standards' `6.1.2` stay
    /// two controls; a `:` is not allowed in an OSCAL token.
    static func controlID(for ref: String) -> String {
        if let colon = ref.firstIndex(of: ":") {
            let standard = String(ref[..<colon])
            return (standard.first?.isLetter == true ? standard : "standard-" + standard) + "_" + controlID(for: String(ref[ref.index(after: colon)...]))
        }
        return ref.first?.isLetter == true ? ref : "clause-" + ref
    }
}

/// Builds the OSCAL values from the report content.
private struct Projection {
    let content: ReportContent
    var record: EngagementRecord { content.record }
    var engagement: Engagement { record.engagement }
    var ns: String { OSCALAssessmentResults.namespace }

    var document: OSCAL.Document {
        OSCAL.Document(assessmentResults: OSCAL.AssessmentResults(
            uuid: NameBasedUUID.uuid("assessment-results", engagement.id.description, String(content.context.generatedAt)),
            metadata: metadata,
            importAP: OSCAL.ImportAP(
                href: "urn:fieldaudit:engagement:\(engagement.id)",
                remarks: "FieldAudit keeps no OSCAL assessment plan: the engagement itself (scope, criteria, team, Statement of Applicability, audit plan) is the plan; its sessions are the local activities."),
            localDefinitions: localDefinitions,
            results: [result],
            backMatter: resources.nonEmpty.map(OSCAL.BackMatter.init)))
    }

    // MARK: - Metadata and parties

    var metadata: OSCAL.Metadata {
        OSCAL.Metadata(
            title: line("\(engagement.auditType?.title ?? "Audit") results: \(engagement.client)"),
            lastModified: timestamp(content.context.generatedAt),
            version: content.closing == nil ? "draft" : "final",
            oscalVersion: OSCALAssessmentResults.oscalVersion,
            props: [property("engagement-id", engagement.id.description), property("generator", content.context.generator)].compactMap { $0 }.nonEmpty,
            roles: roles.nonEmpty,
            parties: parties.nonEmpty,
            responsibleParties: responsibleParties.nonEmpty,
            remarks: "Made by \(content.context.generator) from the engagement's records. An audit examines samples; see the report's sampling statement.")
    }

    static let roleTitles: [(id: String, title: String, role: TeamRole?)] = [
        ("lead-auditor", "Lead auditor", .lead), ("auditor", "Auditor", .auditor), ("technical-expert", "Technical expert", .expert),
        ("observer", "Observer", .observer), ("interviewee", "Interviewee", nil), ("auditee", "Auditee organisation", nil),
    ]

    var roles: [OSCAL.Role] {
        Self.roleTitles.map { OSCAL.Role(id: $0.id, title: $0.title) }
    }

    var clientParty: String { NameBasedUUID.uuid("party", "client", engagement.id.description) }

    func memberParty(_ member: TeamMember) -> String { NameBasedUUID.uuid("party", "member", member.id.description) }

    func intervieweeParty(_ name: String) -> String { NameBasedUUID.uuid("party", "interviewee", engagement.id.description, name) }

    /// The party of a team member known by name, as tests and interviews record auditors.
    func party(named name: String?) -> String? {
        guard let name else { return nil }
        return content.team.first { $0.name == name }.map(memberParty)
    }

    func party(of replica: ReplicaID?) -> String? {
        guard let replica else { return nil }
        return content.team.first { $0.replica == replica }.map(memberParty)
    }

    var parties: [OSCAL.Party] {
        var parties = [OSCAL.Party(
            uuid: clientParty, type: "organization", name: line(engagement.client),
            addresses: engagement.address.map { [OSCAL.Address(addrLines: [line($0)])] })]
        parties += content.team.map { member in
            OSCAL.Party(
                uuid: memberParty(member), type: "person", name: line(member.name.isEmpty ? "unnamed member" : member.name),
                props: [property("replica", member.replica?.hex)].compactMap { $0 }.nonEmpty)
        }
        parties += content.participants.map { person in
            OSCAL.Party(
                uuid: intervieweeParty(person.name), type: "person", name: line(person.name.isEmpty ? "unnamed interviewee" : person.name),
                props: person.roles.compactMap { property("interviewee-role", $0) }.nonEmpty, memberOfOrganizations: [clientParty])
        }
        return parties
    }

    var responsibleParties: [OSCAL.ResponsibleParty] {
        var parties: [OSCAL.ResponsibleParty] = []
        for (id, _, role) in Self.roleTitles {
            let uuids: [String] = switch id {
            case "interviewee": content.participants.map { intervieweeParty($0.name) }
            case "auditee": [clientParty]
            default: content.team.filter { $0.role == role }.map(memberParty)
            }
            if !uuids.isEmpty { parties.append(OSCAL.ResponsibleParty(roleID: id, partyUUIDs: uuids)) }
        }
        return parties
    }

    // MARK: - The result

    var result: OSCAL.Result {
        let state = content.recommendation
        var props: [OSCAL.Property?] = [
            property("audit-type", engagement.auditType?.rawValue),
            property("engagement-status", engagement.status.rawValue),
            property("recommendation-proposed", state.proposed.rawValue),
        ]
        props += state.recorded.map { property("recommendation", $0.rawValue, class: state.recorded.count > 1 ? "conflict" : nil) }
        props += [
            property("closed-at", content.closing.map { timestamp($0.closedAt) }),
            property("open-conflicts", String(content.conflicts.count)),
            property("late-changes", content.closing == nil ? nil : String(content.context.lateChanges.count)),
        ]
        let description = [
            engagement.scope.map { "Scope: \($0)" }, engagement.objectives.map { "Objectives: \($0)" },
            engagement.criteria.map { "Criteria: \($0)" },
            engagement.sites.isEmpty ? nil : "Sites: \(engagement.sites.joined(separator: "; "))",
        ].compactMap { $0 }
        var remarks: [String] = []
        if !content.conflicts.isEmpty {
            remarks.append("Open conflicts: " + content.conflicts.map { line in
                "\(line.subject), \(line.field): " + line.values.map { "“\($0.text)” (\($0.author))" }.joined(separator: " / ")
            }.joined(separator: "; ") + ".")
        }
        if !content.context.lateChanges.isEmpty {
            let late = content.context.lateChanges.count
            remarks.append("\(late) \(late == 1 ? "change" : "changes") arrived after the engagement was closed and \(late == 1 ? "awaits" : "await") the lead's acceptance.")
        }
        if let words = engagement.conclusion { remarks.append("Lead auditor's conclusion: \(words)") }
        if let justification = engagement.justification { remarks.append("Justification of the recommendation: \(justification)") }
        if let date = engagement.surveillanceDate { remarks.append("Next step: surveillance audit proposed for \(date).") }
        if content.closing != nil || !record.reopenings.isEmpty {
            let builder = ReportDocument.Builder(content: content)
            remarks.append("Report: \(builder.signature).")
        }
        for decision in record.lateDecisions.sorted(by: { ($0.decidedAt ?? 0, $0.change) < ($1.decidedAt ?? 0, $1.change) }) {
            remarks.append("Late change \(decision.shortChange) \(decision.verdict?.rawValue ?? "decided") by \(decision.decidedBy ?? "the lead")"
                + (decision.reason.map { ": \($0)" } ?? "") + ".")
        }
        for reopening in record.reopenings {
            remarks.append("Reopened on \(timestamp(reopening.reopenedAt ?? 0)) by \(reopening.reopenedBy ?? "the lead"): \(reopening.reason)")
        }
        return OSCAL.Result(
            uuid: NameBasedUUID.uuid("result", engagement.id.description),
            title: line("\(engagement.auditType?.title ?? "Audit") of \(engagement.client) against \(audited)"),
            description: description.isEmpty ? "An audit against \(audited)." : description.joined(separator: "\n\n"),
            start: start, end: end,
            props: props.compactMap { $0 }.nonEmpty,
            reviewedControls: reviewedControls,
            observations: observations.nonEmpty,
            risks: risks.nonEmpty,
            findings: findings.nonEmpty,
            remarks: remarks.nonEmpty?.joined(separator: "\n\n"))
    }

    /// The audit plan: its sessions and meetings as activities, the certification body and the
    /// Stage 1 points in the remarks; `nil` when no plan was recorded.
    var localDefinitions: OSCAL.LocalDefinitions? {
        let items = record.planItems.sorted(by: PlanItem.planOrder)
        let activities = items.filter { $0.kind != .stage1 }.map { item in
            let parts = [
                item.when, item.whereabouts, item.function.map { "auditee function: \($0)" },
                item.auditors.isEmpty ? nil : "auditors: " + item.auditors.joined(separator: ", "),
                item.attendees.isEmpty ? nil : "attendees: " + item.attendees.joined(separator: ", "),
            ].compactMap { $0 }
            return OSCAL.Activity(
                uuid: NameBasedUUID.uuid("activity", item.id.description),
                title: line("\(item.kind?.title ?? "Activity") \(item.when)"),
                description: parts.joined(separator: "; ") + ".",
                relatedControls: item.refs.isEmpty ? nil : OSCAL.ReviewedControls(
                    description: "The requirements the session is planned to cover.",
                    controlSelections: [OSCAL.ControlSelection(
                        includeControls: item.refs.map { OSCAL.SelectControl(controlID: OSCALAssessmentResults.controlID(for: $0)) })]))
        }
        var remarks = engagement.planFacts.map { "\($0.label): \($0.value)" }
        remarks += items.filter { $0.kind == .stage1 }.map { item in
            "Stage 1 open point: \(item.point ?? "—") Follow-up: \(item.followUp ?? "not followed up in the record")."
        }
        guard !activities.isEmpty || !remarks.isEmpty else { return nil }
        return OSCAL.LocalDefinitions(activities: activities.nonEmpty, remarks: remarks.nonEmpty?.joined(separator: "\n\n"))
    }

    /// The first audit day, else the earliest recorded activity, else the report's time.
    var start: String {
        if let date = engagement.startDate { return date + "T00:00:00Z" }
        return timestamp(activityTimes.min() ?? content.context.generatedAt)
    }

    /// The end of the last audit day, else the latest recorded activity.
    var end: String? {
        if let date = engagement.endDate { return date + "T23:59:59Z" }
        return activityTimes.max().map(timestamp)
    }

    var activityTimes: [Int64] {
        record.interviews.compactMap(\.startedAt) + record.notes.compactMap(\.at) + record.evidence.compactMap(\.capturedAt)
            + record.tests.map { Int64($0.id.milliseconds) }
    }

    /// The standards audited, for titles: `ISO/IEC 42001:2023`, or `ISO/IEC 42001:2023 and ISO/IEC 27001:2022`.
    var audited: String { record.standards.catalogs.map(\.displayName).joined(separator: " and ") }

    /// The controls reviewed: in an integrated audit, one control selection per standard, each
    /// saying which standard (its catalog's identifier and version) its controls are of.
    var reviewedControls: OSCAL.ReviewedControls {
        let standards = record.standards
        let selections = content.coverages.map { coverage in
            let applicable = coverage.rows.filter { $0.applicable != false }
            let excluded = coverage.rows.filter { $0.applicable == false }
            let catalog = standards.catalogs[coverage.standard]
            let source = catalog.source.map { " (\($0.identifier), version \($0.version))" } ?? ""
            return OSCAL.ControlSelection(
                description: standards.isIntegrated ? "\(standards.prefixes[coverage.standard]): \(catalog.displayName)\(source), catalog \(catalog.id)." : nil,
                includeControls: applicable.map { OSCAL.SelectControl(controlID: OSCALAssessmentResults.controlID(for: $0.stored)) },
                excludeControls: excluded.map { OSCAL.SelectControl(controlID: OSCALAssessmentResults.controlID(for: $0.stored)) }.nonEmpty)
        }
        let description = standards.isIntegrated
            ? "Every clause of each of the \(standards.catalogs.count) standards audited (\(audited)) and every control its own Statement of Applicability does not exclude."
            : "Every clause of \(record.catalog.displayName) and every control its Statement of Applicability does not exclude."
        return OSCAL.ReviewedControls(description: description, controlSelections: selections)
    }

    // MARK: - Observations

    var observations: [OSCAL.Observation] {
        interviewObservations + noteObservations + testObservations + findingObservations
    }

    var interviewObservations: [OSCAL.Observation] {
        content.interviews.map { interview in
            let notes = record.notes.filter { $0.interview == interview.id }.sorted { ($0.at ?? 0, $0.id) < ($1.at ?? 0, $1.id) }
            var description = "Interview with \(interview.interviewee)" + (interview.role.map { ", \($0)" } ?? "") + "."
            if !interview.topics.isEmpty { description += " Topics: \(interview.topics.map(content.shown).joined(separator: ", "))." }
            if !notes.isEmpty { description += "\n\n" + notes.map { "- " + ($0.ref.map { "[\(content.shown($0))] " } ?? "") + $0.text }.joined(separator: "\n") }
            return OSCAL.Observation(
                uuid: observationUUID("interview", interview.id),
                title: line("Interview with \(interview.interviewee)"),
                description: description,
                props: interview.topics.compactMap { property("requirement", content.shown($0)) }.nonEmpty,
                methods: ["INTERVIEW"],
                origins: origins(interview.auditors.compactMap { party(named: $0) }),
                subjects: [OSCAL.Subject(subjectUUID: intervieweeParty(interview.interviewee), type: "party", title: line(interview.interviewee))],
                relevantEvidence: relevantEvidence(record.evidence(linkedTo: interview.id.description)).nonEmpty,
                collected: timestamp(interview.startedAt ?? Int64(interview.id.milliseconds)))
        }
    }

    var noteObservations: [OSCAL.Observation] {
        record.notes.filter { $0.interview == nil }.sorted { ($0.at ?? 0, $0.id) < ($1.at ?? 0, $1.id) }.map { note in
            OSCAL.Observation(
                uuid: observationUUID("note", note.id),
                title: line("Note" + (note.ref.map { " on \(content.shown($0))" } ?? "")),
                description: note.text,
                props: [property("requirement", note.ref.map(content.shown))].compactMap { $0 }.nonEmpty,
                methods: ["EXAMINE"],
                origins: origins([party(of: note.author)].compactMap { $0 }),
                collected: timestamp(note.at ?? Int64(note.id.milliseconds)))
        }
    }

    var testObservations: [OSCAL.Observation] {
        record.tests.map { test in
            let method: String = switch test.method {
            case .inquiry: "INTERVIEW"
            case .observation, .inspection: "EXAMINE"
            case .reperformance: "TEST"
            case nil: "UNKNOWN"
            }
            var evidence = record.evidence(linkedTo: test.id.description)
            evidence += record.evidence(linkedTo: test.ref).filter { item in !evidence.contains { $0.id == item.id } }
            let description = [
                "Test of \(content.shown(test.ref)) by \(test.method?.rawValue ?? "an unrecorded method").",
                test.sample.map { "Sample: \($0)." },
                content.text(of: test.id, ControlTest.Field.result.rawValue, winner: test.result?.rawValue).map { "Result: \($0)." },
                content.text(of: test.id, ControlTest.Field.conclusion.rawValue, winner: test.conclusion).map { "Conclusion: \($0)" },
            ].compactMap { $0 }.joined(separator: "\n\n")
            let props: [OSCAL.Property?] = [
                property("requirement", content.shown(test.ref)),
            ] + (test.alsoRefs ?? []).map { property("requirement", content.shown($0)) } + [
                property("method", test.method?.rawValue), property("result", test.result?.rawValue),
                property("sample", test.sample), property("sample-size", test.sampleSize.map(String.init)),
                property("population", test.population.map(String.init)),
            ] + test.systems.map { id in property("ai-system", record.systems.first { $0.id.description == id }?.name ?? id) }
            return OSCAL.Observation(
                uuid: observationUUID("test", test.id),
                title: line("Test of \(content.shown(test.ref)) \(content.title(of: test.ref))"),
                description: description,
                props: props.compactMap { $0 }.nonEmpty,
                methods: [method],
                types: ["control-objective"],
                origins: origins([party(named: test.tester)].compactMap { $0 }),
                relevantEvidence: relevantEvidence(evidence).nonEmpty,
                collected: timestamp(Int64(test.id.milliseconds)))
        }
    }

    var findingObservations: [OSCAL.Observation] {
        content.findings.map { finding in
            OSCAL.Observation(
                uuid: observationUUID("finding", finding.id),
                title: line("Objective evidence for \(content.labels[finding.id] ?? finding.id.short)"),
                description: content.text(of: finding.id, Finding.Field.objectiveEvidence.rawValue, winner: finding.objectiveEvidence)
                    ?? (content.evidence(citedBy: finding).isEmpty
                        ? "No objective evidence was recorded, in words or as a file."
                        : "No objective evidence was recorded in words; see the evidence files."),
                methods: ["EXAMINE"],
                types: ["finding"],
                origins: origins(finding.contributors.compactMap { party(named: $0) }),
                relevantEvidence: relevantEvidence(content.evidence(citedBy: finding).map(\.evidence)).nonEmpty,
                collected: timestamp(Int64(finding.id.milliseconds)))
        }
    }

    func observationUUID(_ kind: String, _ id: EntityID) -> String { NameBasedUUID.uuid("observation", kind, id.description) }

    func origins(_ parties: [String]) -> [OSCAL.Origin]? {
        parties.isEmpty ? nil : [OSCAL.Origin(actors: ReportContent.unique(parties).map { OSCAL.Actor(type: "party", actorUUID: $0) })]
    }

    func relevantEvidence(_ evidence: [Evidence]) -> [OSCAL.RelevantEvidence] {
        evidence.map { item in
            OSCAL.RelevantEvidence(href: "#" + resourceUUID(item), description: item.description.map { "\(item.name): \($0)" } ?? item.name)
        }
    }

    // MARK: - Risks: the nonconformities' remediation

    func riskUUID(_ finding: EntityID) -> String { NameBasedUUID.uuid("risk", finding.description) }

    static func signOffToken(_ state: Finding.SignOffState) -> String {
        switch state {
        case .notSignedOff: "not-signed-off"
        case .signedOff: "signed-off"
        case .changedSinceSignOff: "changed-since-sign-off"
        }
    }

    /// Each major or minor nonconformity as a risk: open while no plan is recorded, remediating
    /// until the lead accepts the corrective actions, then closed; the plan as a remediation with
    /// one task per action; raising, sign-off, actions done and verification in the risk log.
    var risks: [OSCAL.Risk] {
        content.followUps.map { item in
            let finding = item.finding
            let label = content.labels[finding.id] ?? finding.id.short
            let status: String = switch item.state {
            case .awaitingPlan: "open"
            case .actionsOpen, .awaitingVerification, .rejected: "remediating"
            case .closed: "closed"
            }
            let planUUID = NameBasedUUID.uuid("remediation", finding.id.description)
            let tasks = item.actions.map { action in
                OSCAL.Task(
                    uuid: NameBasedUUID.uuid("task", action.id.description), type: "action", title: line(action.action.isEmpty ? "corrective action" : action.action),
                    description: action.implementation.map { "Implemented: \($0)" },
                    props: [
                        property("owner", line(action.owner)), property("done-on", action.doneOn),
                        property("overdue", item.overdueActions.contains { $0.id == action.id } ? "yes" : "no"),
                        property("action-id", action.id.description),
                    ].compactMap { $0 }.nonEmpty,
                    timing: Dates.isValid(action.dueDate) ? OSCAL.Timing(onDate: OSCAL.OnDate(date: action.dueDate + "T23:59:59Z")) : nil,
                    remarks: record.evidence(linkedTo: action.id.description).map { "Evidence of implementation: \($0.name), SHA-256 \($0.digest?.hex ?? "unknown")" }
                        .nonEmpty?.joined(separator: "\n"))
            }
            let remediation = OSCAL.Response(
                uuid: planUUID, lifecycle: item.actions.isEmpty ? "recommendation" : (item.actions.allSatisfy(\.isDone) ? "completed" : "planned"),
                title: line("Corrective-action plan for \(label)"),
                description: [
                    "Correction: \(content.text(of: finding.id, Finding.Field.correction.rawValue, winner: finding.correction) ?? "not recorded").",
                    "Root cause: \(content.text(of: finding.id, Finding.Field.rootCause.rawValue, winner: finding.rootCause) ?? "not recorded").",
                ].joined(separator: "\n\n"),
                props: [property("state", item.state.rawValue)].compactMap { $0 },
                tasks: tasks.nonEmpty)
            var log: [OSCAL.RiskLogEntry] = [OSCAL.RiskLogEntry(
                uuid: NameBasedUUID.uuid("risk-log", finding.id.description, "raised"), title: "Raised",
                description: "Raised by \(finding.raisedBy ?? "an auditor") as a \(finding.grade?.rawValue ?? "") nonconformity.",
                start: timestamp(Int64(finding.id.milliseconds)), loggedBy: party(named: finding.raisedBy).map { [OSCAL.LoggedBy(partyUUID: $0)] },
                statusChange: "open")]
            if let at = finding.signedOffAt {
                log.append(OSCAL.RiskLogEntry(
                    uuid: NameBasedUUID.uuid("risk-log", finding.id.description, "signed-off"), title: line("Signed off as \(label)"),
                    description: record.signOffSummary(of: finding, time: content.time), start: timestamp(at),
                    loggedBy: party(of: finding.signedOffBy.flatMap { try? ReplicaID(hex: $0) }).map { [OSCAL.LoggedBy(partyUUID: $0)] }))
            }
            for action in item.actions {
                guard let done = action.doneOn, Dates.isValid(done) else { continue }
                log.append(OSCAL.RiskLogEntry(
                    uuid: NameBasedUUID.uuid("risk-log", action.id.description, "done"), title: line("Corrective action done: \(action.action)"),
                    description: action.implementation, start: done + "T00:00:00Z",
                    relatedResponses: [OSCAL.RelatedResponse(responseUUID: planUUID)]))
            }
            if let verification = finding.verification {
                log.append(OSCAL.RiskLogEntry(
                    uuid: NameBasedUUID.uuid("risk-log", finding.id.description, "verification"),
                    title: verification.outcome == .accepted ? "Corrective actions accepted" : "Corrective actions rejected",
                    description: verificationDescription(verification), start: timestamp(verification.at),
                    loggedBy: party(of: try? ReplicaID(hex: verification.by)).map { [OSCAL.LoggedBy(partyUUID: $0)] },
                    statusChange: verification.outcome == .accepted ? "closed" : "remediating",
                    relatedResponses: [OSCAL.RelatedResponse(responseUUID: planUUID)]))
            }
            return OSCAL.Risk(
                uuid: riskUUID(finding.id), title: line("\(label): \(finding.refs.first.map { "\(content.shown($0)) \(content.title(of: $0))" } ?? "no requirement")"),
                description: content.text(of: finding.id, Finding.Field.statement.rawValue, winner: finding.statement) ?? "—",
                statement: content.text(of: finding.id, Finding.Field.gradeJustification.rawValue, winner: finding.gradeJustification)
                    .map { "Grade \(finding.grade?.rawValue ?? "?"): \($0)" } ?? "Grade \(finding.grade?.rawValue ?? "?"); no justification recorded.",
                props: [
                    property("nonconformity-number", record.nonconformityLabel(of: finding.id)), property("grade", finding.grade?.rawValue),
                    property("follow-up-state", item.state.rawValue), property("overdue", item.isOverdue ? "yes" : "no"),
                ].compactMap { $0 }.nonEmpty,
                status: status, origins: origins(finding.contributors.compactMap { party(named: $0) }),
                deadline: item.deadline.map { $0 + "T23:59:59Z" },
                remediations: [remediation], riskLog: OSCAL.RiskLog(entries: log),
                relatedObservations: [OSCAL.RelatedObservation(observationUUID: observationUUID("finding", finding.id))])
        }
    }

    func verificationDescription(_ verification: ClosureVerification) -> String {
        let files = verification.evidence.compactMap { id in record.evidence.first { $0.id.description == id }?.name }
        return verification.reason + (files.isEmpty ? "" : " Evidence examined: \(files.joined(separator: ", ")).")
    }

    // MARK: - Findings

    var findings: [OSCAL.Finding] {
        var findings: [OSCAL.Finding] = []
        for finding in content.findings {
            let grades = record.conflictingTexts(of: finding.id, Finding.Field.grade.rawValue) ?? [finding.grade?.rawValue].compactMap { $0 }
            let nonconformity = grades.contains { FindingGrade(rawValue: $0)?.isNonconformity == true }
            let label = content.labels[finding.id] ?? finding.id.short
            let tests = finding.refs.flatMap { content.tests(of: $0) }.reduce(into: [ControlTest]()) { if !$0.contains($1) { $0.append($1) } }
            for ref in finding.refs {
                var props: [OSCAL.Property?] = grades.map { property("grade", $0, class: grades.count > 1 ? "conflict" : nil) }
                props += [
                    property("label", label), property("requirement", content.shown(ref)), property("finding-id", finding.id.description),
                    property("finding-status", finding.status.rawValue), property("discussed", finding.discussed ? "yes" : "no"),
                    property("signed-off-by", content.signer(of: finding)),
                    property("signed-off-at", finding.signedOffAt.map(timestamp)),
                    property("nonconformity-number", record.nonconformityLabel(of: finding.id)),
                    property("grade-justification", finding.gradeJustification.map(line)),
                    property("sign-off-state", Self.signOffToken(finding.signOffState)),
                ]
                if let reference = record.standards.locate(ref) {
                    props += record.standards.catalogs[reference.standard].crossReferences(of: reference.requirement.ref)
                        .map { property("eu-ai-act", "\($0.framework) \($0.article)") }
                }
                var remarks: [String] = []
                if let position = content.text(of: finding.id, Finding.Field.auditeePosition.rawValue, winner: finding.auditeePosition) {
                    remarks.append("Auditee's position: \(position)")
                }
                if !finding.conflicts.isEmpty { remarks.append("Fields in conflict, every value shown: \(finding.conflicts.joined(separator: ", ")).") }
                if content.lateEntities.contains(finding.id) { remarks.append("Changed after the engagement was closed; not yet accepted by the lead.") }
                for late in content.context.rejectedLateChanges where late.entity == finding.id {
                    remarks.append("Change \(late.change) of \(late.field) after the engagement was closed, rejected by the lead: \(late.decision?.reason ?? "no reason recorded").")
                }
                let merges = content.mergeLines(of: finding)
                if !merges.isEmpty { remarks.append("Merged findings: \(merges.joined(separator: "; ")).") }
                findings.append(OSCAL.Finding(
                    uuid: NameBasedUUID.uuid("finding", finding.id.description, ref),
                    title: line("\(label): \(content.shown(ref)) \(content.title(of: ref))"),
                    description: content.text(of: finding.id, Finding.Field.statement.rawValue, winner: finding.statement) ?? "—",
                    props: props.compactMap { $0 }.nonEmpty,
                    origins: origins(finding.contributors.compactMap { party(named: $0) }),
                    target: OSCAL.Target(
                        type: "objective-id", targetID: OSCALAssessmentResults.controlID(for: ref), title: line("\(content.shown(ref)) \(content.title(of: ref))"),
                        status: OSCAL.Status(state: nonconformity ? "not-satisfied" : "satisfied", reason: nonconformity ? "fail" : "pass")),
                    relatedObservations: ([observationUUID("finding", finding.id)] + tests.filter { $0.refs.contains(ref) }.map { observationUUID("test", $0.id) })
                        .map(OSCAL.RelatedObservation.init),
                    relatedRisks: finding.grade?.isNonconformity == true ? [OSCAL.RelatedRisk(riskUUID: riskUUID(finding.id))] : nil,
                    remarks: remarks.nonEmpty?.joined(separator: "\n\n")))
            }
        }
        let findingRefs = Set(content.findings.flatMap(\.refs))
        let rows = content.coverages.flatMap(\.rows)
        for row in rows where !findingRefs.contains(row.stored) && (row.result == "conforming" || row.result == "nonconforming") {
            let tests = content.tests(of: row.stored)
            let satisfied = row.result == "conforming"
            let shown = content.shown(row.stored)
            findings.append(OSCAL.Finding(
                uuid: NameBasedUUID.uuid("requirement", engagement.id.description, row.stored),
                title: line("\(shown) \(row.title)"),
                description: "Examined: \(row.summary); no finding was raised.",
                props: [property("requirement", shown), property("result", row.result)].compactMap { $0 }.nonEmpty,
                origins: origins(row.workedOnBy.compactMap { party(named: $0) }),
                target: OSCAL.Target(
                    type: "objective-id", targetID: OSCALAssessmentResults.controlID(for: row.stored), title: line("\(shown) \(row.title)"),
                    status: OSCAL.Status(state: satisfied ? "satisfied" : "not-satisfied", reason: satisfied ? "pass" : "fail")),
                relatedObservations: tests.map { OSCAL.RelatedObservation(observationUUID: observationUUID("test", $0.id)) }.nonEmpty))
        }
        return findings
    }

    // MARK: - Back matter

    func resourceUUID(_ evidence: Evidence) -> String { NameBasedUUID.uuid("resource", "evidence", evidence.id.description) }

    var resources: [OSCAL.Resource] {
        content.evidence.map { item in
            let held = item.digest.map { !content.context.missingEvidence.contains($0) } ?? false
            let props: [OSCAL.Property?] = [
                property("evidence-id", item.id.description), property("captured-by", item.capturedBy),
                property("captured-at", item.capturedAt.map(timestamp)), property("size", String(item.size)),
                property("held", held ? "yes" : "no"),
                property("command", item.run?.commandLine), property("working-directory", item.run?.directory),
                property("host", item.run?.host), property("started", item.run.map { Evidence.Run.time($0.startedAt) }),
                property("ended", item.run.map { Evidence.Run.time($0.endedAt) }), property("outcome", item.run?.outcome),
                property("redaction", item.run?.redactionNote), property("output-cut", item.run?.truncationNote),
                property("evidence-set", item.set?.description),
            ]
            return OSCAL.Resource(
                uuid: resourceUUID(item), title: line(item.name.isEmpty ? "unnamed evidence" : item.name), description: item.description,
                props: props.compactMap { $0 }.nonEmpty,
                rlinks: [OSCAL.RLink(
                    href: "evidence/" + (item.name.addingPercentEncoding(withAllowedCharacters: Self.pathCharacters) ?? item.id.description),
                    mediaType: item.mediaType,
                    hashes: item.digest.map { [OSCAL.Hash(algorithm: "SHA-256", value: $0.hex)] })],
                remarks: "Stored by SHA-256 in the replica's evidence store; `fieldaudit evidence extract \(item.id.short) -o FILE` copies it out, checking the hash.")
        }
    }

    static let pathCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))

    // MARK: - Values

    /// A property in FieldAudit's namespace, or `nil` for a missing or blank value.
    func property(_ name: String, _ value: String?, class: String? = nil) -> OSCAL.Property? {
        guard let value else { return nil }
        let flat = line(value)
        return flat.isEmpty ? nil : OSCAL.Property(name: name, ns: ns, value: flat, class: `class`)
    }

    /// Text on one line with no space at either end, as OSCAL's titles, names and property values want.
    func line(_ text: String) -> String {
        text.split(whereSeparator: { $0.isNewline || $0 == "\t" }).joined(separator: " ").trimmingCharacters(in: .whitespaces)
    }

    /// Unix milliseconds as an RFC 3339 time in UTC, to the second.
    func timestamp(_ milliseconds: Int64) -> String {
        SiteTime.rfc3339(milliseconds)
    }
}
