import Foundation

/// A requirement mapping set: how the requirements of one framework relate to another's (CISO
/// Assistant `requirement_mapping_set`), read from a published library and kept beside the
/// catalogs. In an integrated audit of both frameworks, a requirement examined in one standard is
/// shown as *mapped evidence* towards the requirements it maps to in the other: shown, never
/// counted as tested (`Coverage.Row.mapped`).
public struct MappingSet: Codable, Hashable, Sendable {
    /// The mapping-set format version this build reads and writes.
    public static let currentVersion = 1
    static let formatName = "fieldaudit-mapping-set"

    /// How a source requirement relates to its target, as CISO Assistant writes it.
    public enum Relationship: String, Codable, CaseIterable, Hashable, Sendable {
        /// The two requirements ask the same.
        case equal
        /// The source asks part of what the target asks.
        case subset
        /// The source asks all the target asks, and more.
        case superset
        /// They overlap.
        case intersect
        /// They do not relate (listed by the publisher, never shown as evidence).
        case notRelated = "not_related"

        /// The relationship read the other way round (target to source): `subset` ↔ `superset`.
        public var reversed: Relationship {
            switch self {
            case .subset: .superset
            case .superset: .subset
            default: self
            }
        }
    }

    /// One mapping: a source requirement, a target requirement, how they relate.
    public struct Mapping: Codable, Hashable, Sendable {
        /// The source requirement's urn (a requirement node of `sourceFramework`).
        public var source: String
        /// The target requirement's urn (a requirement node of `targetFramework`).
        public var target: String
        /// How the source relates to the target.
        public var relationship: Relationship
        /// The publisher's strength of the relationship (`strength_of_relationship`, 0–10), if given.
        public var strength: Int?

        /// A mapping from its two urns, relationship and strength.
        public init(source: String, target: String, relationship: Relationship, strength: Int? = nil) {
            self.source = source
            self.target = target
            self.relationship = relationship
            self.strength = strength
        }
    }

    /// The file format's name; always `fieldaudit-mapping-set`.
    public var format: String
    /// The file format version; never above `currentVersion`.
    public var version: Int
    /// The mapping set's id: letters, digits, `-` and `.` (made from its urn).
    public var id: String
    /// The mapping set's name, as its publisher wrote it.
    public var name: String
    /// The mapping set's urn (`urn:…:req_mapping_set:…`).
    public var urn: String
    /// The publisher's version of the library it came from.
    public var edition: String
    /// The urn of the framework the mappings start from.
    public var sourceFramework: String
    /// The urn of the framework the mappings lead to.
    public var targetFramework: String
    /// Every mapping, in the publisher's order; never empty.
    public var mappings: [Mapping]

    /// A mapping set in the current format; `validate(source:target:)` checks it against its frameworks.
    public init(
        id: String, name: String, urn: String, edition: String, sourceFramework: String, targetFramework: String, mappings: [Mapping]
    ) {
        format = Self.formatName
        version = Self.currentVersion
        self.id = id
        self.name = name
        self.urn = urn
        self.edition = edition
        self.sourceFramework = sourceFramework
        self.targetFramework = targetFramework
        self.mappings = mappings
    }

    /// The id with its version, `id@version`, as stored beside the catalogs.
    public var qualifiedID: String { "\(id)@\(edition)" }

    /// Checks that every mapping names a requirement of `source` and one of `target`, the
    /// catalogs of its two frameworks.
    ///
    /// - Throws: `AuditModelError.invalidCatalog` naming the first urn that is no requirement.
    public func validate(source: Catalog, target: Catalog) throws(AuditModelError) {
        guard !mappings.isEmpty else { throw .invalidCatalog("the mapping set \(name) holds no mapping") }
        for (index, mapping) in mappings.enumerated() {
            guard source.requirement(urn: mapping.source) != nil else {
                throw .invalidCatalog("requirement_mappings[\(index)].source_requirement_urn \(mapping.source) is no requirement of \(source.displayName) (\(source.qualifiedID))")
            }
            guard target.requirement(urn: mapping.target) != nil else {
                throw .invalidCatalog("requirement_mappings[\(index)].target_requirement_urn \(mapping.target) is no requirement of \(target.displayName) (\(target.qualifiedID))")
            }
        }
    }

    /// Decodes a stored mapping set; `nil` for one this build does not read.
    public static func decode(_ data: Data) -> MappingSet? {
        guard let set = try? JSONDecoder().decode(MappingSet.self, from: data), set.format == formatName, set.version <= currentVersion else { return nil }
        return set
    }

    /// The mapping set as compact JSON with sorted keys, as stored and recorded in engagements.
    public func encodedJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// The mapping sets recorded in an engagement's `mappings` field: a JSON array of them, then
    /// the `unread` elements a newer build recorded (`unreadElements(_:)`), kept as they were.
    public static func encodeList(_ sets: [MappingSet], keeping unread: [String] = []) -> String {
        RecordedList.encode(sets.map { $0.encodedJSON() }, keeping: unread)
    }

    /// The elements of a `mappings` field this build does not read, as compact JSON: what
    /// `decodeList(_:)` leaves out and a rewrite must keep.
    public static func unreadElements(_ json: String) -> [String] {
        RecordedList.unread(json) { decode($0) != nil }
    }

    /// Reads a `mappings` field; an element this build does not read is left out.
    public static func decodeList(_ json: String) -> [MappingSet] {
        guard let array = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [Any] else { return [] }
        return array.compactMap { element in (try? JSONSerialization.data(withJSONObject: element)).flatMap(decode) }
    }
}

/// A requirement of one standard examined in the audit, shown towards a requirement of another
/// standard it maps to: evidence to weigh, never a test of the requirement it is shown on.
public struct MappedEvidence: Hashable, Sendable {
    /// The examined requirement, as shown (`42001:A.5.2`).
    public let from: String
    /// How it relates to the requirement it is shown on.
    public let relationship: MappingSet.Relationship
    /// What its own coverage row concluded (`conforming`, `examined`, …).
    public let result: String

    /// In words: `mapped from 42001:A.5.2, equal: conforming`.
    public var description: String { "mapped from \(from), \(relationship.rawValue): \(result)" }
}

extension Catalog {
    /// The CISO Assistant urn of the framework ISO/IEC 42001:2023, which mapping sets cite for
    /// the built-in catalog (its requirement nodes are `urn:intuitem:risk:req_node:iso42001-2023:REF`).
    public static let iso42001FrameworkURN = "urn:intuitem:risk:framework:iso42001-2023"
    static let iso42001NodePrefix = "urn:intuitem:risk:req_node:iso42001-2023:"

    /// The framework urns that name this catalog in mapping sets: its source's identifier, and
    /// for the built-in ISO/IEC 42001 catalog, CISO Assistant's urn of that framework.
    public var frameworkURNs: [String] {
        (source.map { [$0.identifier] } ?? []) + (id == Self.iso42001ID ? [Self.iso42001FrameworkURN] : [])
    }

    /// The requirement a mapping set's urn names: the one with that `urn`, or, in the built-in
    /// ISO/IEC 42001 catalog, the one whose reference ends CISO Assistant's node urn (any case).
    public func requirement(urn: String) -> Requirement? {
        if let found = requirements.first(where: { $0.urn == urn }) { return found }
        guard id == Self.iso42001ID, urn.hasPrefix(Self.iso42001NodePrefix) else { return nil }
        let ref = urn.dropFirst(Self.iso42001NodePrefix.count)
        return requirements.first { $0.ref.caseInsensitiveCompare(ref) == .orderedSame }
    }
}
