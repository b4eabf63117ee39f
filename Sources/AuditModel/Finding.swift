import Replication

/// An audit finding: its grade, the requirements it concerns, the statement and its objective
/// evidence, the auditee's position, and the lead's sign-off.
public struct Finding: Hashable, Sendable, Encodable {
    public enum Field: String, CaseIterable {
        case grade, refs, statement, objectiveEvidence, systems, discussed, auditeePosition, status, raisedBy
        case signedOffBy, signedOffAt
    }

    public let id: EntityID
    public var grade: FindingGrade?
    public var refs: [String]
    public var statement: String
    public var objectiveEvidence: String?
    /// Ids of the AI systems concerned.
    public var systems: [String]
    public var discussed: Bool
    public var auditeePosition: String?
    public var status: FindingStatus
    public var raisedBy: String?
    /// The lead's replica id, once signed off.
    public var signedOffBy: String?
    public var signedOffAt: Int64?
    /// Fields edited concurrently and not yet resolved.
    public var conflicts: [String]
    /// Every visible statement when the statement is in conflict, winner first.
    public var statementVersions: [String]

    public init?(_ snapshot: EntitySnapshot) {
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
        conflicts = snapshot.conflictedFields
        statementVersions = snapshot.fields[Field.statement.rawValue]?.values.compactMap(\.value.text) ?? []
    }

    /// Whether the lead has signed the finding off.
    public var isSignedOff: Bool { signedOffBy != nil }

    /// What `finding raise` asks for.
    public struct Draft: Sendable {
        public var grade: FindingGrade
        public var refs: [String]
        public var statement: String
        public var evidence: [EntityID]
        public var objectiveEvidence: String?
        public var systems: [EntityID]

        public init(
            grade: FindingGrade, refs: [String], statement: String, evidence: [EntityID] = [], objectiveEvidence: String? = nil,
            systems: [EntityID] = []
        ) {
            self.grade = grade
            self.refs = refs
            self.statement = statement
            self.evidence = evidence
            self.objectiveEvidence = objectiveEvidence
            self.systems = systems
        }

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
            if !systems.isEmpty { writes.append((Field.systems.rawValue, FieldCoding.encodeStrings(systems.map(\.description)))) }
            return writes
        }
    }
}
