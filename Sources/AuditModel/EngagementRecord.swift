import Replication

/// Everything recorded in one engagement, projected from its entities: what status, reports and
/// queries read. Pure: built from snapshots, no store access.
public struct EngagementRecord: Sendable {
    /// The engagement itself.
    public let engagement: Engagement
    /// The catalog the engagement audits against: the copy recorded in the engagement (so every
    /// replica audits against the same text, whatever versions it has imported since), else the
    /// one this replica knows by the engagement's standard id (built-in catalogs are not
    /// recorded), else ISO/IEC 42001. Resolved on first use.
    public var catalog: Catalog { standards.primary }
    /// Every standard the engagement audits, the primary one (`catalog`) first, then those recorded
    /// in its `catalogs` field; every visible value of that field counts (two leads adding a
    /// standard at once both add it), with the mapping sets recorded in its `mappings` field.
    /// Resolved on first use.
    public var standards: Standards { resolvedStandards.value }
    private let resolvedStandards: Resolved<Standards>
    /// The audit team, lead included; never the central repositories it is filed with.
    public let members: [TeamMember]
    /// The central repositories the engagement is filed with (member entities with the role
    /// `central`): they receive the whole engagement, but are not on the team.
    public let centrals: [TeamMember]
    /// The names of members no longer on the team (removed, or a key retired by a rotation), by
    /// replica: their work stays theirs, so it is shown under their names.
    private let formerNames: [ReplicaID: String]
    /// The auditee's Statement of Applicability, one entry per control declared.
    public let applicability: [ApplicabilityStatement]
    /// The auditee's AI-system inventory.
    public let systems: [AISystem]
    /// Every interview, open or ended.
    public let interviews: [Interview]
    /// Every interview note, but those of deleted interviews.
    public let notes: [Note]
    /// Every control test.
    public let tests: [ControlTest]
    /// Every evidence file's description (the files themselves are in the blob store).
    public let evidence: [Evidence]
    /// What each evidence file supports.
    public let links: [EvidenceLink]
    /// Every finding, signed off or not, but those merged into another (`FindingMerges`): a kept
    /// finding reads with what was merged into it.
    public let findings: [Finding]
    /// The findings merged into another, each with `mergedInto` set: listed apart, not counted.
    public let mergedFindings: [Finding]
    /// Every corrective action of the nonconformities.
    public let actions: [CorrectiveAction]
    /// The nonconformities' numbers (`NC-01`), deleted findings included so no number is reused.
    public let numbering: NonconformityNumbering
    /// The audit plan: sessions, meetings and Stage 1 points, in the order added.
    public let planItems: [PlanItem]
    /// The lead's decisions about changes that arrived after a closing.
    public let lateDecisions: [LateDecision]
    /// Every time the lead reopened the engagement, oldest first.
    public let reopenings: [Reopening]
    /// Every entity of the engagement with a field in conflict, with those fields.
    public let conflicts: [(kind: String, id: EntityID, fields: [String])]
    /// Every visible value of each field in conflict, so no view has to pick one side.
    let conflictStates: [FieldKey: FieldState]

    /// Projects the snapshots of one engagement (the engagement's own and every entity in it).
    ///
    /// Entities appear in id order, which for UUIDv7 ids is the order they were created in.
    /// `catalogs` lists the catalogs the reader knows; it is called only if `catalog` is read.
    /// Returns `nil` if no snapshot is the engagement itself.
    public init?(
        engagement id: EntityID, snapshots: [EntitySnapshot], catalogs: @escaping @Sendable () -> [Catalog] = { Catalog.builtIn }
    ) {
        let ordered = snapshots.sorted { $0.id < $1.id }
        guard let engagement = ordered.first(where: { $0.id == id }).flatMap(Engagement.init) else { return nil }
        self.engagement = engagement
        let recorded = ordered.first { $0.id == id }?.text(Engagement.Field.catalog.rawValue)
        let standard = engagement.standard
        let fields = ordered.first { $0.id == id }?.fields
        let others = fields?[Engagement.Field.catalogs.rawValue]?.values.compactMap(\.value.text) ?? []
        let mappings = fields?[Engagement.Field.mappings.rawValue]?.values.compactMap(\.value.text) ?? []
        resolvedStandards = Resolved {
            let primary = recorded.flatMap { try? Catalog.decode(Data($0.utf8)) } ?? Catalog.pick(standard, among: catalogs()) ?? .iso42001
            var standards = Standards(primary: primary, others: others.flatMap(Catalog.decodeList), mappingSets: mappings.flatMap(MappingSet.decodeList))
            standards.unreadCatalogs = others.flatMap(Catalog.unreadElements)
            standards.unreadMappingSets = mappings.flatMap(MappingSet.unreadElements)
            return standards
        }
        let everyone = ordered.compactMap(TeamMember.init)
        var formerNames: [ReplicaID: String] = [:]
        for snapshot in ordered where snapshot.kind == EntityKind.member.rawValue && snapshot.deleted {
            if let replica = snapshot.text(TeamMember.Field.replica.rawValue).flatMap({ try? ReplicaID(hex: $0) }),
               let name = snapshot.text(TeamMember.Field.name.rawValue) {
                formerNames[replica] = name
            }
        }
        self.formerNames = formerNames
        members = everyone.filter { $0.role != .central }
        centrals = everyone.filter { $0.role == .central }
        applicability = ordered.compactMap(ApplicabilityStatement.init)
        systems = ordered.compactMap(AISystem.init)
        interviews = ordered.compactMap(Interview.init)
        // A deleted interview takes its notes out of view with it (they stay recorded, and come back with it).
        let deletedInterviews = Set(ordered.filter { $0.kind == EntityKind.interview.rawValue && $0.deleted }.map(\.id))
        notes = ordered.compactMap(Note.init).filter { note in note.interview.map { !deletedInterviews.contains($0) } ?? true }
        tests = ordered.compactMap(ControlTest.init)
        evidence = ordered.compactMap(Evidence.init)
        links = ordered.compactMap(EvidenceLink.init)
        (findings, mergedFindings) = FindingMerges(ordered).apply(to: ordered.compactMap(Finding.init))
        actions = ordered.compactMap(CorrectiveAction.init)
        numbering = NonconformityNumbering(ordered)
        planItems = ordered.compactMap(PlanItem.init)
        lateDecisions = ordered.compactMap(LateDecision.init)
        reopenings = ordered.compactMap(Reopening.init).sorted { ($0.reopenedAt ?? 0, $0.id) < ($1.reopenedAt ?? 0, $1.id) }
        conflicts = ordered.filter { !$0.conflictedFields.isEmpty }.map { ($0.kind, $0.id, $0.conflictedFields) }
        var states: [FieldKey: FieldState] = [:]
        for snapshot in ordered {
            for (field, state) in snapshot.fields where state.isConflict {
                states[FieldKey(entity: snapshot.id, field: field)] = state
            }
        }
        conflictStates = states
    }

    /// Every visible value of a field in conflict, winner first; `nil` when the field is not in conflict.
    public func conflictingValues(of entity: EntityID, _ field: String) -> [VisibleValue]? {
        conflictStates[FieldKey(entity: entity, field: field)]?.values
    }

    /// The text of every visible value of a field in conflict, winner first; `nil` when the field
    /// is not in conflict.
    public func conflictingTexts(of entity: EntityID, _ field: String) -> [String]? {
        conflictingValues(of: entity, field)?.map { $0.value.text ?? $0.value.description }
    }

    /// The role of a replica in this engagement, if it is on the team.
    public func role(of replica: ReplicaID) -> TeamRole? {
        members.first { $0.replica == replica }?.role
    }

    /// The Statement of Applicability entry of a control, if declared.
    public func applicability(of ref: String) -> ApplicabilityStatement? {
        applicability.first { $0.ref == ref }
    }

    /// The evidence linked to a target (an entity id or a requirement reference).
    public func evidence(linkedTo target: String) -> [Evidence] {
        let ids = Set(links.filter { $0.target == target }.map(\.evidence))
        return evidence.filter { ids.contains($0.id) }
    }

    /// The evidence behind a finding: the files linked to it and to every finding merged into it,
    /// each once, in capture order of the record.
    public func evidence(behind finding: Finding) -> [Evidence] {
        let targets = Set(([finding.id] + finding.mergedFrom).map(\.description))
        let ids = Set(links.filter { targets.contains($0.target) }.map(\.evidence))
        return evidence.filter { ids.contains($0.id) }
    }

    /// Every finding of the engagement, merged ones included, by id.
    public func anyFinding(_ id: EntityID) -> Finding? {
        findings.first { $0.id == id } ?? mergedFindings.first { $0.id == id }
    }

    /// The findings not closed (in any of their visible status values) that an auditor graded
    /// major: `settled` when the grade is major and not in conflict, `disputed` when major is one
    /// of the values of a grade in conflict. What makes the proposal "certify after closure".
    public func openMajorFindings() -> (settled: [Finding], disputed: [Finding]) {
        let open = findings.filter { finding in
            (conflictingTexts(of: finding.id, Finding.Field.status.rawValue) ?? [finding.status.rawValue]).contains { $0 != FindingStatus.closed.rawValue }
        }
        let disputed = open.filter { (conflictingTexts(of: $0.id, Finding.Field.grade.rawValue) ?? []).contains(FindingGrade.major.rawValue) }
        let settled = open.filter { $0.grade == .major && conflictingValues(of: $0.id, Finding.Field.grade.rawValue) == nil }
        return (settled, disputed)
    }

    /// The lead's decision about a change, if one was recorded.
    public func lateDecision(about change: ChangeID) -> LateDecision? {
        let key = LateDecision.key(of: change)
        return lateDecisions.first { $0.change == key }
    }

    /// The name of a team member by replica id (a former member's, a retired key's included), or
    /// the id's first digits.
    public func memberName(_ replica: ReplicaID) -> String {
        members.first { $0.replica == replica }?.name ?? formerNames[replica] ?? replica.short
    }
}

import Foundation
