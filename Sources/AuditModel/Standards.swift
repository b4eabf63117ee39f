import Foundation

/// The standards one engagement audits, its first (primary) standard first, and the one resolver
/// of requirement references every command uses.
///
/// A reference is typed qualified by a standard's prefix (`27001:A.5.1`, `42001:A.5.2`) or bare
/// (`A.5.2`): a bare one is accepted when exactly one standard has it, refused naming the
/// candidates when several do. It is stored by catalog id, not by prefix, so a prefix that would
/// change (another standard added whose prefix collides) never changes what is recorded: a
/// requirement of the primary standard is stored bare (as every engagement recorded before
/// integrated audits stores it), one of any other standard as `CATALOG-ID:REF`
/// (`iso27001-2022:A.5.1`). Catalog ids never hold a `:`.
public struct Standards: Sendable {
    /// The catalogs audited, the primary one first; never empty, no two with one id.
    public let catalogs: [Catalog]
    /// Each catalog's prefix, in the order of `catalogs`: its `Catalog.shortPrefix`, or its id
    /// where two catalogs of the engagement share a short prefix.
    public let prefixes: [String]

    /// One requirement of one of the standards.
    public struct Reference: Hashable, Sendable {
        /// The position of the requirement's standard in `Standards.catalogs`.
        public let standard: Int
        /// The requirement itself.
        public let requirement: Catalog.Requirement
        /// How the reference is stored: bare for the primary standard, `CATALOG-ID:REF` otherwise.
        public let stored: String
        /// How the reference is shown: bare in an engagement of one standard, `PREFIX:REF` in an
        /// integrated audit.
        public let shown: String
    }

    /// The requirement mapping sets that link two of the standards (source and target both audited).
    public let mappingSets: [MappingSet]
    /// The recorded standards this build does not read (a newer format), as compact JSON: not
    /// audited here, but carried on whenever the `catalogs` field is rewritten.
    public var unreadCatalogs: [String] = []
    /// The recorded mapping sets this build does not read, carried on like `unreadCatalogs`.
    public var unreadMappingSets: [String] = []
    /// For each stored reference, the requirements of other standards mapped to it, with the
    /// relationship read from its side: built once, so coverage costs the mappings' number, not
    /// their product with the catalogs' sizes.
    private var mappedByStored: [String: [(reference: Reference, relationship: MappingSet.Relationship)]]

    /// The standards of an engagement: `primary` first, then `others` in order (a catalog whose id
    /// is already listed is left out), with those of `mappingSets` that link two of them (each
    /// `qualifiedID` once).
    public init(primary: Catalog, others: [Catalog] = [], mappingSets: [MappingSet] = []) {
        var catalogs = [primary]
        for catalog in others where !catalogs.contains(where: { $0.id == catalog.id }) { catalogs.append(catalog) }
        self.catalogs = catalogs
        var linking: [MappingSet] = []
        for set in mappingSets where !linking.contains(where: { $0.qualifiedID == set.qualifiedID }) {
            let source = catalogs.firstIndex { $0.frameworkURNs.contains(set.sourceFramework) }
            let target = catalogs.firstIndex { $0.frameworkURNs.contains(set.targetFramework) }
            if let source, let target, source != target { linking.append(set) }
        }
        self.mappingSets = linking
        let short = catalogs.map(\.shortPrefix)
        prefixes = catalogs.indices.map { index in
            let clashes = short.indices.contains { $0 != index && (short[$0] == short[index] || catalogs[$0].id.lowercased() == short[index]) }
            return clashes ? catalogs[index].id : short[index]
        }
        mappedByStored = [:]
        mappedByStored = mappingIndex()
    }

    /// Builds `mappedByStored`: each mapping's two urns resolved once.
    private func mappingIndex() -> [String: [(reference: Reference, relationship: MappingSet.Relationship)]] {
        var index: [String: [(reference: Reference, relationship: MappingSet.Relationship)]] = [:]
        var urns: [Int: [String: Catalog.Requirement]] = [:]
        func requirement(_ urn: String, in standard: Int) -> Catalog.Requirement? {
            if urns[standard] == nil {
                urns[standard] = Dictionary(catalogs[standard].requirements.compactMap { r in r.urn.map { ($0, r) } }, uniquingKeysWith: { first, _ in first })
            }
            return urns[standard]?[urn] ?? catalogs[standard].requirement(urn: urn)
        }
        for set in mappingSets {
            guard let source = standard(ofFramework: set.sourceFramework), let target = standard(ofFramework: set.targetFramework) else { continue }
            for mapping in set.mappings where mapping.relationship != .notRelated {
                guard let from = requirement(mapping.source, in: source), let to = requirement(mapping.target, in: target) else { continue }
                let sourceReference = reference(from, of: source), targetReference = reference(to, of: target)
                index[targetReference.stored, default: []].append((sourceReference, mapping.relationship))
                index[sourceReference.stored, default: []].append((targetReference, mapping.relationship.reversed))
            }
        }
        return index
    }

    /// The primary standard: the one the engagement was created with first.
    public var primary: Catalog { catalogs[0] }

    /// Whether the engagement audits more than one standard (references are then shown qualified).
    public var isIntegrated: Bool { catalogs.count > 1 }

    /// The position of the standard a framework urn names (`Catalog.frameworkURNs`), if audited.
    public func standard(ofFramework urn: String) -> Int? {
        catalogs.firstIndex { $0.frameworkURNs.contains(urn) }
    }

    /// Whether `set` links two of the standards.
    public func links(_ set: MappingSet) -> Bool {
        guard let source = standard(ofFramework: set.sourceFramework), let target = standard(ofFramework: set.targetFramework) else { return false }
        return source != target
    }

    /// The requirements of other standards mapped to a requirement of the standard at `index`,
    /// each with the relationship read from the requirement's side (a mapping whose source it is
    /// reads reversed: `subset` becomes `superset`); `not_related` mappings are left out.
    public func mapped(to requirement: Catalog.Requirement, of index: Int) -> [(reference: Reference, relationship: MappingSet.Relationship)] {
        mappedByStored[reference(requirement, of: index).stored] ?? []
    }

    /// The prefix of a catalog of the engagement (its id when it is not one of them).
    public func prefix(of catalog: Catalog) -> String {
        catalogs.firstIndex { $0.id == catalog.id }.map { prefixes[$0] } ?? catalog.id
    }

    /// The position of the standard a typed prefix names: its prefix or its catalog id, any case.
    public func standard(named prefix: some StringProtocol) -> Int? {
        catalogs.indices.first { prefixes[$0].caseInsensitiveCompare(prefix) == .orderedSame }
            ?? catalogs.indices.first { catalogs[$0].id.caseInsensitiveCompare(prefix) == .orderedSame }
    }

    /// The reference to a requirement of the standard at `index`.
    public func reference(_ requirement: Catalog.Requirement, of index: Int) -> Reference {
        Reference(
            standard: index, requirement: requirement,
            stored: index == 0 ? requirement.ref : "\(catalogs[index].id):\(requirement.ref)",
            shown: isIntegrated ? "\(prefixes[index]):\(requirement.ref)" : requirement.ref)
    }

    /// Resolves a reference as an auditor typed it: `PREFIX:REF` (or `CATALOG-ID:REF`) in that
    /// standard, a bare `REF` in the one standard that has it (case normalised as `Catalog.check`).
    ///
    /// - Throws: `AuditModelError.ambiguousRequirement` naming the qualified candidates when
    ///   several standards have a bare reference; `.unknownStandard` for a prefix no standard of
    ///   the engagement has; `.unknownRequirement` with the nearest references otherwise.
    public func resolve(_ typed: String) throws(AuditModelError) -> Reference {
        let trimmed = typed.trimmingCharacters(in: .whitespaces)
        var namedPrefix: Substring?
        if let colon = trimmed.firstIndex(of: ":") {
            let head = trimmed[..<colon], tail = String(trimmed[trimmed.index(after: colon)...])
            if let index = standard(named: head) {
                return reference(try catalogs[index].check(tail), of: index)
            }
            namedPrefix = head
        }
        let matches = catalogs.indices.compactMap { index in catalogs[index].find(trimmed).map { reference($0, of: index) } }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw .ambiguousRequirement(trimmed, candidates: matches.map { "\(prefixes[$0.standard]):\($0.requirement.ref)" })
        }
        if !isIntegrated { _ = try primary.check(trimmed) }
        if let namedPrefix { throw .unknownStandard(String(namedPrefix), known: prefixes) }
        let suggestions = catalogs.indices.flatMap { index in catalogs[index].nearest(to: trimmed).map { "\(prefixes[index]):\($0)" } }
        throw .unknownRequirement(trimmed, catalog: catalogs.map(\.displayName).joined(separator: " or "), suggestions: Array(suggestions.prefix(3)))
    }

    /// The requirement a stored reference names, `nil` when none of the standards has it (a
    /// reference recorded by a replica that knows a standard this one does not).
    public func locate(_ stored: String) -> Reference? {
        if isIntegrated, let colon = stored.firstIndex(of: ":") {
            let head = stored[..<colon], tail = String(stored[stored.index(after: colon)...])
            if let index = catalogs.indices.dropFirst().first(where: { catalogs[$0].id == head }),
               let requirement = catalogs[index].requirement(tail) {
                return reference(requirement, of: index)
            }
        }
        return primary.requirement(stored).map { reference($0, of: 0) }
    }

    /// A stored reference as it is shown: `PREFIX:REF` in an integrated audit, bare otherwise;
    /// unchanged when no standard has it.
    public func shown(_ stored: String) -> String {
        locate(stored)?.shown ?? stored
    }

    /// The stored references of every requirement of the standard at `index`, in catalog order.
    public func storedRefs(of index: Int) -> [String] {
        catalogs[index].requirements.map { reference($0, of: index).stored }
    }

    /// The heading a report gives a standard: its title and, for a published catalog, its version.
    public func heading(of index: Int) -> String {
        let catalog = catalogs[index]
        let title = catalog.title.hasPrefix(catalog.displayName) ? catalog.title : "\(catalog.displayName) — \(catalog.title)"
        return title + (catalog.edition.map { " (version \($0))" } ?? "")
    }
}

extension Catalog {
    /// The short prefix auditors type before a reference of this standard in an integrated audit
    /// (`42001` for `iso-iec-42001-2023`, `27001` for `iso27001-2022`, `800-53` for
    /// `nist-sp-800-53-rev5`): the id without a trailing edition (a year, `revN`, `vN`), then its
    /// first number of three digits or more with the numbers that follow it, else its last word that
    /// is not a generic one (`catalog`, `controls`, `framework`, …).
    public var shortPrefix: String {
        var parts = id.lowercased().split(separator: "-").map(String.init)
        func isEdition(_ part: String) -> Bool {
            (part.count == 4 && part.allSatisfy(\.isNumber))
                || ["rev", "v", "r"].contains { part.hasPrefix($0) && part.count > $0.count && part.dropFirst($0.count).allSatisfy(\.isNumber) }
        }
        while parts.count > 1, let last = parts.last, isEdition(last) { parts.removeLast() }
        for (index, part) in parts.enumerated() {
            let digits = part.drop { !$0.isNumber }.prefix { $0.isNumber }
            guard digits.count >= 3 else { continue }
            let following = parts[(index + 1)...].prefix { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
            return ([String(digits)] + following).joined(separator: "-")
        }
        let words = parts.filter { !["catalog", "controls", "framework", "standard", "library", "example"].contains($0) }
        return words.last ?? parts.last ?? id
    }

    /// The requirement a reference names, normalising its case (`a.6.2.8` → `A.6.2.8`), if any.
    public func find(_ ref: String) -> Requirement? {
        let trimmed = ref.trimmingCharacters(in: .whitespaces)
        return requirement(trimmed) ?? requirement(trimmed.uppercased())
            ?? requirements.first { $0.ref.caseInsensitiveCompare(trimmed) == .orderedSame }
    }

    /// The catalogs recorded in an engagement's `catalogs` field: a JSON array of catalog files,
    /// sorted keys, in the order the standards were added, then the `unread` elements a newer
    /// build recorded (`unreadElements(_:)`), kept as they were.
    public static func encodeList(_ catalogs: [Catalog], keeping unread: [String] = []) -> String {
        RecordedList.encode(catalogs.map { $0.encodedJSON() }, keeping: unread)
    }

    /// The elements of a `catalogs` field this build does not read (a newer format), as compact
    /// JSON: what `decodeList(_:)` leaves out and a rewrite must keep.
    public static func unreadElements(_ json: String) -> [String] {
        RecordedList.unread(json) { (try? Catalog.decode($0)) != nil }
    }

    /// Reads a `catalogs` field; an element that is not a catalog this build reads is left out
    /// (a newer format recorded by a newer replica).
    public static func decodeList(_ json: String) -> [Catalog] {
        guard let array = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [Any] else { return [] }
        return array.compactMap { element in
            (try? JSONSerialization.data(withJSONObject: element)).flatMap { try? Catalog.decode($0) }
        }
    }
}
