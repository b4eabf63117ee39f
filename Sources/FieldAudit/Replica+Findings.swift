import AuditModel
import Replication

extension Replica {
    /// Raises a finding; links the given evidence to it in the same transaction.
    public func raiseFinding(
        grade: FindingGrade, refs: [String], statement: String, evidence: [String], objectiveEvidence: String?,
        systems: [String], gradeJustification: String? = nil, engagement reference: String?
    ) throws(FieldAuditError) -> EntityID {
        let record = try capturing(in: reference, kinds: [.evidence, .system])
        var evidenceIDs: [EntityID] = []
        for item in evidence { evidenceIDs.append(try resolve(item, among: record.evidence.map(\.id), kind: "evidence")) }
        let draft = Finding.Draft(
            grade: grade, refs: try checkedRefs(refs, in: record), statement: statement, evidence: evidenceIDs,
            objectiveEvidence: objectiveEvidence, systems: try systemIDs(systems, in: record), gradeJustification: gradeJustification)
        let writes = try validate { () throws(AuditModelError) in try draft.writes(raisedBy: name) }
        let id = makeEntityID()
        try write(in: record.engagement.id) { writer in
            try writer.put(writes, entity: id, kind: .finding)
            for item in evidenceIDs {
                try writer.put(
                    EvidenceLink.writes(evidence: item, target: id.description, targetKind: "finding"),
                    entity: EvidenceLink.id(evidence: item, target: id.description), kind: .link)
            }
        }
        return id
    }

    /// What `finding edit` may change; `nil` leaves a field as it is.
    public struct FindingEdit: Sendable {
        /// A new grade.
        public var grade: FindingGrade?
        /// New requirement references, replacing the old ones.
        public var refs: [String]?
        /// A new statement.
        public var statement: String?
        /// New objective evidence in words.
        public var objectiveEvidence: String?
        /// A new status.
        public var status: FindingStatus?
        /// A new justification of the grade.
        public var gradeJustification: String?

        /// An edit; each field left nil stays as it is.
        public init(
            grade: FindingGrade? = nil, refs: [String]? = nil, statement: String? = nil, objectiveEvidence: String? = nil, status: FindingStatus? = nil,
            gradeJustification: String? = nil
        ) {
            self.gradeJustification = gradeJustification
            self.grade = grade
            self.refs = refs
            self.statement = statement
            self.objectiveEvidence = objectiveEvidence
            self.status = status
        }
    }

    /// Edits a finding's fields. Each write supersedes the values this replica sees, so editing a
    /// field in conflict resolves it. A nonconformity must keep objective evidence.
    public func editFinding(_ reference: String, _ edit: FindingEdit, engagement: String?) throws(FieldAuditError) -> EntityID {
        let record = try capturing(in: engagement, kinds: [.finding, .evidence, .link])
        let finding = try finding(reference, in: record)
        var writes: FieldWrites = []
        typealias F = Finding.Field
        if let grade = edit.grade {
            let hasEvidence = !record.evidence(behind: finding).isEmpty
                || !(edit.objectiveEvidence ?? finding.objectiveEvidence ?? "").isEmpty
            if grade.isNonconformity, !hasEvidence { throw .model(.nonconformityWithoutEvidence(grade: grade.rawValue)) }
            writes.append((F.grade.rawValue, .text(grade.rawValue)))
        }
        if let refs = edit.refs { writes.append((F.refs.rawValue, FieldCoding.encodeStrings(try checkedRefs(refs, in: record)))) }
        if let statement = edit.statement {
            guard !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .model(.missing(field: "statement")) }
            writes.append((F.statement.rawValue, .text(statement)))
        }
        if let text = edit.objectiveEvidence { writes.append((F.objectiveEvidence.rawValue, .text(text))) }
        if let status = edit.status { writes.append((F.status.rawValue, .text(status.rawValue))) }
        if let text = edit.gradeJustification {
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .model(.missing(field: "the grade's justification")) }
            writes.append((F.gradeJustification.rawValue, .text(text)))
        }
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: finding.id, kind: .finding) }
        return finding.id
    }

    /// Records that the finding was discussed with the auditee, and the auditee's position.
    public func discussFinding(_ reference: String, position: String, engagement: String?) throws(FieldAuditError) -> EntityID {
        let record = try capturing(in: engagement, kinds: [.finding])
        let finding = try finding(reference, in: record)
        try write(in: record.engagement.id) { writer in
            try writer.put(
                [(Finding.Field.discussed.rawValue, .bool(true)), (Finding.Field.auditeePosition.rawValue, .text(position))],
                entity: finding.id, kind: .finding)
        }
        return finding.id
    }

    /// Signs a finding off. Only a lead may (`Roster`); a finding with an unresolved conflict cannot be signed off.
    ///
    /// The sign-off records the digest of the content fields signed (`Finding.contentDigest`), so a
    /// later edit from any replica voids it (`Finding.signOffState`). A major or minor
    /// nonconformity needs a justification of its grade, and gets its number here if it has none
    /// (`NonconformityNumbering`): one more than any number in the engagement, read in the same
    /// transaction. Returns the finding and its label (`NC-01`) when it is numbered.
    ///
    /// - Throws: `.unresolvedConflict`; `.model(.missing)` for a nonconformity without a grade
    ///   justification; `.invalidInput` for a finding merged into another; `.refused` unless this
    ///   replica is a lead.
    @discardableResult
    public func signOffFinding(_ reference: String, engagement: String?) throws(FieldAuditError) -> (id: EntityID, label: String?) {
        let record = try capturing(in: engagement, kinds: [.finding])
        let finding = try finding(reference, in: record)
        if let kept = finding.mergedInto {
            let name = { (id: EntityID) in record.nonconformityLabel(of: id).map { "\($0) (\(id.short))" } ?? id.short }
            throw .invalidInput(
                source: "finding sign-off", reason: "finding \(name(finding.id)) is merged into \(name(kept)) and counts there; sign off \(name(kept)) instead")
        }
        if let field = finding.conflicts.first {
            throw .unresolvedConflict(entity: finding.id.short, field: field)
        }
        let isNonconformity = finding.grade?.isNonconformity == true
        if isNonconformity, (finding.gradeJustification ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .model(.missing(
                field: "before sign-off, a \(finding.grade!.rawValue) nonconformity's grade justification (`fieldaudit finding edit \(finding.id.short) --grade-justification TEXT`)"))
        }
        try write(in: record.engagement.id) { writer in
            typealias F = Finding.Field
            var writes: FieldWrites = [
                (F.signedOffBy.rawValue, .text(identity.id.hex)), (F.signedOffAt.rawValue, .integer(now)),
                (F.signedOffDigest.rawValue, .text(finding.contentDigest)),
            ]
            if isNonconformity, finding.number == nil {
                let snapshots = try writer.transaction.snapshots(engagement: record.engagement.id, kinds: [EntityKind.finding.rawValue])
                writes.append((F.number.rawValue, .integer(Int64(NonconformityNumbering(snapshots).next))))
            }
            try writer.put(writes, entity: finding.id, kind: .finding)
        }
        return (finding.id, try self.record(of: record.engagement.id, kinds: [.finding]).nonconformityLabel(of: finding.id))
    }

    /// The finding a reference names in `record`: its id (or a unique prefix or suffix), or its
    /// nonconformity label (`NC-01`).
    ///
    /// - Throws: `.notFound` or `.ambiguous`.
    public func finding(named reference: String, in record: EngagementRecord) throws(FieldAuditError) -> Finding {
        try finding(reference, in: record)
    }

    /// The finding a reference names: its id (or a unique prefix or suffix), or its
    /// nonconformity label (`NC-01`, case ignored); merged findings included.
    func finding(_ reference: String, in record: EngagementRecord) throws(FieldAuditError) -> Finding {
        let all = record.findings + record.mergedFindings
        if let labelled = all.first(where: { record.nonconformityLabel(of: $0.id)?.caseInsensitiveCompare(reference) == .orderedSame }) {
            return labelled
        }
        let id = try resolve(reference, among: all.map(\.id), kind: "finding")
        return all.first { $0.id == id }!
    }
}
