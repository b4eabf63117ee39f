/// What closing an engagement must say before it freezes the conclusion: what is not covered and
/// what is open, and why a recommendation would state more than the record shows. Pure: computed
/// from the record and its coverage, so `engagement close`, `status` and the report say the same.
public struct ClosingReview: Sendable {
    /// Mandatory clauses (4–10) nothing in the record concerns.
    public let clausesNotExamined: [Coverage.Row]
    /// Applicable Annex A controls (those the Statement of Applicability does not exclude) nothing
    /// in the record concerns.
    public let controlsNotExamined: [Coverage.Row]
    /// Open major nonconformities: settled ones, then those where major is one grade of a conflict.
    public let openMajors: [Finding]
    /// Open minor nonconformities (grade settled as minor, status not closed).
    public let openMinors: [Finding]
    /// What the findings propose (`Recommendation.proposed(for:)`).
    public let proposed: Recommendation

    /// The engagement's standards, to show the rows' references (`refs(_:)`).
    private let standards: Standards

    /// Reviews a record: every standard it audits (in an integrated audit, each one's clauses are
    /// mandatory), or only `coverage`'s when given.
    public init(_ record: EngagementRecord, coverage: Coverage? = nil) {
        standards = record.standards
        let coverages = coverage.map { [$0] } ?? standards.catalogs.indices.map { Coverage(record, standard: $0) }
        let applicable = coverages.flatMap(\.applicableRows).filter { $0.state == .notExamined }
        clausesNotExamined = applicable.filter { $0.kind == .clause }
        controlsNotExamined = applicable.filter { $0.kind == .control }
        let (settled, disputed) = record.openMajorFindings()
        openMajors = settled + disputed
        openMinors = record.findings.filter { finding in
            finding.grade == .minor && record.conflictingValues(of: finding.id, Finding.Field.grade.rawValue) == nil
                && (record.conflictingTexts(of: finding.id, Finding.Field.status.rawValue) ?? [finding.status.rawValue])
                    .contains { $0 != FindingStatus.closed.rawValue }
        }
        proposed = .proposed(for: record)
    }

    /// The references of rows as shown: `PREFIX:REF` in an integrated audit, bare otherwise.
    public func refs(_ rows: [Coverage.Row]) -> [String] {
        rows.map { standards.shown($0.stored) }
    }

    /// Why recording `recommendation` would state more than the record shows; empty when it is
    /// supported. Only "certify" can overstate: it needs no open major nonconformity and every
    /// mandatory clause examined. A lead who records it anyway must justify it.
    public func reasons(against recommendation: Recommendation) -> [String] {
        guard recommendation == .certify else { return [] }
        var reasons: [String] = []
        if !openMajors.isEmpty {
            reasons.append("\(openMajors.count) major nonconformit\(openMajors.count == 1 ? "y is" : "ies are") open")
        }
        if !clausesNotExamined.isEmpty {
            reasons.append("\(clausesNotExamined.count) mandatory clause\(clausesNotExamined.count == 1 ? " was" : "s were") not examined ("
                + refs(clausesNotExamined).joined(separator: ", ") + ")")
        }
        return reasons
    }
}
