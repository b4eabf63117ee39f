import Replication

/// An audit finding: its grade, the requirements it concerns, the statement and its objective
/// evidence, the auditee's position, and the lead's sign-off.
public struct Finding: Hashable, Sendable, Encodable {
    /// The field names a finding's change records use.
    public enum Field: String, CaseIterable, Sendable {
        case grade, refs, statement, objectiveEvidence, systems, discussed, auditeePosition, status, raisedBy
        case signedOffBy, signedOffAt
        case gradeJustification, number, signedOffDigest
        case correction, rootCause, verification
        /// The finding this one was merged into, and why (`FindingMerges`).
        case mergedInto, mergeReason
    }

    /// The fields whose values a sign-off binds (`contentDigest`): the requirements, the statement,
    /// the objective evidence, the grade and its justification, and the AI systems concerned.
    public static let contentFields: [Field] = [.grade, .refs, .statement, .objectiveEvidence, .gradeJustification, .systems]

    /// The fields the follow-up after the audit writes (the auditee's correction and root cause,
    /// the auditor's verification, the status it closes): never late for a closing (`Closing`).
    public static let followUpFields: Set<Field> = [.correction, .rootCause, .verification, .status]

    /// The fields only a lead writes (`Roster`): the sign-off, its digest, the number it assigns,
    /// the verification of closure, and a merge into another finding.
    public static let leadOnlyFields: Set<Field> = [.signedOffBy, .signedOffAt, .signedOffDigest, .number, .verification, .mergedInto, .mergeReason]

    /// The finding's entity id, a UUIDv7 minted when it was raised.
    public let id: EntityID
    /// Major or minor nonconformity, opportunity for improvement, observation or good practice;
    /// `nil` if not recorded.
    public var grade: FindingGrade?
    /// The requirements the finding concerns, in the order given; the first titles it in reports.
    public var refs: [String]
    /// The statement of the finding: what the auditors found against which requirement (ISO 19011
    /// §6.4.8); empty only if no change ever wrote one.
    public var statement: String
    /// The objective evidence in words, beside or instead of linked evidence files.
    public var objectiveEvidence: String?
    /// Ids of the AI systems concerned.
    public var systems: [String]
    /// Whether the finding was discussed with the auditee, as ISO/IEC 17021-1 §9.4.5 asks for nonconformities.
    public var discussed: Bool
    /// The auditee's position on the finding, as recorded after the discussion.
    public var auditeePosition: String?
    /// Open or closed (a nonconformity is closed once corrected); `open` until a change says otherwise.
    public var status: FindingStatus
    /// The name of the auditor who raised the finding.
    public var raisedBy: String?
    /// The lead's replica id, once signed off.
    public var signedOffBy: String?
    /// When the lead signed the finding off, Unix milliseconds.
    public var signedOffAt: Int64?
    /// Why the grade is what it is (ISO/IEC 17021-1 §9.4.8): required for a major or minor at sign-off.
    public var gradeJustification: String?
    /// The nonconformity's number, assigned at the lead's sign-off (`NonconformityNumbering`);
    /// never freed, even when the finding is regraded or deleted.
    public var number: Int?
    /// The digest of the content fields (`contentFields`) the lead signed off.
    public var signedOffDigest: String?
    /// The digest of the content fields as they are now (every visible value, conflicts included).
    public var contentDigest: String
    /// The most recent write to a content field: who (replica) and when (Unix milliseconds).
    public var lastContentChange: ContentChange?
    /// The auditee's correction (the immediate fix), as recorded after the audit.
    public var correction: String?
    /// The auditee's root-cause analysis.
    public var rootCause: String?
    /// The auditor's verification of the corrective actions; `nil` until one is recorded.
    public var verification: ClosureVerification?
    /// Fields edited concurrently and not yet resolved.
    public var conflicts: [String]
    /// Every visible statement when the statement is in conflict, winner first.
    public var statementVersions: [String]
    /// Set when the finding is merged into another: the finding it now counts under, the end of
    /// its chain of merges (`FindingMerges`). A merged finding is neither counted nor reported on its own.
    public var mergedInto: EntityID?
    /// The findings merged into this one, directly or through others, in id order. Their
    /// requirements, AI systems, objective evidence, evidence files and authors count as this
    /// finding's, read from them as they are now.
    public var mergedFrom: [EntityID]
    /// Who raised this finding and those merged into it, by name, each once, this finding's author first.
    public var contributors: [String]
    /// Why the lead merged this finding into another (`finding merge --reason`).
    public var mergeReason: String?

    /// Reads a finding from its entity's snapshot, taking each field's winning value.
    ///
    /// Returns `nil` when the snapshot is not a `finding` entity or has been deleted.
    init?(_ snapshot: EntitySnapshot) {
        guard snapshot.kind == EntityKind.finding.rawValue, !snapshot.deleted else { return nil }
        id = snapshot.id
        grade = snapshot.choice(Field.grade.rawValue)
        refs = snapshot.strings(Field.refs.rawValue)
        statement = snapshot.text(Field.statement.rawValue) ?? ""
        objectiveEvidence = snapshot.text(Field.objectiveEvidence.rawValue)
        systems = snapshot.strings(Field.systems.rawValue)
        discussed = snapshot.flag(Field.discussed.rawValue)
        auditeePosition = snapshot.text(Field.auditeePosition.rawValue)
        status = snapshot.choice(Field.status.rawValue) ?? .open
        raisedBy = snapshot.text(Field.raisedBy.rawValue)
        signedOffBy = snapshot.text(Field.signedOffBy.rawValue)
        signedOffAt = snapshot.integer(Field.signedOffAt.rawValue)
        gradeJustification = snapshot.text(Field.gradeJustification.rawValue)
        number = snapshot.fields[Field.number.rawValue]?.values.compactMap(\.value.integer).min().map { Int($0) }
        signedOffDigest = snapshot.text(Field.signedOffDigest.rawValue)
        contentDigest = Self.contentDigest(snapshot)
        lastContentChange = Self.contentFields.compactMap { snapshot.fields[$0.rawValue]?.values }.joined()
            .max { VisibleValue.displayPrecedes($1, $0) }
            .map { ContentChange(by: $0.id.origin, at: Int64($0.stamp.milliseconds)) }
        correction = snapshot.text(Field.correction.rawValue)
        rootCause = snapshot.text(Field.rootCause.rawValue)
        verification = snapshot.text(Field.verification.rawValue).flatMap(ClosureVerification.decode)
        conflicts = snapshot.conflictedFields
        statementVersions = snapshot.fields[Field.statement.rawValue]?.values.compactMap(\.value.text) ?? []
        mergedInto = nil
        mergedFrom = []
        contributors = raisedBy.map { [$0] } ?? []
        mergeReason = snapshot.text(Field.mergeReason.rawValue)
    }

    /// Whether the lead has signed the finding off.
    public var isSignedOff: Bool { signedOffBy != nil }

    /// What `finding raise` asks for.
    public struct Draft: Sendable {
        /// The finding's grade; a major or minor nonconformity needs evidence.
        public var grade: FindingGrade
        /// The requirements the finding concerns; at least one, checked by the caller against the catalog.
        public var refs: [String]
        /// The statement of the finding; must not be empty.
        public var statement: String
        /// Evidence files to link to the finding.
        public var evidence: [EntityID]
        /// The objective evidence in words; blank text counts as none.
        public var objectiveEvidence: String?
        /// The AI systems concerned, as inventory ids.
        public var systems: [EntityID]
        /// Why the grade is what it is; blank text counts as none. A major or minor needs one by sign-off.
        public var gradeJustification: String?

        /// A draft; only a grade, the requirements and the statement are required.
        public init(
            grade: FindingGrade, refs: [String], statement: String, evidence: [EntityID] = [], objectiveEvidence: String? = nil,
            systems: [EntityID] = [], gradeJustification: String? = nil
        ) {
            self.gradeJustification = gradeJustification
            self.grade = grade
            self.refs = refs
            self.statement = statement
            self.evidence = evidence
            self.objectiveEvidence = objectiveEvidence
            self.systems = systems
        }

        /// The fields of a new, open finding raised by `raisedBy` (the auditor's name), not yet
        /// discussed with the auditee.
        ///
        /// A nonconformity must rest on objective evidence (ISO/IEC 17021-1 §9.4.5): a major or
        /// minor needs linked evidence or objective-evidence text; other grades need neither.
        ///
        /// - Throws: `AuditModelError.nonconformityWithoutEvidence` for a major or minor without
        ///   evidence links or objective-evidence text; `.missing` for an empty statement or no reference.
        public func writes(raisedBy: String) throws(AuditModelError) -> FieldWrites {
            guard !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .missing(field: "statement") }
            guard !refs.isEmpty else { throw .missing(field: "requirement reference (--ref)") }
            let hasEvidenceText = !(objectiveEvidence ?? "").trimmingCharacters(in: .whitespaces).isEmpty
            if grade.isNonconformity, evidence.isEmpty, !hasEvidenceText {
                throw .nonconformityWithoutEvidence(grade: grade.rawValue)
            }
            var writes: FieldWrites = [
                (Field.grade.rawValue, .text(grade.rawValue)), (Field.refs.rawValue, FieldCoding.encodeStrings(refs)),
                (Field.statement.rawValue, .text(statement)), (Field.status.rawValue, .text(FindingStatus.open.rawValue)),
                (Field.discussed.rawValue, .bool(false)), (Field.raisedBy.rawValue, .text(raisedBy)),
            ]
            if hasEvidenceText, let objectiveEvidence { writes.append((Field.objectiveEvidence.rawValue, .text(objectiveEvidence))) }
            if let gradeJustification, !gradeJustification.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                writes.append((Field.gradeJustification.rawValue, .text(gradeJustification)))
            }
            if !systems.isEmpty { writes.append((Field.systems.rawValue, FieldCoding.encodeStrings(systems.map(\.description)))) }
            return writes
        }
    }
}
