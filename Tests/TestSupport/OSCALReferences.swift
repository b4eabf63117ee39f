import Foundation

/// The UUIDs an OSCAL document defines and refers to, and its hashes: what compliance-trestle's
/// schema check does not look at.
///
/// A definition is any `uuid` member; a reference is any member whose name ends in `-uuid` (one
/// UUID) or `-uuids` (a list), `member-of-organizations`, and any `href` of the form `#UUID`.
public struct OSCALReferences {
    /// Every UUID defined, in document order.
    public private(set) var defined: [String] = []
    /// Every UUID referred to, in document order.
    public private(set) var referenced: [String] = []
    /// Every hash, as `(algorithm, value)`.
    public private(set) var hashes: [(algorithm: String, value: String)] = []

    public init(_ json: Any) {
        visit(json, key: nil)
    }

    /// References to a UUID the document does not define.
    public var unresolved: [String] { referenced.filter { !Set(defined).contains($0) } }

    /// UUIDs defined more than once.
    public var duplicates: [String] {
        var seen = Set<String>()
        return defined.filter { !seen.insert($0).inserted }
    }

    /// Hashes that are not SHA-256 as 64 lowercase hexadecimal digits.
    public var malformedHashes: [String] {
        hashes.filter { $0.algorithm != "SHA-256" || $0.value.wholeMatch(of: /[0-9a-f]{64}/) == nil }.map { "\($0.algorithm) \($0.value)" }
    }

    private mutating func visit(_ value: Any, key: String?) {
        switch value {
        case let object as [String: Any]:
            for name in object.keys.sorted() {
                let member = object[name]!
                if name == "hashes", let list = member as? [[String: Any]] {
                    hashes += list.map { (($0["algorithm"] as? String) ?? "", ($0["value"] as? String) ?? "") }
                }
                visit(member, key: name)
            }
        case let list as [Any]:
            for item in list { visit(item, key: key) }
        case let text as String:
            guard let key else { return }
            if key == "uuid" {
                defined.append(text)
            } else if key.hasSuffix("-uuid") || key.hasSuffix("-uuids") || key == "member-of-organizations" {
                referenced.append(text)
            } else if key == "href", text.hasPrefix("#") {
                referenced.append(String(text.dropFirst()))
            }
        default:
            break
        }
    }
}
