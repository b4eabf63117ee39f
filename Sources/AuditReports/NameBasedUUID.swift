import Crypto
import Foundation

/// Name-based UUIDs (RFC 9562 §5.5, version 5: SHA-1 of a namespace and a name), so a document
/// made twice from the same engagement names the same things with the same UUIDs.
///
/// OSCAL accepts only version 4 (random) and version 5 UUIDs; entity ids are version 7, so every
/// UUID an OSCAL document carries is derived from an entity id (or another stable name) here.
enum NameBasedUUID {
    /// The RFC 9562 namespace for URLs, `6ba7b811-9dad-11d1-80b4-00c04fd430c8`.
    static let urlNamespace = UUID(uuidString: "6ba7b811-9dad-11d1-80b4-00c04fd430c8")!

    /// FieldAudit's namespace: the version 5 UUID of the URL of our OSCAL namespace.
    static let fieldAuditNamespace = make(urlNamespace, name: OSCALAssessmentResults.namespace)

    /// The version 5 UUID of `name` in `namespace`.
    static func make(_ namespace: UUID, name: String) -> UUID {
        var hasher = Insecure.SHA1()
        withUnsafeBytes(of: namespace.uuid) { hasher.update(bufferPointer: $0) }
        hasher.update(data: Array(name.utf8))
        var bytes = Array(hasher.finalize().prefix(16))
        bytes[6] = 0x50 | (bytes[6] & 0x0f)  // version 5
        bytes[8] = 0x80 | (bytes[8] & 0x3f)  // RFC 9562 variant
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// The lowercase text of the version 5 UUID of `parts` joined by `:` in FieldAudit's namespace
    /// (`uuid("finding", id.description)`).
    static func uuid(_ parts: String...) -> String {
        make(fieldAuditNamespace, name: parts.joined(separator: ":")).uuidString.lowercased()
    }
}
