import AuditModel
import Foundation

/// OSCAL catalogs (NIST's Open Security Controls Assessment Language, JSON): groups, controls,
/// control enhancements, parameters and parts, read as a catalog of controls.
///
/// Each control and enhancement keeps its `id` as its reference and its `title`; its summary is
/// the text of its `statement` part, each subpart on its own line after its label, with every
/// `{{ insert: param, ID }}` replaced by the parameter's value, else `[Assignment: LABEL]` or
/// `[Selection: A; B]`, else `[Assignment: ID]`. Controls marked withdrawn are left out. Each
/// control belongs to its nearest group; controls outside any group to one named after the catalog.
enum OSCALCatalog {
    /// The `Catalog.Source.format` of catalogs read from OSCAL catalogs.
    static let formatName = "oscal-catalog"

    /// Reads an OSCAL catalog document (the object under the top-level `catalog` key).
    ///
    /// - Parameter id: the catalog id to give it; by default made from `metadata.title`.
    /// - Throws: `AuditModelError.invalidCatalog` naming the first missing or mistyped field.
    static func read(_ data: Data, id: String?) throws(AuditModelError) -> Catalog {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch let error as DecodingError {
            throw .invalidCatalog(CatalogFile.describe(error))
        } catch {
            throw .invalidCatalog("it is not an OSCAL catalog (\(error))")
        }
        let model = document.catalog
        var parameters: [String: Parameter] = [:]
        var groups: [Catalog.Group] = []
        var requirements: [Catalog.Requirement] = []
        let title = model.metadata.title.trimmingCharacters(in: .whitespacesAndNewlines)

        // Groups and controls, without recursion: nesting in a hostile file is bounded by the JSON
        // parser, but the walk need not rely on it.
        enum Item { case group(Group), control(Control, group: String) }
        func collect(_ params: [Parameter]?) { for parameter in params ?? [] { parameters[parameter.id] = parameter } }
        collect(model.params)
        var pending: [Item] = (model.groups ?? []).reversed().map(Item.group)
        if let controls = model.controls, !controls.isEmpty {
            groups.append(Catalog.Group(ref: title, title: title))
            pending += controls.reversed().map { Item.control($0, group: title) }
        }
        var controls: [(Control, String)] = []
        while let item = pending.popLast() {
            switch item {
            case let .group(group):
                collect(group.params)
                let ref = group.id ?? group.title
                groups.append(Catalog.Group(ref: ref, title: group.title))
                pending += (group.groups ?? []).reversed().map(Item.group)
                pending += (group.controls ?? []).reversed().map { Item.control($0, group: ref) }
            case let .control(control, group):
                collect(control.params)
                controls.append((control, group))
                pending += (control.controls ?? []).reversed().map { Item.control($0, group: group) }
            }
        }
        for (control, group) in controls where !control.isWithdrawn {
            let statement = control.parts?.first { $0.name == "statement" }
            requirements.append(Catalog.Requirement(
                ref: control.id, kind: .control, group: group, title: control.title,
                summary: statement.map { render($0, parameters: parameters) }))
        }
        guard !requirements.isEmpty else { throw .invalidCatalog("the OSCAL catalog has no controls") }
        let catalog = Catalog(
            id: id ?? CatalogFile.slug(title), name: nil, title: title, groups: groups, requirements: requirements,
            source: Catalog.Source(format: formatName, identifier: model.uuid, version: model.metadata.version))
        try catalog.validate()
        return catalog
    }

    /// A statement part's text: its prose, then each subpart's label and prose on its own line.
    static func render(_ part: Part, parameters: [String: Parameter]) -> String {
        var lines: [String] = []
        var pending: [(Part, Int)] = [(part, 0)]
        while let (part, level) = pending.popLast() {
            let label = part.props?.first { $0.name == "label" }?.value
            let prose = part.prose.map { resolve($0, parameters: parameters) }
            let line = [label, prose].compactMap { $0 }.joined(separator: " ")
            if !line.isEmpty { lines.append(String(repeating: "  ", count: max(0, level - 1)) + line) }
            pending += (part.parts ?? []).reversed().map { ($0, level + 1) }
        }
        return lines.joined(separator: "\n")
    }

    /// Prose with each `{{ insert: param, ID }}` replaced by what the parameter says.
    static func resolve(_ prose: String, parameters: [String: Parameter], nested: Bool = false) -> String {
        var result = ""
        var rest = prose[...]
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            result += rest[..<open.lowerBound]
            let inside = rest[open.upperBound..<close.lowerBound].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if inside.count == 2, inside[0].replacingOccurrences(of: " ", with: "") == "insert:param" {
                result += shown(inside[1], parameters: parameters, nested: nested)
            } else {
                result += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        return result + rest
    }

    /// How a parameter reads in prose: its values, else its label or choices, else its id.
    private static func shown(_ id: String, parameters: [String: Parameter], nested: Bool) -> String {
        guard let parameter = parameters[id] else { return "[Assignment: \(id)]" }
        if let values = parameter.values, !values.isEmpty { return values.joined(separator: ", ") }
        if let select = parameter.select, let choices = select.choice, !choices.isEmpty {
            // A choice may insert another parameter; one level is resolved, deeper ones stay placeholders.
            let shownChoices = choices.map { nested ? $0 : resolve($0, parameters: parameters, nested: true) }
            return "[Selection\(select.howMany == "one-or-more" ? " (one or more)" : ""): \(shownChoices.joined(separator: "; "))]"
        }
        return "[Assignment: \(parameter.label ?? id)]"
    }

    // MARK: - The OSCAL JSON model, as far as a catalog needs it

    struct Document: Decodable {
        var catalog: Model
    }

    struct Model: Decodable {
        var uuid: String
        var metadata: Metadata
        var params: [Parameter]?
        var controls: [Control]?
        var groups: [Group]?
    }

    struct Metadata: Decodable {
        var title: String
        var version: String
    }

    struct Group: Decodable {
        var id: String?
        var title: String
        var params: [Parameter]?
        var groups: [Group]?
        var controls: [Control]?
    }

    struct Control: Decodable {
        var id: String
        var title: String
        var params: [Parameter]?
        var props: [Property]?
        var parts: [Part]?
        var controls: [Control]?

        /// Whether the control is marked `status: withdrawn` (NIST keeps withdrawn ids in place).
        var isWithdrawn: Bool { props?.contains { $0.name == "status" && $0.value == "withdrawn" } ?? false }
    }

    struct Parameter: Decodable {
        var id: String
        var label: String?
        var values: [String]?
        var select: Selection?
    }

    struct Selection: Decodable {
        var howMany: String?
        var choice: [String]?

        enum CodingKeys: String, CodingKey {
            case howMany = "how-many", choice
        }
    }

    struct Part: Decodable {
        var name: String
        var prose: String?
        var props: [Property]?
        var parts: [Part]?
    }

    struct Property: Decodable {
        var name: String
        var value: String
    }
}
