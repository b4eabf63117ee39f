/// The audit team's recommendation on certification, the last word of a Stage 2 report
/// (ISO/IEC 17021-1 §9.4.8).
///
/// The findings propose one (`proposed(for:)`); the lead records the one that stands when closing
/// the engagement.
public enum Recommendation: String, Choice, Codable {
    case certify
    case certifyAfterClosure = "certify-after-closure"
    case doNotCertify = "do-not-certify"
    /// The field's name in messages.
    public static let fieldName = "recommendation"

    /// How reports word it.
    public var title: String {
        switch self {
        case .certify: "Certify"
        case .certifyAfterClosure: "Certify after closure of major nonconformities"
        case .doNotCertify: "Do not certify"
        }
    }

    /// The cautious proposal the findings make: certification after closure when any finding may
    /// be an open major nonconformity, certification otherwise.
    ///
    /// A finding counts as major when any visible value of its grade is major, so a conflict
    /// between a major and a minor grading proposes the cautious outcome rather than picking a
    /// side. A major nonconformity recorded as closed no longer holds certification back. The
    /// proposal is never `doNotCertify`: that judgement is the lead's alone.
    public static func proposed(for record: EngagementRecord) -> Recommendation {
        let openMajor = record.findings.contains { finding in
            let grades = record.conflictingTexts(of: finding.id, Finding.Field.grade.rawValue) ?? [finding.grade?.rawValue].compactMap { $0 }
            let statuses = record.conflictingTexts(of: finding.id, Finding.Field.status.rawValue) ?? [finding.status.rawValue]
            return grades.contains(FindingGrade.major.rawValue) && statuses.contains { $0 != FindingStatus.closed.rawValue }
        }
        return openMajor ? .certifyAfterClosure : .certify
    }
}
