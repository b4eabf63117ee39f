import Replication

/// What a line of the audit plan is (ISO 19011 §6.3.2, ISO/IEC 17021-1 §9.2.3).
public enum PlanItemKind: String, Choice, Codable {
    /// An audit session: an auditee function met on a day, at a time and place, by an auditor, on
    /// some requirements.
    case session
    /// The opening meeting with the auditee's management.
    case opening
    /// The closing meeting, where the findings are presented.
    case closing
    /// An open point of the Stage 1 report, and how Stage 2 followed it up.
    case stage1
    /// The field's name in messages.
    public static let fieldName = "plan item kind"

    /// How the plan names it.
    public var title: String {
        switch self {
        case .session: "Session"
        case .opening: "Opening meeting"
        case .closing: "Closing meeting"
        case .stage1: "Stage 1 open point"
        }
    }
}

/// One line of the audit plan: a session, an opening or closing meeting, or a Stage 1 open point
/// with its follow-up. Written by the lead; replicated and merged like every other entity.
public struct PlanItem: Hashable, Sendable, Encodable {
    /// The field names a plan item's change records use.
    public enum Field: String, CaseIterable {
        case type, date, start, end, place, remote, function, refs, auditors, attendees, point, followUp
    }

    /// The item's entity id, a UUIDv7 minted when it was added.
    public let id: EntityID
    /// Session, meeting or Stage 1 point; `nil` if the stored value is not one.
    public var kind: PlanItemKind?
    /// The day, `YYYY-MM-DD`, for a session or meeting.
    public var date: String?
    /// The start time, `HH:MM` (the site's local time).
    public var start: String?
    /// The end time, `HH:MM`, after the start.
    public var end: String?
    /// Where it takes place (a site, a room); `nil` when remote or not said.
    public var place: String?
    /// Whether it takes place remotely (by video call).
    public var remote: Bool
    /// The auditee function met (`ML platform`, `Top management`).
    public var function: String?
    /// The requirements to cover, catalog references.
    public var refs: [String]
    /// The auditors, by their names on the team.
    public var auditors: [String]
    /// Who attends a meeting, by name (auditors and auditee).
    public var attendees: [String]
    /// A Stage 1 open point, in the Stage 1 report's words.
    public var point: String?
    /// How Stage 2 followed the Stage 1 point up.
    public var followUp: String?
    /// Fields edited concurrently and not yet resolved.
    public var conflicts: [String]

    /// Reads a plan item from its snapshot; `nil` when it is not a live plan item.
    public init?(_ snapshot: EntitySnapshot) {
        guard snapshot.kind == EntityKind.planItem.rawValue, !snapshot.deleted else { return nil }
        id = snapshot.id
        kind = snapshot.choice(Field.type.rawValue)
        date = snapshot.text(Field.date.rawValue)
        start = snapshot.text(Field.start.rawValue)
        end = snapshot.text(Field.end.rawValue)
        place = snapshot.text(Field.place.rawValue)
        remote = snapshot.flag(Field.remote.rawValue)
        function = snapshot.text(Field.function.rawValue)
        refs = snapshot.strings(Field.refs.rawValue)
        auditors = snapshot.strings(Field.auditors.rawValue)
        attendees = snapshot.strings(Field.attendees.rawValue)
        point = snapshot.text(Field.point.rawValue)
        followUp = snapshot.text(Field.followUp.rawValue)
        conflicts = snapshot.conflictedFields
    }

    /// When it takes place in words: `2026-12-01 09:00–10:30`; empty for a Stage 1 point.
    public var when: String {
        guard let date else { return "" }
        guard let start else { return date }
        return "\(date) \(start)" + (end.map { "–\($0)" } ?? "")
    }

    /// Where it takes place in words: `remote`, the place, or `—`.
    public var whereabouts: String { remote ? "remote" + (place.map { " (\($0))" } ?? "") : place ?? "—" }

    /// Orders the plan: sessions and meetings by day and start time, Stage 1 points after them, each
    /// in the order added.
    public static func planOrder(_ left: PlanItem, _ right: PlanItem) -> Bool {
        let key = { (item: PlanItem) in (item.kind == .stage1 ? 1 : 0, item.date ?? "", item.start ?? "") }
        let (l, r) = (key(left), key(right))
        return l != r ? l < r : left.id < right.id
    }

    /// What `plan add` and `plan import` ask for.
    public struct Draft: Sendable, Equatable {
        /// Session, meeting or Stage 1 point.
        public var kind: PlanItemKind
        /// The day, `YYYY-MM-DD`; required for sessions and meetings, inside the engagement's dates.
        public var date: String?
        /// The start, `HH:MM`; required for sessions and meetings.
        public var start: String?
        /// The end, `HH:MM`, after the start; required for sessions and meetings.
        public var end: String?
        /// Where; a session needs a place or `remote`.
        public var place: String?
        /// Whether it takes place remotely.
        public var remote: Bool
        /// The auditee function met; required for a session.
        public var function: String?
        /// The requirements to cover; the caller checks them against the catalog.
        public var refs: [String]
        /// The auditors by name; a session needs at least one; the caller checks them against the team.
        public var auditors: [String]
        /// Who attends, by name.
        public var attendees: [String]
        /// The Stage 1 point; required for a Stage 1 item.
        public var point: String?
        /// How Stage 2 followed the point up.
        public var followUp: String?

        /// A draft; what is required depends on the kind (`writes(within:)`).
        public init(
            kind: PlanItemKind, date: String? = nil, start: String? = nil, end: String? = nil, place: String? = nil, remote: Bool = false,
            function: String? = nil, refs: [String] = [], auditors: [String] = [], attendees: [String] = [], point: String? = nil,
            followUp: String? = nil
        ) {
            self.kind = kind
            self.date = date
            self.start = start
            self.end = end
            self.place = place
            self.remote = remote
            self.function = function
            self.refs = refs
            self.auditors = auditors
            self.attendees = attendees
            self.point = point
            self.followUp = followUp
        }

        /// The fields of a new plan item, checked: a session or meeting needs a real date inside
        /// the engagement's dates (when recorded), a start and an end written `HH:MM` with the end
        /// after the start; a session also needs a place or `remote`, the auditee function and at
        /// least one auditor; a Stage 1 item needs its point.
        ///
        /// - Throws: `AuditModelError.invalidDate`, `.invalidTime`, `.outsideEngagement`, `.missing`.
        public func writes(within engagement: Engagement) throws(AuditModelError) -> FieldWrites {
            typealias F = Field
            var writes: FieldWrites = [(F.type.rawValue, .text(kind.rawValue))]
            let text = { (value: String?) -> String? in
                guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
                return value
            }
            if kind == .stage1 {
                guard let point = text(point) else { throw .missing(field: "the Stage 1 point (--point)") }
                writes.append((F.point.rawValue, .text(point)))
                if let followUp = text(followUp) { writes.append((F.followUp.rawValue, .text(followUp))) }
                return writes
            }
            guard let date = text(date) else { throw .missing(field: "the date (--date YYYY-MM-DD)") }
            try Dates.check(date, field: "plan date")
            if let first = engagement.startDate, date < first { throw .outsideEngagement(date, start: first, end: engagement.endDate) }
            if let last = engagement.endDate, date > last { throw .outsideEngagement(date, start: engagement.startDate, end: last) }
            guard let start = text(start) else { throw .missing(field: "the start time (--start HH:MM)") }
            guard let end = text(end) else { throw .missing(field: "the end time (--end HH:MM)") }
            let from = try Self.minutes(start, field: "start time"), to = try Self.minutes(end, field: "end time")
            guard from < to else { throw .invalidTime(end, field: "end time, which must come after the start \(start)") }
            if kind == .session {
                guard remote || text(place) != nil else { throw .missing(field: "the place (--place TEXT) or --remote") }
                guard text(function) != nil else { throw .missing(field: "the auditee function (--function TEXT)") }
                guard !auditors.isEmpty else { throw .missing(field: "the auditor (--auditor NAME)") }
            }
            writes += [(F.date.rawValue, .text(date)), (F.start.rawValue, .text(start)), (F.end.rawValue, .text(end))]
            if let place = text(place) { writes.append((F.place.rawValue, .text(place))) }
            if remote { writes.append((F.remote.rawValue, .bool(true))) }
            if let function = text(function) { writes.append((F.function.rawValue, .text(function))) }
            if !refs.isEmpty { writes.append((F.refs.rawValue, FieldCoding.encodeStrings(refs))) }
            if !auditors.isEmpty { writes.append((F.auditors.rawValue, FieldCoding.encodeStrings(auditors))) }
            if !attendees.isEmpty { writes.append((F.attendees.rawValue, FieldCoding.encodeStrings(attendees))) }
            return writes
        }

        /// Minutes since midnight of a time written `HH:MM` (24-hour clock).
        ///
        /// - Throws: `AuditModelError.invalidTime` naming `field`.
        static func minutes(_ value: String, field: String) throws(AuditModelError) -> Int {
            let parts = value.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]),
                  (0...23).contains(hours), (0...59).contains(minutes)
            else { throw .invalidTime(value, field: field) }
            return hours * 60 + minutes
        }
    }
}

/// The engagement-level facts of the audit plan and the next step, as `plan set` writes them;
/// `nil` leaves a field as it is.
public struct PlanSettings: Sendable, Equatable {
    /// The certification body conducting the audit.
    public var certificationBody: String?
    /// The certification body's accreditation (accreditation body and number).
    public var accreditation: String?
    /// The scope wording proposed for the certificate.
    public var certificateScope: String?
    /// Who receives the report, by name or function.
    public var distribution: [String]?
    /// The report's confidentiality statement.
    public var confidentiality: String?
    /// The proposed date of the first surveillance audit, `YYYY-MM-DD`.
    public var surveillanceDate: String?

    /// Settings; all optional.
    public init(
        certificationBody: String? = nil, accreditation: String? = nil, certificateScope: String? = nil, distribution: [String]? = nil,
        confidentiality: String? = nil, surveillanceDate: String? = nil
    ) {
        self.certificationBody = certificationBody
        self.accreditation = accreditation
        self.certificateScope = certificateScope
        self.distribution = distribution
        self.confidentiality = confidentiality
        self.surveillanceDate = surveillanceDate
    }

    /// The engagement fields to write: each given value, checked; the surveillance date must be a
    /// real date after the engagement's last day (when recorded).
    ///
    /// - Throws: `AuditModelError.missing` when nothing is given or a value is blank; `.invalidDate`;
    ///   `.surveillanceNotAfterAudit` for a surveillance date not after the audit.
    public func writes(for engagement: Engagement) throws(AuditModelError) -> FieldWrites {
        typealias F = Engagement.Field
        var writes: FieldWrites = []
        let texts: [(F, String?, String)] = [
            (.certificationBody, certificationBody, "--body"), (.accreditation, accreditation, "--accreditation"),
            (.certificateScope, certificateScope, "--certificate-scope"), (.confidentiality, confidentiality, "--confidentiality"),
        ]
        for (field, value, option) in texts {
            guard let value else { continue }
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw .missing(field: "text after \(option)") }
            writes.append((field.rawValue, .text(trimmed)))
        }
        if let distribution {
            let names = distribution.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !names.isEmpty else { throw .missing(field: "a name after --distribution") }
            writes.append((F.distribution.rawValue, FieldCoding.encodeStrings(names)))
        }
        if let surveillanceDate {
            try Dates.check(surveillanceDate, field: "surveillance date")
            if let last = engagement.endDate ?? engagement.startDate, surveillanceDate <= last {
                throw .surveillanceNotAfterAudit(surveillanceDate, lastDay: last)
            }
            writes.append((F.surveillanceDate.rawValue, .text(surveillanceDate)))
        }
        guard !writes.isEmpty else {
            throw .missing(field: "at least one of --body, --accreditation, --certificate-scope, --distribution, --confidentiality, --surveillance")
        }
        return writes
    }
}

extension Engagement {
    /// The engagement-level facts of the audit plan, in the order every view lists them (label,
    /// field, winning value); facts never recorded are left out. The surveillance date is the next
    /// step, not part of the plan.
    public var planFacts: [(label: String, field: Field, value: String)] {
        let facts: [(String, Field, String?)] = [
            ("Certification body", .certificationBody, certificationBody), ("Accreditation", .accreditation, accreditation),
            ("Certificate scope (proposed wording)", .certificateScope, certificateScope),
            ("Distribution", .distribution, distribution.isEmpty ? nil : distribution.joined(separator: "; ")),
            ("Confidentiality", .confidentiality, confidentiality),
        ]
        return facts.compactMap { label, field, value in value.map { (label, field, $0) } }
    }
}
