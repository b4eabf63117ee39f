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
    /// be an open major nonconformity (`EngagementRecord.openMajorFindings()`, the one home of
    /// that rule: a major in a grade conflict counts, a closed major does not), certification
    /// otherwise. The proposal is never `doNotCertify`: that judgement is the lead's alone.
    public static func proposed(for record: EngagementRecord) -> Recommendation {
        let (settled, disputed) = record.openMajorFindings()
        return settled.isEmpty && disputed.isEmpty ? .certify : .certifyAfterClosure
    }
}
