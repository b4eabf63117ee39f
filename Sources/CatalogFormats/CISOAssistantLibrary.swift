import AuditModel

/// CISO Assistant libraries (intuitem's YAML format for frameworks, reference controls, threats
/// and mapping sets): a framework library read as a catalog, in the locale asked for.
///
/// Requirement nodes form a tree through `parent_urn`. Each `assessable` node is a requirement
/// (its `ref_id`, else the last part of its `urn`); its group is its nearest non-assessable
/// ancestor. A requirement under a node whose `ref_id`, `urn` or `name` begins with "Annex", or
/// whose `ref_id` begins with "A.", is a control (applicable as the Statement of Applicability
/// declares); any other is a clause (always applicable).
enum CISOAssistantLibrary {
    /// The `Catalog.Source.format` of catalogs read from CISO Assistant libraries.
    static let formatName = "ciso-assistant-library"

    /// One requirement node as the file writes it.
    private struct RequirementNode {
        var urn: String
        var refID: String?
        var name: String?
        var description: String?
        var parent: String?
        var assessable: Bool
        var implementationGroups: [String]?

        /// The reference a requirement or group gets: its `ref_id`, else the last part of its `urn`.
        var ref: String { refID ?? urn.split(separator: ":").last.map(String.init) ?? urn }

        /// Whether the node opens an annex of controls (`Annex A`, `annex-a`, `A.5`).
        var opensAnnex: Bool {
            let candidates = [refID, urn.split(separator: ":").last.map(String.init), name].compactMap { $0?.lowercased() }
            return candidates.contains { $0.hasPrefix("annex") } || (refID?.hasPrefix("A.") ?? false)
        }
    }

    /// Reads a library's framework as a catalog.
    ///
    /// Titles and summaries come from the `translations` of `locale` where the library has them,
    /// field by field, else from the library's own text.
    ///
    /// - Parameters:
    ///   - id: the catalog id to give it; by default the last part of the framework's `urn`,
    ///     followed by `-LOCALE` when the text is a translation.
    /// - Throws: `AuditModelError.invalidCatalog` naming the first problem: not a library, a
    ///   mapping set, no framework, a missing or mistyped field, an unknown or cyclic
    ///   `parent_urn`, a duplicate `urn` or `ref_id`.
    static func read(_ document: YAMLDocument, locale: String, id: String?) throws(AuditModelError) -> CatalogReading {
        let library = try document.root.mapping()
        guard let objects = try library["objects"]?.mapping() else {
            throw .invalidCatalog("it is YAML but not a CISO Assistant library (it has no `objects`)")
        }
        if let mappingSet = objects["requirement_mapping_set"] ?? objects["requirement_mapping_sets"] {
            let set = mappingSet.node.sequence?.first.map { YAMLValue(node: $0, path: mappingSet.path + "[0]") } ?? mappingSet
            let from = (try? set.text("source_framework_urn")) ?? nil, to = (try? set.text("target_framework_urn")) ?? nil
            let between = from.flatMap { from in to.map { " (\(from) to \($0))" } } ?? ""
            throw .invalidCatalog(
                "it is a CISO Assistant requirement mapping set\(between), not a catalog: `fieldaudit catalog import` stores it beside the catalogs of its two frameworks")
        }
        guard let framework = try objects["framework"]?.mapping() else {
            let holds = objects.keys.isEmpty ? "nothing" : objects.keys.joined(separator: ", ")
            throw .invalidCatalog("the library holds no framework (it holds \(holds)); only framework libraries can be imported as catalogs")
        }
        guard let frameworkURN = try framework.text("urn") else { throw .invalidCatalog("objects.framework.urn is missing") }
        guard let version = try library.text("version") else {
            throw .invalidCatalog("version is missing: a library's version is part of what the catalog is")
        }
        let libraryLocale = try library.text("locale") ?? "en"
        let translated = locale != libraryLocale && hasTranslation(locale, in: [library, framework] + ((try? framework.list("requirement_nodes")) ?? []).prefix(1))
        let usedLocale = translated ? locale : libraryLocale
        func localized(_ value: YAMLValue, _ key: String) throws(AuditModelError) -> String? {
            if translated, let text = try value["translations"]?[locale]?.text(key) { return text }
            return try value.text(key)
        }

        guard let nodeValues = try framework.list("requirement_nodes"), !nodeValues.isEmpty else {
            throw .invalidCatalog("objects.framework.requirement_nodes is missing or empty")
        }
        var nodes: [RequirementNode] = []
        var indexOfURN: [String: Int] = [:]
        for value in nodeValues {
            let value = try value.mapping()
            guard let urn = try value.text("urn") else { throw .invalidCatalog("\(value.path).urn is missing") }
            _ = try value.integer("depth")
            let groups = try value.list("implementation_groups")?.map { item throws(AuditModelError) in try item.text() }
            let node = RequirementNode(
                urn: urn, refID: try value.text("ref_id"), name: try localized(value, "name"),
                description: try localized(value, "description"), parent: try value.text("parent_urn"),
                assessable: try value.bool("assessable") ?? false, implementationGroups: groups)
            guard indexOfURN.updateValue(nodes.count, forKey: urn) == nil else {
                throw .invalidCatalog("two requirement nodes have the urn \(urn)")
            }
            nodes.append(node)
        }
        let ancestry = try Ancestry(nodes.map(\.parent), indexOf: indexOfURN, urns: nodes.map(\.urn), opensAnnex: nodes.map(\.opensAnnex),
                                    isGroup: nodes.map { !$0.assessable })

        let catalogID = id ?? CatalogFile.slug(String(frameworkURN.split(separator: ":").last ?? ""))
            + (translated ? "-\(CatalogFile.slug(locale))" : "")
        let frameworkRef = try framework.text("ref_id")
        let frameworkName = try localized(framework, "name") ?? frameworkRef ?? catalogID
        var groups: [Catalog.Group] = []
        var groupRefOfNode: [Int: String] = [:]
        var usedGroupRefs = Set<String>()
        func groupRef(_ index: Int?) -> String {
            if let index, let ref = groupRefOfNode[index] { return ref }
            var ref = index.map { nodes[$0].ref } ?? frameworkRef ?? catalogID
            if usedGroupRefs.contains(ref) { ref = index.map { nodes[$0].urn } ?? "\(catalogID) (\(ref))" }
            usedGroupRefs.insert(ref)
            groups.append(Catalog.Group(ref: ref, title: index.flatMap { nodes[$0].name } ?? (index == nil ? frameworkName : ref)))
            if let index { groupRefOfNode[index] = ref }
            return ref
        }
        var requirements: [Catalog.Requirement] = []
        var urnOfRef: [String: String] = [:]
        for (index, node) in nodes.enumerated() where node.assessable {
            if let earlier = urnOfRef.updateValue(node.urn, forKey: node.ref) {
                throw .invalidCatalog("the ref_id \(node.ref) appears twice (nodes \(earlier) and \(node.urn)); each requirement auditors cite needs its own")
            }
            requirements.append(Catalog.Requirement(
                ref: node.ref, kind: ancestry.underAnnex[index] ? .control : .clause, group: groupRef(ancestry.group[index]),
                title: node.name ?? node.description.map(Self.firstLine) ?? node.ref, summary: node.description, urn: node.urn,
                implementationGroups: node.implementationGroups))
        }
        guard !requirements.isEmpty else { throw .invalidCatalog("the framework has no assessable requirement node") }
        let catalog = Catalog(
            id: catalogID, name: frameworkRef, title: frameworkName, groups: groups, requirements: requirements,
            source: Catalog.Source(format: formatName, identifier: frameworkURN, version: version, locale: usedLocale))
        try catalog.validate()
        return CatalogReading(catalog: catalog, missingLocale: locale == usedLocale ? nil : locale)
    }

    /// Reads a library's requirement mapping set, or `nil` when the library holds none.
    ///
    /// - Throws: `AuditModelError.invalidCatalog` naming the first missing or mistyped field, or
    ///   a relationship CISO Assistant does not define.
    static func readMappingSet(_ document: YAMLDocument) throws(AuditModelError) -> MappingSet? {
        let library = try document.root.mapping()
        guard let objects = try library["objects"]?.mapping(),
              let found = objects["requirement_mapping_set"] ?? objects["requirement_mapping_sets"]
        else { return nil }
        let set = try (found.node.sequence?.first.map { YAMLValue(node: $0, path: found.path + "[0]") } ?? found).mapping()
        guard let version = try library.text("version") else {
            throw .invalidCatalog("version is missing: a library's version is part of what the mapping set is")
        }
        func required(_ value: YAMLValue, _ key: String) throws(AuditModelError) -> String {
            guard let text = try value.text(key), !text.isEmpty else { throw .invalidCatalog("\(value.path).\(key) is missing") }
            return text
        }
        let urn = try required(set, "urn")
        let source = try required(set, "source_framework_urn"), target = try required(set, "target_framework_urn")
        guard let items = try set.list("requirement_mappings"), !items.isEmpty else {
            throw .invalidCatalog("\(set.path).requirement_mappings is missing or empty")
        }
        var mappings: [MappingSet.Mapping] = []
        for item in items {
            let item = try item.mapping()
            let relationshipText = try required(item, "relationship")
            guard let relationship = MappingSet.Relationship(rawValue: relationshipText) else {
                throw .invalidCatalog("\(item.path).relationship is \(relationshipText); CISO Assistant defines \(MappingSet.Relationship.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            mappings.append(MappingSet.Mapping(
                source: try required(item, "source_requirement_urn"), target: try required(item, "target_requirement_urn"),
                relationship: relationship, strength: try item.integer("strength_of_relationship")))
        }
        let id = CatalogFile.slug(String(urn.split(separator: ":").last ?? ""))
        let setName = try set.text("name"), libraryName = try library.text("name")
        return MappingSet(
            id: id, name: setName ?? libraryName ?? id, urn: urn, edition: version,
            sourceFramework: source, targetFramework: target, mappings: mappings)
    }

    /// Whether the library, its framework or its first requirement node has a translation into `locale`.
    private static func hasTranslation(_ locale: String, in values: [YAMLValue]) -> Bool {
        values.contains { $0["translations"]?[locale] != nil }
    }

    /// A description's first line, at most 80 characters, as the title of a node without a name.
    private static func firstLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return line.count <= 80 ? line : String(line.prefix(79)) + "…"
    }
}

/// The tree the requirement nodes' `parent_urn`s draw, checked and summarised without recursion.
struct Ancestry {
    /// For each node, the index of its nearest ancestor that is a group (non-assessable), if any.
    private(set) var group: [Int?]
    /// For each node, whether it or an ancestor opens an annex of controls.
    private(set) var underAnnex: [Bool]

    /// Follows every node's parents once (memoised, so a long chain costs its length once).
    ///
    /// - Throws: `AuditModelError.invalidCatalog` for a `parent_urn` naming no node, or a cycle.
    init(_ parents: [String?], indexOf: [String: Int], urns: [String], opensAnnex: [Bool], isGroup: [Bool]) throws(AuditModelError) {
        let count = parents.count
        group = Array(repeating: nil, count: count)
        underAnnex = Array(repeating: false, count: count)
        var parentIndex = [Int?](repeating: nil, count: count)
        for (index, parent) in parents.enumerated() {
            guard let parent else { continue }
            guard let found = indexOf[parent] else {
                throw .invalidCatalog("requirement node \(urns[index]) names the parent_urn \(parent), which is no node of the framework")
            }
            parentIndex[index] = found
        }
        enum State { case unvisited, visiting, done }
        var state = [State](repeating: .unvisited, count: count)
        for start in 0..<count where state[start] == .unvisited {
            var path: [Int] = []
            var current: Int? = start
            while let node = current, state[node] != .done {
                guard state[node] == .unvisited else {
                    throw .invalidCatalog("the parent_urn of requirement node \(urns[node]) leads back to itself (a cycle); each node's parents must end at a top-level node")
                }
                state[node] = .visiting
                path.append(node)
                current = parentIndex[node]
            }
            for node in path.reversed() {
                if let parent = parentIndex[node] {
                    group[node] = isGroup[parent] ? parent : group[parent]
                    underAnnex[node] = opensAnnex[node] || underAnnex[parent]
                } else {
                    underAnnex[node] = opensAnnex[node]
                }
                state[node] = .done
            }
        }
    }
}
