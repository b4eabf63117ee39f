import AuditModel
import Foundation
import Replication

/// The facts of an audit report, projected once from an engagement record, so that every format
/// (Markdown, HTML, CSV, OSCAL) states the same things, in the same order and the same words.
///
/// A field in conflict is never reduced to one of its values: `text(of:_:winner:)` spells out
/// every value with its author, and findings whose grade is in conflict are grouped apart rather
/// than under one of their grades. Lists come in an order that does not depend on ids made at
/// random: catalog order, time order, names.
struct ReportContent: Sendable {
    /// A group of findings of one grade.
    struct FindingGroup: Sendable {
        /// What the findings of the group share.
        enum Kind: Hashable, Sendable {
            /// Auditors graded the finding differently and nobody has resolved it yet.
            case gradeInConflict
            case grade(FindingGrade)
            /// No grade recorded.
            case ungraded
        }

        let kind: Kind
        let findings: [Finding]

        /// The group's heading.
        var title: String {
            switch kind {
            case .gradeInConflict: "Findings whose grade is in conflict"
            case let .grade(grade): grade.pluralTitle
            case .ungraded: "Findings without a grade"
            }
        }

        /// The start of each finding's label (`Major 1`, `OFI 2`).
        var labelPrefix: String {
            switch kind {
            case .gradeInConflict: "Disputed"
            case .grade(.major): "Major"
            case .grade(.minor): "Minor"
            case .grade(.ofi): "OFI"
            case .grade(.observation): "Observation"
            case .grade(.goodPractice): "Good practice"
            case .ungraded: "Ungraded"
            }
        }

        /// Whether the group holds nonconformities (or may, when the grade is disputed).
        var mayBeNonconformity: Bool {
            switch kind {
            case .gradeInConflict, .ungraded: true
            case let .grade(grade): grade.isNonconformity
            }
        }
    }

    /// Someone the auditors interviewed, with every interview they gave.
    struct Participant: Sendable {
        let name: String
        /// Their role or roles, as the interviews recorded them.
        let roles: [String]
        let interviews: [Interview]
        /// The auditors present, by name.
        let auditors: [String]
    }

    /// A field whose concurrent values nobody has resolved yet.
    struct ConflictLine: Sendable {
        /// The entity, in words (`finding Minor 1 (1a2b3c4d)`).
        let subject: String
        let field: String
        /// Every visible value in display order, with its author and time.
        let values: [(text: String, author: String, at: String)]
    }

    /// What the engagement's recommendation is and how firm it is.
    struct RecommendationState: Sendable {
        /// What the findings propose.
        let proposed: Recommendation
        /// What the lead recorded: one value, several when leads disagreed, none while open.
        let recorded: [Recommendation]
        /// Whether the engagement is closed, which freezes the recorded recommendation.
        let isFinal: Bool
    }

    let record: EngagementRecord
    let context: ReportContext
    /// The primary standard's coverage.
    let coverage: Coverage
    /// Each standard's coverage, the primary one first (one for an audit of one standard).
    let coverages: [Coverage]
    /// The engagement's closing, when it is closed.
    let closing: Closing?
    /// The findings by group: disputed grades first, then major, minor, OFI, observation, good
    /// practice; in each group in the order they were raised. Empty groups are left out.
    let findingGroups: [FindingGroup]
    /// Each finding's label: its group's prefix and its place in the group.
    let labels: [EntityID: String]
    /// The AI systems, by name.
    let systems: [AISystem]
    /// The interviews, by start time.
    let interviews: [Interview]
    /// The auditee's people the auditors interviewed, in order of their first interview.
    let participants: [Participant]
    /// The evidence files, in the order they were captured.
    let evidence: [Evidence]
    /// The entities a late change touched.
    let lateEntities: Set<EntityID>

    init(record: EngagementRecord, context: ReportContext) {
        self.record = record
        self.context = context
        coverage = Coverage(record)
        coverages = [coverage] + record.standards.catalogs.indices.dropFirst().map { Coverage(record, standard: $0) }
        closing = Closing(record.engagement)

        var groups: [FindingGroup] = []
        let disputed = record.findings.filter { record.conflictingValues(of: $0.id, Finding.Field.grade.rawValue) != nil }
        let settled = record.findings.filter { finding in !disputed.contains { $0.id == finding.id } }
        if !disputed.isEmpty { groups.append(FindingGroup(kind: .gradeInConflict, findings: disputed)) }
        for grade in [FindingGrade.major, .minor, .ofi, .observation, .goodPractice] {
            let findings = settled.filter { $0.grade == grade }
            if !findings.isEmpty { groups.append(FindingGroup(kind: .grade(grade), findings: findings)) }
        }
        let ungraded = settled.filter { $0.grade == nil }
        if !ungraded.isEmpty { groups.append(FindingGroup(kind: .ungraded, findings: ungraded)) }
        findingGroups = groups
        var labels: [EntityID: String] = [:]
        for group in groups {
            for (index, finding) in group.findings.enumerated() {
                // A nonconformity numbered at sign-off goes by its number (`NC-01`) everywhere.
                labels[finding.id] = record.nonconformityLabel(of: finding.id) ?? "\(group.labelPrefix) \(index + 1)"
            }
        }
        self.labels = labels

        systems = record.systems.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        interviews = record.interviews.sorted { ($0.startedAt ?? 0, $0.id) < ($1.startedAt ?? 0, $1.id) }
        var participants: [Participant] = []
        for name in interviews.map(\.interviewee) where !participants.contains(where: { $0.name == name }) {
            let theirs = interviews.filter { $0.interviewee == name }
            participants.append(Participant(
                name: name, roles: Self.unique(theirs.compactMap(\.role)), interviews: theirs,
                auditors: Self.unique(theirs.flatMap(\.auditors))))
        }
        self.participants = participants
        evidence = record.evidence.sorted { ($0.capturedAt ?? 0, $0.name, $0.id) < ($1.capturedAt ?? 0, $1.name, $1.id) }
        lateEntities = Set(context.lateChanges.map(\.entity))
    }

    /// What the `late` column of a CSV table says of an entity: `yes` when a change after closing
    /// awaits the lead's decision, `rejected` when the lead rejected one that changed it, else empty.
    func lateMark(_ entity: EntityID) -> String {
        if lateEntities.contains(entity) { return "yes" }
        return context.rejectedLateChanges.contains { $0.entity == entity } ? "rejected" : ""
    }

    /// Every unresolved conflict, as the report lists it.
    var conflicts: [ConflictLine] {
        record.conflicts.flatMap { conflict in
            conflict.fields.map { field in
                ConflictLine(
                    subject: subject(kind: conflict.kind, id: conflict.id), field: field,
                    values: (record.conflictingValues(of: conflict.id, field) ?? []).map { value in
                        (describe(value.value, field: field), record.memberName(value.id.origin), time(Int64(value.stamp.milliseconds)))
                    })
            }
        }.sorted { ($0.subject, $0.field) < ($1.subject, $1.field) }
    }

    // MARK: - Values in words

    /// A field's value for the report: its only value, or every value when it is in conflict,
    /// marked as such; `nil` when it was never written.
    func text(of entity: EntityID, _ field: String, winner: String?) -> String? {
        guard let values = record.conflictingValues(of: entity, field) else { return winner }
        return "CONFLICT, unresolved: " + values.map { value in
            "“\(describe(value.value, field: field))” (\(record.memberName(value.id.origin)))"
        }.joined(separator: " / ")
    }

    /// A value in words, as its field means it (`EngagementRecord.describe`), times in the report's zone.
    func describe(_ value: Value, field: String) -> String {
        record.describe(value, field: field, in: siteTime)
    }

    /// An entity in words, so a reader can find it in the report (`finding Minor 1`, `test of A.6.2.8`).
    func subject(kind: String, id: EntityID) -> String {
        switch EntityKind(rawValue: kind) {
        case .engagement: "the engagement"
        case .finding: "finding \(labels[id] ?? id.short)"
        case .test: "test of \(record.tests.first { $0.id == id }.map { shown($0.ref) } ?? "?") (\(id.short))"
        case .interview: "interview with \(record.interviews.first { $0.id == id }?.interviewee ?? "?") (\(id.short))"
        case .system: "AI system \(record.systems.first { $0.id == id }?.name ?? id.short)"
        case .soa: "Statement of Applicability, \(record.applicability.first { $0.id == id }.map { shown($0.ref) } ?? id.short)"
        case .member: "team member \(record.members.first { $0.id == id }?.name ?? id.short)"
        case .evidence: "evidence \(record.evidence.first { $0.id == id }?.name ?? id.short)"
        case .note: "note \(id.short)"
        case .link: "evidence link \(id.short)"
        case .action: "corrective action \(id.short)"
        case .planItem: "plan item \(record.planItems.first { $0.id == id }.map { [$0.kind?.title ?? "", $0.when].filter { !$0.isEmpty }.joined(separator: " ") } ?? id.short)"
        case .lateDecision: "decision on late change \(record.lateDecisions.first { $0.id == id }?.shortChange ?? id.short)"
        case .reopening: "reopening \(id.short)"
        case .keyRotation: "key rotation \(id.short)"
        case nil: "\(kind) \(id.short)"
        }
    }

    /// How the report writes times: in the context's zone (the engagement's), with the zone.
    var siteTime: SiteTime { SiteTime(context.timeZone) }

    /// A Unix-millisecond time as `YYYY-MM-DD HH:MM` and its zone (`UTC` or an offset); `—` when absent.
    func time(_ milliseconds: Int64?) -> String {
        siteTime.dateTime(milliseconds)
    }

    /// A time to the millisecond, with its zone (a command run's start and end).
    func preciseTime(_ milliseconds: Int64) -> String {
        siteTime.precise(milliseconds)
    }

    /// When something started and ended: `2026-12-01 09:30–10:15 UTC` on one day, both times in
    /// full otherwise; `—` without a start.
    func span(_ start: Int64?, _ end: Int64?) -> String {
        guard let start else { return "—" }
        let from = time(start)
        guard let end else { return from + ", not ended" }
        let to = time(end)
        let (day, clock) = (from.prefix(10), from.dropFirst(11).prefix(5))
        guard to.hasPrefix(day), from.dropFirst(16) == to.dropFirst(16) else { return "\(from) to \(to)" }
        return "\(day) \(clock)–\(to.dropFirst(11))"
    }

    // MARK: - Derived facts

    /// The organisation's roles towards its AI systems, each with the systems concerned.
    var aiRoles: [(role: AISystemRole, systems: [String])] {
        AISystemRole.allCases.compactMap { role in
            let names = systems.filter { $0.role == role }.map(\.name)
            return names.isEmpty ? nil : (role, names)
        }
    }

    /// The team, lead first, then by role and name.
    var team: [TeamMember] {
        let order: [TeamRole?] = [.lead, .auditor, .expert, .observer, nil]
        return record.members.sorted { left, right in
            let (l, r) = (order.firstIndex(of: left.role) ?? 4, order.firstIndex(of: right.role) ?? 4)
            return (l, left.name) < (r, right.name)
        }
    }

    /// The findings in report order.
    var findings: [Finding] { findingGroups.flatMap(\.findings) }

    /// The evidence a finding rests on: files linked to the finding or to a finding merged into
    /// it, then files linked to its requirements; each with the requirement it came through
    /// (`nil` for the finding itself).
    func evidence(citedBy finding: Finding) -> [(evidence: Evidence, via: String?)] {
        var cited: [(Evidence, String?)] = []
        var seen = Set<EntityID>()
        let own = ([finding.id] + finding.mergedFrom).map { ($0.description, String?.none) }
        for (target, via) in own + finding.refs.map({ ($0, Optional($0)) }) {
            for item in record.evidence(linkedTo: target) where seen.insert(item.id).inserted {
                cited.append((item, via))
            }
        }
        return cited.sorted { left, right in
            (left.1 == nil ? 0 : 1, left.0.capturedAt ?? 0, left.0.name) < (right.1 == nil ? 0 : 1, right.0.capturedAt ?? 0, right.0.name)
        }
    }

    /// The tests of a requirement, in the order they were recorded.
    func tests(of ref: String) -> [ControlTest] {
        record.tests.filter { $0.refs.contains(ref) }.sorted { $0.id < $1.id }
    }

    /// Each finding merged into `finding`, in words: `NC-03 (0193a2b4) merged into NC-01, raised
    /// by Ben: the same weakness` (the merged finding's number stays reserved to it).
    func mergeLines(of finding: Finding) -> [String] {
        let kept = labels[finding.id] ?? finding.id.short
        return finding.mergedFrom.map { id in
            let source = record.mergedFindings.first { $0.id == id }
            let name = record.nonconformityLabel(of: id).map { "\($0) (\(id.short))" } ?? "finding \(id.short)"
            return "\(name) merged into \(kept), raised by \(source?.raisedBy ?? "—")" + (source?.mergeReason.map { ": \($0)" } ?? "")
        }
    }

    /// Every EU AI Act (or other framework) article the findings' requirements map to.
    var crossReferences: [(finding: Finding, ref: String, reference: Catalog.CrossReference)] {
        findings.flatMap { finding in
            finding.refs.flatMap { ref in record.catalog.crossReferences(of: ref).map { (finding, ref, $0) } }
        }
    }

    /// The recommendation: proposed from the findings, recorded by the lead when closing.
    var recommendation: RecommendationState {
        let recorded = record.conflictingTexts(of: record.engagement.id, Engagement.Field.recommendation.rawValue)?
            .compactMap(Recommendation.init(rawValue:)) ?? [record.engagement.recommendation].compactMap { $0 }
        return RecommendationState(proposed: .proposed(for: record), recorded: recorded, isFinal: closing != nil)
    }

    /// The findings the lead has not signed off yet.
    /// A finding signed off and changed since counts as not signed off: its sign-off no longer stands.
    var unsignedFindings: [Finding] { findings.filter { !$0.signOffState.stands } }

    /// Every major and minor nonconformity's follow-up, in report order, on the report's day.
    var followUps: [NonconformityFollowUp] {
        findings.filter { $0.grade?.isNonconformity == true }.map { NonconformityFollowUp($0, in: record, today: context.today) }
    }

    /// A requirement's title from its standard's catalog, for a stored reference.
    func title(of ref: String) -> String { record.standards.locate(ref)?.requirement.title ?? "" }

    /// A stored reference as reports show it: `PREFIX:REF` in an integrated audit, as stored otherwise.
    func shown(_ ref: String) -> String { record.standards.shown(ref) }

    /// A member's name from the replica id a sign-off records.
    func signer(of finding: Finding) -> String? {
        finding.signedOffBy.map { text in (try? ReplicaID(hex: text)).map(record.memberName) ?? text }
    }

    /// The late changes, each described as the report lists it.
    var lateLines: [(subject: String, field: String, value: String, author: String, at: String, change: String)] {
        context.lateChanges.sorted { ($0.at, $0.change) < ($1.at, $1.change) }.map { late in
            let value = describe(late.written, field: late.field)
            return (subject(kind: late.kind, id: late.entity), late.field, value, late.author, time(late.at), late.change)
        }
    }

    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}

extension FindingGrade {
    /// How reports name several findings of the grade.
    var pluralTitle: String {
        switch self {
        case .major: "Major nonconformities"
        case .minor: "Minor nonconformities"
        case .ofi: "Opportunities for improvement"
        case .observation: "Observations"
        case .goodPractice: "Good practices"
        }
    }
}
