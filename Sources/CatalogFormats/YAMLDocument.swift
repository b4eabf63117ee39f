import AuditModel
import Yams

/// A YAML document composed by Yams (libyaml), bounded for hostile files, with typed reads that
/// name the path of a value that is missing or of the wrong type.
///
/// Bounds: libyaml refuses nesting deeper than 1,000 levels; anchors and aliases (`&name`,
/// `*name`) are refused, so a document cannot expand beyond its own size ("billion laughs": Yams
/// shares an aliased node, but anything that walks the tree would visit it once per alias); and a
/// document of more than `maximumNodes` values is refused.
struct YAMLDocument {
    /// The most values (scalars, lists, mappings) a catalog file may hold; published libraries hold
    /// well under a tenth of this.
    static let maximumNodes = 2_000_000

    /// The document's root value.
    let root: YAMLValue

    /// Composes one YAML document.
    ///
    /// - Throws: `AuditModelError.invalidCatalog` for text that is not YAML (with its line and
    ///   column), an empty document, several documents, an anchor or alias, or too many values.
    init(_ text: String) throws(AuditModelError) {
        try Self.refuseAliasKeys(in: text)
        // The parser holds the anchors: nodes refer to theirs weakly, so it must outlive the walk.
        let parser: Parser
        let composed: Node?
        do {
            parser = try Parser(yaml: text)
            composed = try parser.singleRoot()
        } catch let error as YamlError {
            throw .invalidCatalog("it is not valid YAML: \(Self.describe(error))")
        } catch {
            throw .invalidCatalog("it is not valid YAML: \(error)")
        }
        guard let composed else { throw .invalidCatalog("the file is empty") }
        try withExtendedLifetime(parser) { () throws(AuditModelError) in try Self.checkBounds(of: composed) }
        root = YAMLValue(node: composed, path: "")
    }

    /// Refuses an alias used as a mapping key (`? *name` or `*name : value`) before composing:
    /// Yams hashes every key to find duplicates, and an aliased key is hashed whole, expansion
    /// and all, before the tree could be walked. Only text that defines an anchor (`&`) is searched.
    private static func refuseAliasKeys(in text: String) throws(AuditModelError) {
        guard text.contains("&") else { return }
        let aliasKey = /(?m)(^|[\s\[{,])(\?\s+\*|\*[A-Za-z0-9_.\-]+\s*:(\s|$))/
        if let match = text.firstMatch(of: aliasKey) {
            let line = text[..<match.output.2.startIndex].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
            throw .invalidCatalog(
                "it uses a YAML alias as a mapping key (line \(line)); catalog files may not use anchors or aliases (&name, *name), so that none can expand beyond the file's size: write the values out")
        }
    }

    /// Walks the tree once, without recursion, refusing the first anchored node (an alias
    /// composes to its anchored node, so it is refused where it first appears) and any value past
    /// `maximumNodes`.
    private static func checkBounds(of root: Node) throws(AuditModelError) {
        var pending = [root]
        var count = 0
        while let node = pending.popLast() {
            count += 1
            guard count <= maximumNodes else {
                throw .invalidCatalog("it holds more than \(maximumNodes) YAML values; a catalog file holds far fewer")
            }
            if let anchor = node.anchor {
                let line = node.mark.map { " (line \($0.line))" } ?? ""
                throw .invalidCatalog(
                    "it uses the YAML anchor or alias '\(anchor.rawValue)'\(line); catalog files may not use anchors or aliases (&name, *name), so that none can expand beyond the file's size: write the values out")
            }
            switch node {
            case let .mapping(mapping):
                for (key, value) in mapping { pending.append(key); pending.append(value) }
            case let .sequence(sequence):
                pending.append(contentsOf: sequence)
            case .scalar, .alias:
                break
            }
        }
    }

    /// A YAML error in one line: the problem and where it is, without the file's text.
    static func describe(_ error: YamlError) -> String {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            "\(problem) at line \(mark.line), column \(mark.column)"
        case let .reader(problem, offset, _, _):
            "\(problem)" + (offset.map { " at byte \($0)" } ?? "")
        case let .duplicatedKeysInMapping(duplicates, context):
            "the key \(duplicates.joined(separator: ", ")) appears twice in one mapping at line \(context.mark.line)"
        default:
            "\(error)"
        }
    }
}

/// One value of a YAML document and where it is (`objects.framework.requirement_nodes[3].ref_id`),
/// read as the type a catalog expects or refused naming that path.
struct YAMLValue {
    /// The composed node.
    let node: Node
    /// The path of keys and indexes from the root, for messages.
    let path: String

    /// Whether the value is YAML's null (`~`, `null`, or nothing).
    var isNull: Bool { node.null != nil }

    /// The value of `key` in this mapping; `nil` when the key is absent or null, or this is not a mapping.
    subscript(key: String) -> YAMLValue? {
        // A scan of the keys' text: Yams' own subscript compares whole nodes, resolving tags each time.
        guard let mapping = node.mapping, let value = mapping.first(where: { $0.key.scalar?.string == key })?.value,
              value.null == nil
        else { return nil }
        return YAMLValue(node: value, path: path.isEmpty ? key : "\(path).\(key)")
    }

    /// The path for messages: `the top level` for the root.
    private var place: String { path.isEmpty ? "the top level" : path }

    /// The mapping's keys, in file order; empty when this is not a mapping.
    var keys: [String] { node.mapping?.keys.compactMap(\.string) ?? [] }

    /// What the value is, for messages.
    private var shape: String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar, .alias: "a single value"
        }
    }

    /// Refuses a value that is not a mapping.
    func mapping() throws(AuditModelError) -> YAMLValue {
        guard node.mapping != nil else { throw .invalidCatalog("\(place) must be a mapping of keys to values, not \(shape)") }
        return self
    }

    /// The value as text, exactly as written (`4.10` stays `4.10`).
    func text() throws(AuditModelError) -> String {
        guard let scalar = node.scalar else { throw .invalidCatalog("\(place) must be text, not \(shape)") }
        return scalar.string
    }

    /// The text of `key`, trimmed; `nil` when absent, null or blank.
    func text(_ key: String) throws(AuditModelError) -> String? {
        guard let text = try self[key]?.text().trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }

    /// The boolean `key`; `nil` when absent.
    func bool(_ key: String) throws(AuditModelError) -> Bool? {
        guard let value = self[key] else { return nil }
        guard let bool = value.node.scalar != nil ? value.node.bool : nil else {
            throw .invalidCatalog("\(value.path) must be true or false")
        }
        return bool
    }

    /// The whole number `key`; `nil` when absent.
    func integer(_ key: String) throws(AuditModelError) -> Int? {
        guard let value = self[key] else { return nil }
        guard let int = value.node.scalar != nil ? value.node.int : nil else {
            throw .invalidCatalog("\(value.path) must be a whole number")
        }
        return int
    }

    /// The list `key`; `nil` when absent.
    func list(_ key: String) throws(AuditModelError) -> [YAMLValue]? {
        guard let value = self[key] else { return nil }
        guard let sequence = value.node.sequence else { throw .invalidCatalog("\(value.path) must be a list, not \(value.shape)") }
        return sequence.enumerated().map { YAMLValue(node: $1, path: "\(value.path)[\($0)]") }
    }
}
