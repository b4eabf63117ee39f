import AuditModel
import Foundation

/// A catalog read from a file's text, and what the reader could not honour.
public struct CatalogReading: Sendable {
    /// The catalog, validated.
    public var catalog: Catalog
    /// The locale asked for when the file has no translation into it (its own text was used).
    public var missingLocale: String?
}

/// What a library file holds: a catalog, or a requirement mapping set between two catalogs.
public enum LibraryReading: Sendable {
    /// A catalog (a framework library, an OSCAL catalog, FieldAudit's own JSON).
    case catalog(CatalogReading)
    /// A CISO Assistant requirement mapping set, not yet checked against its frameworks.
    case mappingSet(MappingSet)
}

/// A catalog file in any format FieldAudit reads, recognised by its content: FieldAudit's own
/// JSON (`Fixtures/catalogs/FORMAT.md`), an OSCAL catalog (JSON), or a CISO Assistant framework
/// library (YAML). OSCAL profiles, other OSCAL models and CISO Assistant mapping sets are
/// recognised and refused with what to do instead.
public enum CatalogFile {
    /// The largest catalog file read, in bytes: 32 MiB, three times NIST SP 800-53 rev. 5's
    /// OSCAL catalog; the caller checks it before reading the file.
    public static let maximumBytes = 32 << 20

    /// Reads a catalog from a file's UTF-8 text.
    ///
    /// - Parameters:
    ///   - locale: the language wanted for a CISO Assistant library's text (`en`, `fr`).
    ///   - id: the catalog id to give a catalog read from a published format; by default one is
    ///     made from the framework's urn or the OSCAL catalog's title.
    /// - Throws: `AuditModelError.invalidCatalog` (or `.unsupportedCatalogVersion`) naming the
    ///   first problem.
    public static func read(_ text: String, locale: String = "en", id: String? = nil) throws(AuditModelError) -> CatalogReading {
        let first = text.unicodeScalars.first { !$0.properties.isWhitespace && $0 != "\u{FEFF}" }
        switch first {
        case "{", "[":
            return CatalogReading(catalog: try readJSON(Data(text.utf8), id: id))
        case "<":
            throw .invalidCatalog("it looks like XML, which is not read: use the OSCAL catalog in JSON (oscal-cli can convert it)")
        case nil:
            throw .invalidCatalog("the file is empty")
        default:
            let document = try YAMLDocument(text)
            if document.root["catalog"] != nil || document.root["profile"] != nil {
                throw .invalidCatalog("it looks like OSCAL in YAML, which is not read: use the OSCAL JSON (oscal-cli can convert it)")
            }
            return try CISOAssistantLibrary.read(document, locale: locale, id: id)
        }
    }

    /// Reads a catalog or a requirement mapping set from a file's UTF-8 text, recognised by content
    /// (`read(_:locale:id:)` for catalogs; a CISO Assistant library holding a mapping set).
    ///
    /// - Throws: `AuditModelError.invalidCatalog` (or `.unsupportedCatalogVersion`) naming the
    ///   first problem.
    public static func readLibrary(_ text: String, locale: String = "en", id: String? = nil) throws(AuditModelError) -> LibraryReading {
        let first = text.unicodeScalars.first { !$0.properties.isWhitespace && $0 != "\u{FEFF}" }
        if let first, first != "{", first != "[", first != "<" {
            let document = try YAMLDocument(text)
            if let set = try CISOAssistantLibrary.readMappingSet(document) {
                guard id == nil else { throw .invalidCatalog("--id applies to catalogs; a mapping set is known by its urn") }
                return .mappingSet(set)
            }
        }
        return .catalog(try read(text, locale: locale, id: id))
    }

    /// A JSON catalog: FieldAudit's own format, or an OSCAL catalog; OSCAL's other models are refused.
    private static func readJSON(_ data: Data, id: String?) throws(AuditModelError) -> Catalog {
        guard let keys = try? JSONDecoder().decode(TopLevelKeys.self, from: data).keys else {
            guard (try? JSONSerialization.jsonObject(with: data)) != nil else { throw .invalidCatalog("it is not valid JSON") }
            throw .invalidCatalog("it is JSON but not a catalog: the top level must be an object")
        }
        if keys.contains("catalog") { return try OSCALCatalog.read(data, id: id) }
        if keys.contains("profile") {
            throw .invalidCatalog(
                "it is an OSCAL profile, which selects and tailors controls from other catalogs: resolve it into a catalog first (for example `trestle author profile-resolve` or `oscal-cli profile resolve`) and import that")
        }
        let otherModels = ["component-definition", "system-security-plan", "assessment-plan", "assessment-results",
                           "plan-of-action-and-milestones", "mapping-collection"]
        if let model = otherModels.first(where: keys.contains) {
            throw .invalidCatalog("it is an OSCAL \(model), not a catalog")
        }
        guard id == nil else { throw .invalidCatalog("--id applies only to CISO Assistant libraries and OSCAL catalogs; a FieldAudit catalog file names its own id") }
        return try Catalog.decode(data)
    }

    /// The keys of a JSON object, read without decoding their values.
    private struct TopLevelKeys: Decodable {
        var keys: Set<String>

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            keys = Set(try decoder.container(keyedBy: Key.self).allKeys.map(\.stringValue))
        }
    }

    /// A catalog id made from a name: lower-case letters and digits, `.` kept, anything else one
    /// `-`, at most 48 characters (cut at a `-`).
    static func slug(_ name: String) -> String {
        var slug = ""
        for character in name.lowercased() {
            if character.isASCII && (character.isLetter || character.isNumber || character == ".") {
                slug.append(character)
            } else if !slug.isEmpty, slug.last != "-" {
                slug.append("-")
            }
        }
        while slug.hasSuffix("-") || slug.hasSuffix(".") { slug.removeLast() }
        if slug.count > 48 {
            let cut = String(slug.prefix(48))
            slug = cut.lastIndex(of: "-").map { String(cut[..<$0]) } ?? cut
        }
        return slug.isEmpty ? "catalog" : slug
    }

    /// A decoding error as a message naming the field's path (`catalog.groups[0].controls[2].title`).
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            (codingPath + (last.map { [$0] } ?? [])).reduce("") { path, key in
                if let index = key.intValue { return "\(path)[\(index)]" }
                return path.isEmpty ? key.stringValue : "\(path).\(key.stringValue)"
            }
        }
        switch error {
        case let .keyNotFound(key, context): return "\(path(context.codingPath, key)) is missing"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "\(path(context.codingPath)) has the wrong type (\(context.debugDescription))"
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty ? "it is not valid JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
