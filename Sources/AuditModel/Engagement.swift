import Replication

/// An audit engagement: the client, the standard, the audit type, scope and dates. Its creator
/// is its lead auditor.
public struct Engagement: Hashable, Sendable, Encodable {
    /// The field names an engagement's change records use.
    public enum Field: String, CaseIterable {
        case client, address, standard, auditType, scope, sites, startDate, endDate, criteria, objectives, status
        case lead, catalog
        case recommendation, conclusion, closedAt, closedThrough, acceptedLateUpTo
        case majorDays, minorDays
        case certificationBody, accreditation, certificateScope, distribution, confidentiality, surveillanceDate
        case justification, signedBy, signedAt
        case timeZone
        /// The standards audited beside the primary one (`standard`, `catalog`): a JSON array of
        /// their catalog files, in the order they were added (`Catalog.encodeList`).
        case catalogs
        /// The requirement mapping sets linking two of its standards: a JSON array of them, in
        /// the order they were added (`MappingSet.encodeList`).
        case mappings
    }

    /// The engagement's entity id, a UUIDv7 minted at creation; every change in it carries this id as
    /// its engagement.
    public let id: EntityID
    /// The audited organisation (`Helix Diagnostics Ltd`).
    public var client: String
    /// The client's address, as the report prints it.
    public var address: String?
    /// The catalog id of the audited standard.
    public var standard: String
    /// Stage 1, Stage 2, surveillance or recertification; `nil` if not recorded.
    public var auditType: AuditType?
    /// The scope of certification under audit, in the engagement's words (ISO 19011 §6.2.2).
    public var scope: String?
    /// The sites audited, in the order given.
    public var sites: [String]
    /// The first day on site, `YYYY-MM-DD`.
    public var startDate: String?
    /// The last day on site, `YYYY-MM-DD`.
    public var endDate: String?
    /// The audit criteria (ISO 19011 §3.7): by default the standard and the auditee's Statement of Applicability.
    public var criteria: String?
    /// The audit objectives (ISO 19011 §6.2.2), in the lead's words.
    public var objectives: String?
    /// Planned, active or closed; `planned` until a change says otherwise.
    public var status: EngagementStatus
    /// The replica that created the engagement: its lead auditor and the root of its roster.
    public var lead: ReplicaID?
    /// The recommendation on certification the lead recorded when closing the engagement.
    public var recommendation: Recommendation?
    /// The lead's own words of conclusion, recorded when closing.
    public var conclusion: String?
    /// When the lead closed the engagement, Unix milliseconds; `nil` while open.
    public var closedAt: Int64?
    /// The changes the lead held when closing (see `Closing`).
    public var closedThrough: VersionVector?
    /// The changes the lead has accepted since closing, late ones included (see `Closing`).
    public var acceptedLateUpTo: VersionVector?
    /// The certification body's deadlines for nonconformities (`engagement policy`).
    public var policy: NonconformityPolicy
    /// The certification body conducting the audit (`plan set --body`).
    public var certificationBody: String?
    /// The certification body's accreditation, in its words (accreditation body and number).
    public var accreditation: String?
    /// The scope wording proposed for the certificate.
    public var certificateScope: String?
    /// Who receives the report.
    public var distribution: [String]
    /// The report's confidentiality statement.
    public var confidentiality: String?
    /// The proposed date of the first surveillance audit, `YYYY-MM-DD`.
    public var surveillanceDate: String?
    /// The lead's justification for a recommendation the record alone does not support (certify
    /// with a major open or a mandatory clause not examined), recorded when closing.
    public var justification: String?
    /// Who signed the report when closing: the lead's replica id (hex).
    public var signedBy: String?
    /// When the lead signed, Unix milliseconds: the closing's time.
    public var signedAt: Int64?
    /// The site's time zone, an IANA name (`Europe/Berlin`); `nil` for an engagement recorded
    /// before engagements had one (its times are shown in UTC).
    public var timeZone: String?
    /// Fields edited concurrently and not yet resolved.
    public var conflicts: [String]

    /// How the engagement's times are written: in its zone, with the zone; in UTC when it has none
    /// (or one this machine does not know).
    public var siteTime: SiteTime {
        timeZone.flatMap { try? SiteTime(identifier: $0) } ?? .utc
    }

    /// Reads an engagement from its entity's snapshot, taking each field's winning value.
    ///
    /// Returns `nil` when the snapshot is not an `engagement` entity. A missing standard reads as
    /// ISO/IEC 42001; an unreadable lead or vector reads as `nil`.
    public init?(_ snapshot: EntitySnapshot) {
        guard snapshot.kind == EntityKind.engagement.rawValue else { return nil }
        id = snapshot.id
        client = snapshot.text(Field.client.rawValue) ?? ""
        address = snapshot.text(Field.address.rawValue)
        standard = snapshot.text(Field.standard.rawValue) ?? Catalog.iso42001ID
        auditType = snapshot.choice(Field.auditType.rawValue)
        scope = snapshot.text(Field.scope.rawValue)
        sites = snapshot.strings(Field.sites.rawValue)
        startDate = snapshot.text(Field.startDate.rawValue)
        endDate = snapshot.text(Field.endDate.rawValue)
        criteria = snapshot.text(Field.criteria.rawValue)
        objectives = snapshot.text(Field.objectives.rawValue)
        status = snapshot.choice(Field.status.rawValue) ?? .planned
        lead = snapshot.text(Field.lead.rawValue).flatMap { try? ReplicaID(hex: $0) }
        recommendation = snapshot.choice(Field.recommendation.rawValue)
        conclusion = snapshot.text(Field.conclusion.rawValue)
        closedAt = snapshot.integer(Field.closedAt.rawValue)
        closedThrough = snapshot.text(Field.closedThrough.rawValue).flatMap(Closing.decodeVector)
        acceptedLateUpTo = snapshot.text(Field.acceptedLateUpTo.rawValue).flatMap(Closing.decodeVector)
        policy = NonconformityPolicy(
            majorDays: snapshot.integer(Field.majorDays.rawValue).map { Int($0) } ?? NonconformityPolicy.standard.majorDays,
            minorDays: snapshot.integer(Field.minorDays.rawValue).map { Int($0) } ?? NonconformityPolicy.standard.minorDays)
        certificationBody = snapshot.text(Field.certificationBody.rawValue)
        accreditation = snapshot.text(Field.accreditation.rawValue)
        certificateScope = snapshot.text(Field.certificateScope.rawValue)
        distribution = snapshot.strings(Field.distribution.rawValue)
        confidentiality = snapshot.text(Field.confidentiality.rawValue)
        surveillanceDate = snapshot.text(Field.surveillanceDate.rawValue)
        justification = snapshot.text(Field.justification.rawValue)
        signedBy = snapshot.text(Field.signedBy.rawValue)
        signedAt = snapshot.integer(Field.signedAt.rawValue)
        timeZone = snapshot.text(Field.timeZone.rawValue)
        conflicts = snapshot.conflictedFields
    }

    /// The write that adds `catalog` to the standards of an engagement that audits `standards`:
    /// the whole list of its other standards, the new one last, and the standards this build
    /// does not read kept (`Standards.unreadCatalogs`); `nil` when it audits it already.
    public static func standardWrites(adding catalog: Catalog, to standards: Standards) -> FieldWrites? {
        guard !standards.catalogs.contains(where: { $0.id == catalog.id }) else { return nil }
        return [(Field.catalogs.rawValue, .json(Catalog.encodeList(Array(standards.catalogs.dropFirst()) + [catalog], keeping: standards.unreadCatalogs)))]
    }

    /// The write that settles concurrent values of the engagement's `catalogs` or `mappings` field
    /// (two leads adding a standard or a mapping set at once): the list of every standard or set
    /// any of the values holds, those this build does not read kept, so none is ever removed;
    /// `nil` for any other field.
    public static func unionWrites(of field: String, in standards: Standards) -> FieldWrites? {
        switch Field(rawValue: field) {
        case .catalogs:
            [(Field.catalogs.rawValue, .json(Catalog.encodeList(Array(standards.catalogs.dropFirst()), keeping: standards.unreadCatalogs)))]
        case .mappings:
            mappingWrites(recording: [], in: standards)
        default:
            nil
        }
    }

    /// The write that records `set` in an engagement that audits `standards`: the whole list of
    /// its mapping sets, the new one last; `nil` when it is recorded already.
    ///
    /// - Throws: `AuditModelError.invalidCatalog` when the set does not link two of the standards,
    ///   or names a requirement the version of a standard this engagement audits does not have.
    public static func mappingWrites(adding set: MappingSet, to standards: Standards) throws(AuditModelError) -> FieldWrites? {
        guard standards.links(set) else {
            throw .invalidCatalog("the mapping set \(set.name) links \(set.sourceFramework) to \(set.targetFramework), which are not two standards of this engagement; add them first (`engagement set --add-standard`)")
        }
        guard !standards.mappingSets.contains(where: { $0.qualifiedID == set.qualifiedID }) else { return nil }
        try checkAgainstAuditedVersions(set, standards)
        return mappingWrites(recording: [set], in: standards)
    }

    /// What recording the mapping sets held in an engagement does (`mappingWrites(offering:to:)`).
    public struct MappingRecording {
        /// The write of the `mappings` field; `nil` when no set is newly recorded.
        public var writes: FieldWrites?
        /// The sets newly recorded.
        public var recorded: [MappingSet]
        /// The sets that link two of the standards but were left out, each with why: a
        /// requirement the audited version lacks. Shown to the user, never silently dropped.
        public var leftOut: [(set: MappingSet, reason: String)]
    }

    /// The write that records, among `sets` (the mapping sets a replica holds), those that link
    /// two of the standards and are not recorded yet, each checked like `mappingWrites(adding:to:)`:
    /// a set naming a requirement the audited version lacks is left out and said so. The one rule
    /// of `engagement create`, `--add-standard` and `--add-mapping`.
    public static func mappingWrites(offering sets: [MappingSet], to standards: Standards) -> MappingRecording {
        var recorded: [MappingSet] = []
        var leftOut: [(set: MappingSet, reason: String)] = []
        for set in sets where standards.links(set) {
            guard !(standards.mappingSets + recorded + leftOut.map(\.set)).contains(where: { $0.qualifiedID == set.qualifiedID }) else { continue }
            do {
                try checkAgainstAuditedVersions(set, standards)
                recorded.append(set)
            } catch {
                leftOut.append((set, error.description))
            }
        }
        return MappingRecording(writes: recorded.isEmpty ? nil : mappingWrites(recording: recorded, in: standards), recorded: recorded, leftOut: leftOut)
    }

    /// The `mappings` field with `sets` added after those recorded, unread ones kept.
    private static func mappingWrites(recording sets: [MappingSet], in standards: Standards) -> FieldWrites {
        [(Field.mappings.rawValue, .json(MappingSet.encodeList(standards.mappingSets + sets, keeping: standards.unreadMappingSets)))]
    }

    /// Checks a set against the versions this engagement audits, not the newest held: a mapping
    /// whose requirement an older version lacks would otherwise be shown nowhere, silently.
    private static func checkAgainstAuditedVersions(_ set: MappingSet, _ standards: Standards) throws(AuditModelError) {
        guard let source = standards.standard(ofFramework: set.sourceFramework), let target = standards.standard(ofFramework: set.targetFramework) else { return }
        do {
            try set.validate(source: standards.catalogs[source], target: standards.catalogs[target])
        } catch {
            throw .invalidCatalog("\(error.description); this engagement audits that version, so the mapping set cannot be used in it as it is")
        }
    }

    /// The write that sets the engagement's time zone to the IANA zone `identifier`.
    ///
    /// - Throws: `AuditModelError.unknownTimeZone` with the nearest names when there is no such zone.
    public static func timeZoneWrites(_ identifier: String) throws(AuditModelError) -> FieldWrites {
        let zone = try SiteTime(identifier: identifier)
        return [(Field.timeZone.rawValue, .text(zone.identifier))]
    }
}

/// What `engagement create` asks for.
public struct EngagementDraft: Sendable {
    /// The audited organisation; must not be empty.
    public var client: String
    /// The client's address.
    public var address: String?
    /// The standard audited against; a catalog that is not built in is recorded whole in the engagement,
    /// so every replica can read it.
    public var catalog: Catalog
    /// Stage 1, Stage 2, surveillance or recertification.
    public var auditType: AuditType
    /// The scope of certification under audit.
    public var scope: String?
    /// The sites audited.
    public var sites: [String]
    /// The first day on site; must be a real date written `YYYY-MM-DD`.
    public var startDate: String?
    /// The last day on site; must be a real date written `YYYY-MM-DD`.
    public var endDate: String?
    /// The audit criteria; `nil` writes the default (the standard and the Statement of Applicability).
    public var criteria: String?
    /// The audit objectives.
    public var objectives: String?
    /// The site's time zone, an IANA name (`Europe/Berlin`); `nil` records none (times show in UTC).
    public var timeZone: String?
    /// The standards audited beside `catalog` in an integrated audit, in order; each is recorded
    /// whole in the engagement. Empty for an audit of one standard.
    public var otherCatalogs: [Catalog]
    /// The requirement mapping sets offered: those linking two of the standards are recorded
    /// whole if the audited versions have their requirements (`mappingRecording`), the others left out.
    public var mappingSets: [MappingSet]

    /// What creating the engagement records of `mappingSets` and what it leaves out, and why
    /// (`Engagement.mappingWrites(offering:to:)`).
    public var mappingRecording: Engagement.MappingRecording {
        Engagement.mappingWrites(offering: mappingSets, to: Standards(primary: catalog, others: otherCatalogs))
    }

    /// A draft for a client and audit type; the standard defaults to the built-in ISO/IEC 42001:2023.
    public init(
        client: String, address: String? = nil, catalog: Catalog = .iso42001, auditType: AuditType, scope: String? = nil,
        sites: [String] = [], startDate: String? = nil, endDate: String? = nil, criteria: String? = nil, objectives: String? = nil,
        timeZone: String? = nil, otherCatalogs: [Catalog] = [], mappingSets: [MappingSet] = []
    ) {
        self.mappingSets = mappingSets
        self.client = client
        self.address = address
        self.catalog = catalog
        self.otherCatalogs = otherCatalogs
        self.auditType = auditType
        self.scope = scope
        self.sites = sites
        self.startDate = startDate
        self.endDate = endDate
        self.criteria = criteria
        self.objectives = objectives
        self.timeZone = timeZone
    }

    /// The fields of a new engagement created by `lead`.
    ///
    /// - Throws: `AuditModelError` for an empty client, a malformed date or an unknown time zone.
    public func writes(lead: ReplicaID) throws(AuditModelError) -> FieldWrites {
        let client = client.trimmingCharacters(in: .whitespaces)
        guard !client.isEmpty else { throw .missing(field: "client") }
        for (value, field) in [(startDate, "start date"), (endDate, "end date")] {
            if let value { try Dates.check(value, field: field) }
        }
        // `YYYY-MM-DD` text orders as the dates do.
        if let startDate, let endDate, endDate < startDate { throw .endBeforeStart(start: startDate, end: endDate) }
        typealias F = Engagement.Field
        var writes: FieldWrites = [
            (F.client.rawValue, .text(client)),
            (F.standard.rawValue, .text(catalog.id)),
            (F.auditType.rawValue, .text(auditType.rawValue)),
            (F.status.rawValue, .text(EngagementStatus.active.rawValue)),
            (F.lead.rawValue, .text(lead.hex)),
        ]
        if !Catalog.builtIn.contains(where: { $0.id == catalog.id }) {
            writes.append((F.catalog.rawValue, .json(catalog.encodedJSON())))
        }
        let standards = Standards(primary: catalog, others: otherCatalogs)
        if standards.isIntegrated {
            writes.append((F.catalogs.rawValue, .json(Catalog.encodeList(Array(standards.catalogs.dropFirst())))))
        }
        writes += mappingRecording.writes ?? []
        let optional: [(F, String?)] = [
            (.address, address), (.scope, scope), (.startDate, startDate), (.endDate, endDate),
            (.criteria, criteria ?? "\(standards.catalogs.map(\.displayName).joined(separator: ", ")) and the organisation's Statement of Applicability"),
            (.objectives, objectives),
        ]
        for (field, value) in optional {
            if let value, !value.isEmpty { writes.append((field.rawValue, .text(value))) }
        }
        if !sites.isEmpty { writes.append((F.sites.rawValue, FieldCoding.encodeStrings(sites))) }
        if let timeZone { writes += try Engagement.timeZoneWrites(timeZone) }
        return writes
    }
}

/// Calendar dates as `YYYY-MM-DD` text.
public enum Dates {
    /// Checks that `value` is a real calendar date written `YYYY-MM-DD` (leap years included).
    ///
    /// - Throws: `AuditModelError.invalidDate` naming `field` (the field's name in messages) when it is not
    ///   `YYYY-MM-DD`, `.impossibleDate` saying why when no such day exists.
    static func check(_ value: String, field: String) throws(AuditModelError) {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { throw .invalidDate(value, field: field) }
        guard (1...12).contains(month) else { throw .impossibleDate(value, field: field, reason: "there is no month \(month)") }
        let days = daysIn(month: month, year: year)
        guard day >= 1, day <= days else {
            throw .impossibleDate(value, field: field, reason: "\(monthNames[month - 1]) \(year) has \(days) days")
        }
    }

    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]
    /// The day `days` after `date` (`YYYY-MM-DD`, proleptic Gregorian, UTC); `nil` for a date
    /// that is not one.
    public static func adding(_ days: Int, to date: String) -> String? {
        guard (try? check(date, field: "date")) != nil else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = date.split(separator: "-").compactMap { Int($0) }
        guard let start = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
              let end = calendar.date(byAdding: .day, value: days, to: start)
        else { return nil }
        return day(of: Int64(end.timeIntervalSince1970 * 1000))
    }

    /// Whether `value` is a real calendar date written `YYYY-MM-DD`.
    public static func isValid(_ value: String) -> Bool { (try? check(value, field: "date")) != nil }

    /// The UTC day of a Unix-millisecond time, `YYYY-MM-DD`.
    public static func day(of milliseconds: Int64) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

extension Catalog {
    /// The catalog as compact JSON with sorted keys, for recording it in an engagement.
    public func encodedJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

import Foundation
