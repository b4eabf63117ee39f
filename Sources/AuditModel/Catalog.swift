import Foundation

/// A standard's requirements: clauses and controls, their groups, and cross-references to other
/// frameworks. ISO/IEC 42001:2023 ships built in; others load from JSON files of the same format
/// (`Fixtures/catalogs/FORMAT.md`), or from the formats the GRC ecosystem publishes (module
/// `CatalogFormats`: CISO Assistant libraries, OSCAL catalogs), which keep their `source`.
public struct Catalog: Codable, Hashable, Sendable {
    /// The catalog format version this build reads and writes.
    public static let currentVersion = 1
    static let formatName = "fieldaudit-catalog"

    /// A clause or an Annex A area.
    public struct Group: Codable, Hashable, Sendable {
        /// The group's reference: a clause number (`6`) or an Annex A area (`A.6`).
        public var ref: String
        /// The group's heading (`Planning`, `AI system life cycle`).
        public var title: String

        /// A group with its reference and heading.
        public init(ref: String, title: String) {
            self.ref = ref
            self.title = title
        }
    }

    /// Where a catalog read from a published format came from: what the catalog is, whatever its
    /// FieldAudit `id`. Two catalogs with one `identifier` and `version` hold the same requirements.
    public struct Source: Codable, Hashable, Sendable {
        /// The published format (`ciso-assistant-library`, `oscal-catalog`).
        public var format: String
        /// The framework's own identifier: a CISO Assistant framework `urn`
        /// (`urn:intuitem:risk:framework:iso27001-2022`) or an OSCAL catalog's `uuid`.
        public var identifier: String
        /// The publisher's version of the text: a CISO Assistant library's `version`, an OSCAL
        /// catalog's `metadata.version`.
        public var version: String
        /// The language of the titles and summaries (`en`, `fr`), when the source says.
        public var locale: String?

        /// A source from its format, identifier, version and locale.
        public init(format: String, identifier: String, version: String, locale: String? = nil) {
            self.format = format
            self.identifier = identifier
            self.version = version
            self.locale = locale
        }
    }

    /// Whether a requirement is a management-system clause or a control.
    public enum Kind: String, Codable, Hashable, Sendable {
        case clause, control
    }

    /// One requirement an auditor tests.
    public struct Requirement: Codable, Hashable, Sendable {
        /// The reference auditors cite (`6.1.2`, `A.6.2.8`); unique within the catalog.
        public var ref: String
        /// Whether it is a management-system clause (always applicable) or an Annex A control (applicable
        /// as the Statement of Applicability declares).
        public var kind: Kind
        /// The `ref` of the group the requirement belongs to; `validate()` checks that the group exists.
        public var group: String
        /// The requirement's short heading, in the catalog's own words.
        public var title: String
        /// What an auditor looks for to judge the requirement met; the built-in catalog's summaries are our
        /// own words, not the standard's text.
        public var summary: String?
        /// The requirement's identifier in its source (a CISO Assistant node `urn`), which mapping sets
        /// cite; `nil` for FieldAudit's own catalogs and OSCAL controls (whose `ref` is their id).
        public var urn: String?
        /// The implementation groups (CISO Assistant `implementation_groups`, e.g. CIS `IG1`) the
        /// requirement belongs to; `nil` when the source has none.
        public var implementationGroups: [String]?

        /// A requirement with its reference, kind, group, heading and, optionally, summary and source details.
        public init(
            ref: String, kind: Kind, group: String, title: String, summary: String? = nil, urn: String? = nil,
            implementationGroups: [String]? = nil
        ) {
            self.ref = ref
            self.kind = kind
            self.group = group
            self.title = title
            self.summary = summary
            self.urn = urn
            self.implementationGroups = implementationGroups
        }
    }

    /// A mapping of requirements to an article of another framework (for example the EU AI Act).
    public struct CrossReference: Codable, Hashable, Sendable {
        /// The other framework's name (`EU AI Act`).
        public var framework: String
        /// The article cited (`Article 12`).
        public var article: String
        /// The article's heading (`Record-keeping`).
        public var title: String
        /// The references of the requirements that relate to the article; each must be in the catalog.
        public var refs: [String]
    }

    /// The file format's name; always `fieldaudit-catalog`, checked by `decode(_:)`.
    public var format: String
    /// The file format version the catalog was written in; never above `currentVersion`.
    public var version: Int
    /// The catalog's identifier (`iso-iec-42001-2023`): letters, digits, `-` and `.` only. Engagements
    /// record it as their standard.
    public var id: String
    /// A short name for messages (`ISO/IEC 42001:2023`); the title when absent.
    public var name: String?
    /// The standard's full title, as reports print it.
    public var title: String
    /// The clauses and Annex A areas, in the standard's order; never empty, no two with one `ref`.
    public var groups: [Group]
    /// Every requirement, in the standard's order; never empty, no two with one `ref`.
    public var requirements: [Requirement]
    /// Mappings to other frameworks' articles; empty when the file has none.
    public var crossReferences: [CrossReference]
    /// The published framework and version the catalog was read from; `nil` for FieldAudit's own
    /// catalog files.
    public var source: Source?

    enum CodingKeys: String, CodingKey {
        case format, version, id, name, title, groups, requirements, crossReferences, source
    }

    /// A catalog in the current format; call `validate()` before using it.
    public init(
        id: String, name: String?, title: String, groups: [Group], requirements: [Requirement],
        crossReferences: [CrossReference] = [], source: Source? = nil
    ) {
        format = Self.formatName
        version = Self.currentVersion
        self.id = id
        self.name = name
        self.title = title
        self.groups = groups
        self.requirements = requirements
        self.crossReferences = crossReferences
        self.source = source
    }

    /// Decodes the fields of a catalog file; a missing `crossReferences` reads as none.
    ///
    /// This checks shapes only: use `decode(_:)`, which also checks the format, version and references.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decode(String.self, forKey: .format)
        version = try container.decode(Int.self, forKey: .version)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        title = try container.decode(String.self, forKey: .title)
        groups = try container.decode([Group].self, forKey: .groups)
        requirements = try container.decode([Requirement].self, forKey: .requirements)
        crossReferences = try container.decodeIfPresent([CrossReference].self, forKey: .crossReferences) ?? []
        source = try container.decodeIfPresent(Source.self, forKey: .source)
    }

    /// The publisher's version of the text (`source.version`), `nil` for FieldAudit's own catalogs.
    public var edition: String? { source?.version }

    /// The catalog's id with its version, `id@version` (`iso27001-2022@3`), or the id alone when the
    /// catalog has no published version: what `pick(_:among:)` finds exactly.
    public var qualifiedID: String { edition.map { "\(id)@\($0)" } ?? id }

    /// The catalog a reference names among `catalogs`: `id@version` names that version; a bare
    /// `id` names the newest version of that id (versions compared as numbers where they are,
    /// `10` after `9`).
    ///
    /// One rule for `engagement create --standard`, `catalog list --catalog` and engagements
    /// recorded without their catalog.
    public static func pick(_ reference: String, among catalogs: [Catalog]) -> Catalog? {
        if let exact = catalogs.first(where: { $0.qualifiedID == reference }) { return exact }
        return catalogs.filter { $0.id == reference }.max(by: listedBefore)
    }

    /// The order catalogs are listed in: by id, then by version, older first (`9` before `10`).
    public static func listedBefore(_ a: Catalog, _ b: Catalog) -> Bool {
        a.id != b.id ? a.id < b.id : (a.edition ?? "").compare(b.edition ?? "", options: .numeric) == .orderedAscending
    }

    /// The identifier of the built-in ISO/IEC 42001:2023 catalog.
    public static let iso42001ID = "iso-iec-42001-2023"

    /// ISO/IEC 42001:2023, decoded from the catalog file compiled in (`Catalog+ISO42001.swift`;
    /// `CatalogTests` decodes it, so a broken edit fails the tests, not an auditor's command).
    public static let iso42001: Catalog = {
        do {
            return try Catalog.decode(Data(iso42001JSON.utf8))
        } catch {
            fatalError("the built-in ISO/IEC 42001 catalog does not decode: \(error)")
        }
    }()

    /// The catalogs built into this build.
    public static var builtIn: [Catalog] { [iso42001] }

    /// Decodes and checks a catalog file.
    ///
    /// - Throws: `AuditModelError.unsupportedCatalogVersion` for a newer format, and
    ///   `.invalidCatalog` naming the first problem (duplicate reference, unknown group, …).
    public static func decode(_ data: Data) throws(AuditModelError) -> Catalog {
        struct Header: Decodable { var format: String?; var version: Int? }
        guard let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw .invalidCatalog("it is not JSON")
        }
        guard header.format == formatName else { throw .invalidCatalog("\"format\" must be \"\(formatName)\"") }
        guard let version = header.version else { throw .invalidCatalog("\"version\" is missing") }
        guard version <= currentVersion else { throw .unsupportedCatalogVersion(found: version, supported: currentVersion) }
        let catalog: Catalog
        do {
            catalog = try JSONDecoder().decode(Catalog.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw .invalidCatalog("\"\(key.stringValue)\" is missing")
        } catch let DecodingError.dataCorrupted(context) {
            throw .invalidCatalog(context.debugDescription)
        } catch {
            throw .invalidCatalog("a field has the wrong type (\(error))")
        }
        try catalog.validate()
        return catalog
    }

    /// Checks the catalog's internal references: a well-formed id, groups and requirements present,
    /// each reference unique, each requirement's group defined, each cross-reference citing a
    /// requirement of the catalog, and a source, if any, saying what the catalog is.
    ///
    /// - Throws: `AuditModelError.invalidCatalog` naming the first problem found.
    public func validate() throws(AuditModelError) {
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }) else {
            throw .invalidCatalog("\"id\" must be letters, digits, '-' and '.' only")
        }
        guard !groups.isEmpty, !requirements.isEmpty else { throw .invalidCatalog("\"groups\" and \"requirements\" must not be empty") }
        let groupRefs = Set(groups.map(\.ref))
        guard groupRefs.count == groups.count else { throw .invalidCatalog("two groups share a ref") }
        var seen = Set<String>()
        for requirement in requirements {
            guard !requirement.ref.isEmpty else { throw .invalidCatalog("a requirement has an empty ref") }
            guard seen.insert(requirement.ref).inserted else { throw .invalidCatalog("ref \(requirement.ref) appears twice") }
            guard groupRefs.contains(requirement.group) else {
                throw .invalidCatalog("requirement \(requirement.ref) names group \(requirement.group), which is not defined")
            }
        }
        for crossReference in crossReferences {
            for ref in crossReference.refs where !seen.contains(ref) {
                throw .invalidCatalog("\(crossReference.article) refers to \(ref), which is not a requirement")
            }
        }
        if let source, [source.format, source.identifier, source.version].contains(where: \.isEmpty) {
            throw .invalidCatalog("\"source\" needs a format, an identifier and a version")
        }
    }

    /// The requirement with this reference, if any.
    public func requirement(_ ref: String) -> Requirement? {
        requirements.first { $0.ref == ref }
    }

    /// The group a requirement belongs to.
    public func group(_ ref: String) -> Group? {
        groups.first { $0.ref == ref }
    }

    /// Checks a reference, normalising its case (`a.6.2.8` → `A.6.2.8`, `AC-2` → `ac-2`).
    ///
    /// - Throws: `AuditModelError.unknownRequirement` with the nearest references.
    public func check(_ ref: String) throws(AuditModelError) -> Requirement {
        let trimmed = ref.trimmingCharacters(in: .whitespaces)
        if let found = find(trimmed) { return found }
        throw .unknownRequirement(trimmed, catalog: displayName, suggestions: nearest(to: trimmed))
    }

    /// The name used in messages.
    public var displayName: String { name ?? title }

    /// Up to three references closest to `ref`: fewest edits first, then, among references of
    /// the same shape, the nearest number (`A.6.2.9` suggests `A.6.2.8`, not `A.6.2.2`).
    func nearest(to ref: String) -> [String] {
        let target = ref.uppercased()
        let scored = requirements.map { requirement in
            (ref: requirement.ref, edits: Self.distance(Array(target), Array(requirement.ref.uppercased())),
             numeric: Self.numericDistance(target, requirement.ref.uppercased()))
        }
        guard let best = scored.min(by: { ($0.edits, $0.numeric) < ($1.edits, $1.numeric) }),
              best.edits <= max(2, target.count / 3)
        else { return [] }
        return Array(scored.filter { $0.edits == best.edits && $0.numeric == best.numeric }.map(\.ref).prefix(3))
    }

    /// How far apart two dotted references are at their first differing number (`Int.max` if
    /// their shapes differ).
    static func numericDistance(_ a: String, _ b: String) -> Int {
        let left = a.split(separator: "."), right = b.split(separator: ".")
        guard left.count == right.count else { return .max }
        for (x, y) in zip(left, right) where x != y {
            guard let m = Int(x), let n = Int(y) else { return .max }
            return abs(m - n)
        }
        return 0
    }

    /// Levenshtein distance.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// The clauses, in catalog order.
    var clauses: [Requirement] { requirements.filter { $0.kind == .clause } }
    /// The controls, in catalog order.
    var controls: [Requirement] { requirements.filter { $0.kind == .control } }

    /// The cross-references that cite a requirement.
    public func crossReferences(of ref: String) -> [CrossReference] {
        crossReferences.filter { $0.refs.contains(ref) }
    }
}
