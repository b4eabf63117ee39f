/// The part of the OSCAL 1.1 assessment-results model that FieldAudit writes, as `Encodable`
/// values with OSCAL's hyphenated JSON keys.
///
/// Optional members and empty lists are left out of the JSON, as OSCAL wants: a list that is
/// present must hold at least one item (`nonEmpty`).
enum OSCAL {
    struct Document: Encodable {
        var assessmentResults: AssessmentResults
        enum CodingKeys: String, CodingKey { case assessmentResults = "assessment-results" }
    }

    struct AssessmentResults: Encodable {
        var uuid: String
        var metadata: Metadata
        var importAP: ImportAP
        var localDefinitions: LocalDefinitions?
        var results: [Result]
        var backMatter: BackMatter?
        enum CodingKeys: String, CodingKey {
            case uuid, metadata, results
            case importAP = "import-ap", localDefinitions = "local-definitions", backMatter = "back-matter"
        }
    }

    /// The assessment's own definitions: here, the audit plan's sessions and meetings as activities.
    struct LocalDefinitions: Encodable {
        var activities: [Activity]?
        var remarks: String?
    }

    /// A planned activity: a session or meeting of the audit plan.
    struct Activity: Encodable {
        var uuid: String
        var title: String?
        var description: String
        var relatedControls: ReviewedControls?
        var remarks: String?
        enum CodingKeys: String, CodingKey {
            case uuid, title, description, remarks
            case relatedControls = "related-controls"
        }
    }

    struct Metadata: Encodable {
        var title: String
        var lastModified: String
        var version: String
        var oscalVersion: String
        var props: [Property]?
        var roles: [Role]?
        var parties: [Party]?
        var responsibleParties: [ResponsibleParty]?
        var remarks: String?
        enum CodingKeys: String, CodingKey {
            case title, version, props, roles, parties, remarks
            case lastModified = "last-modified", oscalVersion = "oscal-version", responsibleParties = "responsible-parties"
        }
    }

    struct Role: Encodable {
        var id: String
        var title: String
        var description: String?
    }

    struct Party: Encodable {
        var uuid: String
        var type: String
        var name: String
        var props: [Property]?
        var addresses: [Address]?
        var memberOfOrganizations: [String]?
        enum CodingKeys: String, CodingKey {
            case uuid, type, name, props, addresses
            case memberOfOrganizations = "member-of-organizations"
        }
    }

    struct Address: Encodable {
        var addrLines: [String]
        enum CodingKeys: String, CodingKey { case addrLines = "addr-lines" }
    }

    struct ResponsibleParty: Encodable {
        var roleID: String
        var partyUUIDs: [String]
        enum CodingKeys: String, CodingKey { case roleID = "role-id", partyUUIDs = "party-uuids" }
    }

    struct ImportAP: Encodable {
        var href: String
        var remarks: String?
    }

    struct Result: Encodable {
        var uuid: String
        var title: String
        var description: String
        var start: String
        var end: String?
        var props: [Property]?
        var reviewedControls: ReviewedControls
        var observations: [Observation]?
        var risks: [Risk]?
        var findings: [Finding]?
        var remarks: String?
        enum CodingKeys: String, CodingKey {
            case uuid, title, description, start, end, props, observations, risks, findings, remarks
            case reviewedControls = "reviewed-controls"
        }
    }

    struct ReviewedControls: Encodable {
        var description: String?
        var controlSelections: [ControlSelection]
        enum CodingKeys: String, CodingKey { case description, controlSelections = "control-selections" }
    }

    struct ControlSelection: Encodable {
        var description: String?
        var includeControls: [SelectControl]
        var excludeControls: [SelectControl]?
        enum CodingKeys: String, CodingKey {
            case description
            case includeControls = "include-controls", excludeControls = "exclude-controls"
        }
    }

    struct SelectControl: Encodable {
        var controlID: String
        enum CodingKeys: String, CodingKey { case controlID = "control-id" }
    }

    struct Observation: Encodable {
        var uuid: String
        var title: String?
        var description: String
        var props: [Property]?
        var methods: [String]
        var types: [String]?
        var origins: [Origin]?
        var subjects: [Subject]?
        var relevantEvidence: [RelevantEvidence]?
        var collected: String
        enum CodingKeys: String, CodingKey {
            case uuid, title, description, props, methods, types, origins, subjects, collected
            case relevantEvidence = "relevant-evidence"
        }
    }

    struct Origin: Encodable {
        var actors: [Actor]
    }

    struct Actor: Encodable {
        var type: String
        var actorUUID: String
        var roleID: String?
        enum CodingKeys: String, CodingKey { case type, actorUUID = "actor-uuid", roleID = "role-id" }
    }

    struct Subject: Encodable {
        var subjectUUID: String
        var type: String
        var title: String?
        enum CodingKeys: String, CodingKey { case type, title, subjectUUID = "subject-uuid" }
    }

    struct RelevantEvidence: Encodable {
        var href: String?
        var description: String
    }

    struct Finding: Encodable {
        var uuid: String
        var title: String
        var description: String
        var props: [Property]?
        var origins: [Origin]?
        var target: Target
        var relatedObservations: [RelatedObservation]?
        var relatedRisks: [RelatedRisk]? = nil
        var remarks: String?
        enum CodingKeys: String, CodingKey {
            case uuid, title, description, props, origins, target, remarks
            case relatedObservations = "related-observations", relatedRisks = "related-risks"
        }
    }

    /// A finding's link to the risk that tracks its remediation.
    struct RelatedRisk: Encodable {
        var riskUUID: String
        enum CodingKeys: String, CodingKey { case riskUUID = "risk-uuid" }
    }

    /// A nonconformity as an OSCAL risk: its status, deadline, the corrective-action plan as a
    /// remediation with tasks, and its history as the risk log (the POA&M-like fields assessment
    /// results carry).
    struct Risk: Encodable {
        var uuid: String
        var title: String
        var description: String
        var statement: String
        var props: [Property]?
        var status: String
        var origins: [Origin]?
        var deadline: String?
        var remediations: [Response]?
        var riskLog: RiskLog?
        var relatedObservations: [RelatedObservation]?
        enum CodingKeys: String, CodingKey {
            case uuid, title, description, statement, props, status, origins, deadline, remediations
            case riskLog = "risk-log", relatedObservations = "related-observations"
        }
    }

    /// A response to a risk: here, the corrective-action plan.
    struct Response: Encodable {
        var uuid: String
        var lifecycle: String
        var title: String
        var description: String
        var props: [Property]?
        var tasks: [Task]?
        var remarks: String?
    }

    /// One corrective action, due on a date.
    struct Task: Encodable {
        var uuid: String
        var type: String
        var title: String
        var description: String?
        var props: [Property]?
        var timing: Timing?
        var remarks: String?
    }

    /// When a task is due.
    struct Timing: Encodable {
        var onDate: OnDate
        enum CodingKeys: String, CodingKey { case onDate = "on-date" }
    }

    /// A date-time (with zone) on which a task is due.
    struct OnDate: Encodable {
        var date: String
    }

    /// A risk's history.
    struct RiskLog: Encodable {
        var entries: [RiskLogEntry]
    }

    /// One event in a risk's history.
    struct RiskLogEntry: Encodable {
        var uuid: String
        var title: String
        var description: String?
        var start: String
        var props: [Property]?
        var loggedBy: [LoggedBy]?
        var statusChange: String?
        var relatedResponses: [RelatedResponse]?
        var remarks: String?
        enum CodingKeys: String, CodingKey {
            case uuid, title, description, start, props, remarks
            case loggedBy = "logged-by", statusChange = "status-change", relatedResponses = "related-responses"
        }
    }

    /// Who logged a risk-log entry.
    struct LoggedBy: Encodable {
        var partyUUID: String
        enum CodingKeys: String, CodingKey { case partyUUID = "party-uuid" }
    }

    /// A risk-log entry's link to a response.
    struct RelatedResponse: Encodable {
        var responseUUID: String
        enum CodingKeys: String, CodingKey { case responseUUID = "response-uuid" }
    }

    struct Target: Encodable {
        var type: String
        var targetID: String
        var title: String?
        var status: Status
        enum CodingKeys: String, CodingKey { case type, title, status, targetID = "target-id" }
    }

    struct Status: Encodable {
        var state: String
        var reason: String?
        var remarks: String?
    }

    struct RelatedObservation: Encodable {
        var observationUUID: String
        enum CodingKeys: String, CodingKey { case observationUUID = "observation-uuid" }
    }

    struct Property: Encodable {
        var name: String
        var ns: String?
        var value: String
        var `class`: String?
    }

    struct BackMatter: Encodable {
        var resources: [Resource]
    }

    struct Resource: Encodable {
        var uuid: String
        var title: String
        var description: String?
        var props: [Property]?
        var rlinks: [RLink]?
        var remarks: String?
    }

    struct RLink: Encodable {
        var href: String
        var mediaType: String?
        var hashes: [Hash]?
        enum CodingKeys: String, CodingKey { case href, hashes, mediaType = "media-type" }
    }

    struct Hash: Encodable {
        var algorithm: String
        var value: String
    }
}

extension Array {
    /// The array, or `nil` when it is empty: OSCAL lists, when present, hold at least one item.
    var nonEmpty: [Element]? { isEmpty ? nil : self }
}
