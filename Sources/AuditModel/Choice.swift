/// A closed list of values written as text (`stage2`, `major`, `inspection`, …).
public protocol Choice: RawRepresentable<String>, CaseIterable, Hashable, Sendable {
    /// The field's name in messages (`audit type`, `finding grade`, …).
    static var fieldName: String { get }
}

extension Choice {
    /// Parses text, ignoring case.
    ///
    /// - Throws: `AuditModelError.invalidChoice` listing every valid value.
    public static func parse(_ text: String) throws(AuditModelError) -> Self {
        if let value = Self(rawValue: text.lowercased()) { return value }
        throw .invalidChoice(text, field: fieldName, valid: allCases.map(\.rawValue))
    }
}

/// The kind of audit in the certification cycle (ISO/IEC 17021-1 §9.3 and §9.6): Stage 1 reviews
/// readiness and documents, Stage 2 evaluates implementation and effectiveness, surveillance audits
/// follow in the years between, and recertification renews the certificate.
public enum AuditType: String, Choice, Codable {
    case stage1, stage2, surveillance, recertification
    /// The field's name in messages.
    public static let fieldName = "audit type"

    /// How reports name it.
    public var title: String {
        switch self {
        case .stage1: "Stage 1 audit"
        case .stage2: "Stage 2 audit"
        case .surveillance: "Surveillance audit"
        case .recertification: "Recertification audit"
        }
    }
}

/// A team member's role (ISO/IEC 17021-1 §9.2.2): the audit team leader, auditors, technical
/// experts who advise without auditing, and observers. Only the lead changes the team and signs
/// off findings.
///
/// `central` is not a role on the audit team: it records that the engagement is filed with the
/// certification body's central repository, which then reads the whole engagement, authors
/// nothing in it, and is never listed with the team (`EngagementRecord.members` leaves it out).
public enum TeamRole: String, Choice, Codable {
    case lead, auditor, expert, observer
    /// The central repository the engagement is filed with (not a team member).
    case central
    /// The field's name in messages.
    public static let fieldName = "team role"
}

/// How a control was tested (audit methods, ISO 19011 Annex A): asking (inquiry), watching
/// (observation), examining records (inspection), or redoing the work (reperformance).
public enum TestMethod: String, Choice, Codable {
    case inquiry, observation, inspection, reperformance
    /// The field's name in messages.
    public static let fieldName = "test method"
}

/// What a control test concluded.
public enum TestResult: String, Choice, Codable {
    case conforming, nonconforming
    case notTested = "not-tested"
    case notApplicable = "not-applicable"
    /// The field's name in messages.
    public static let fieldName = "test result"
}

/// The grade of a finding. Major and minor are nonconformities (ISO/IEC 17021-1 §3.12, §3.13): a
/// major one puts the management system's ability to achieve its intended results in doubt and
/// holds certification back until closed. The other grades ask for no corrective action.
public enum FindingGrade: String, Choice, Codable {
    case major, minor, ofi, observation
    case goodPractice = "good-practice"
    /// The field's name in messages.
    public static let fieldName = "finding grade"

    /// Whether the grade is a nonconformity, which must rest on objective evidence.
    public var isNonconformity: Bool { self == .major || self == .minor }

    /// How reports name it.
    public var title: String {
        switch self {
        case .major: "Major nonconformity"
        case .minor: "Minor nonconformity"
        case .ofi: "Opportunity for improvement"
        case .observation: "Observation"
        case .goodPractice: "Good practice"
        }
    }
}

/// The organisation's role towards an AI system.
public enum AISystemRole: String, Choice, Codable {
    case developer, provider, user
    /// The field's name in messages.
    public static let fieldName = "AI role"
}

/// The EU AI Act risk class of an AI system.
public enum RiskClass: String, Choice, Codable {
    case unacceptable, high, limited, minimal
    /// The field's name in messages.
    public static let fieldName = "risk class"
}

/// How far the auditee says a control is implemented (Statement of Applicability).
public enum ImplementationStatus: String, Choice, Codable {
    case implemented, partial, planned
    case notImplemented = "not-implemented"
    /// The field's name in messages.
    public static let fieldName = "implementation status"
}

/// Where an engagement stands.
public enum EngagementStatus: String, Choice, Codable {
    case planned, active, closed
    /// The field's name in messages.
    public static let fieldName = "engagement status"
}

/// Where a finding stands.
public enum FindingStatus: String, Choice, Codable {
    case open, closed
    /// The field's name in messages.
    public static let fieldName = "finding status"
}
