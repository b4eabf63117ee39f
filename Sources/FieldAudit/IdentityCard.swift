import BundleFormat
import Crypto
import Foundation
import Replication

extension Array where Element == UInt8 {
    /// Standard base64.
    var base64: String { Data(self).base64EncodedString() }
}

/// A replica's public identity card: what another replica needs to add its owner to a team or
/// to trust its signatures. It holds no secret.
///
/// Stored as JSON (`format`, `version`, `name`, `replicaID`, `publicKey` in base64,
/// `fingerprint`); the replica id must be the one derived from the key.
public struct IdentityCard: Codable, Hashable, Sendable {
    /// The card format's version this build writes and reads.
    public static let currentVersion = 1
    static let formatName = "fieldaudit-identity-card"

    /// The card format's name, checked when a card is read.
    public var format = IdentityCard.formatName
    /// The card format's version; a newer one is refused with `unsupportedVersion`.
    public var version = IdentityCard.currentVersion
    /// The owner's name, as given to `init`.
    public var name: String
    /// The replica id, 32 hex digits.
    public var replicaID: String
    /// The Ed25519 public key, base64 of its 32 raw bytes.
    public var publicKey: String
    /// `SHA256:` fingerprint of the key, for reading aloud over the phone.
    public var fingerprint: String
    /// The X25519 key bundles are sealed to for this replica, base64 of its 32 raw bytes.
    public var agreementKey: String?

    /// The card of an identity.
    public init(name: String, identity: ReplicaIdentity) {
        self.name = name
        self.replicaID = identity.id.hex
        self.publicKey = identity.publicKey.rawRepresentation.base64EncodedString()
        self.fingerprint = identity.fingerprint
        self.agreementKey = AgreementKey.derive(from: identity).publicKeyBytes.base64
    }

    /// The card's public key, checked against its replica id.
    ///
    /// - Throws: `FieldAuditError.invalidCard` if the key is malformed or does not match the id.
    public func verifiedKey(path: String = "card") throws(FieldAuditError) -> Curve25519.Signing.PublicKey {
        guard let raw = Data(base64Encoded: publicKey),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        else { throw .invalidCard(path: path, reason: "its public key is not a base64 Ed25519 key") }
        guard ReplicaID(publicKey: key).hex == replicaID else {
            throw .invalidCard(path: path, reason: "its replica id does not belong to its public key")
        }
        return key
    }

    /// The card as pretty-printed JSON with sorted keys, ending in a newline.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try! encoder.encode(self)) + Data("\n".utf8)
    }

    /// Reads and checks a card file.
    ///
    /// - Throws: `FieldAuditError` if the file is missing, is not a card, is of a newer version,
    ///   or its id does not match its key.
    public static func load(from path: String) throws(FieldAuditError) -> IdentityCard {
        let data = try InputFile.contents(of: path)
        return try decode(data, source: path)
    }

    /// Reads and checks a card's JSON, received from `source` (a file or an address).
    ///
    /// - Throws: `FieldAuditError` if it is not a card, is of a newer version, or its id does not
    ///   match its key.
    public static func decode(_ data: Data, source path: String) throws(FieldAuditError) -> IdentityCard {
        struct Header: Decodable { var format: String?; var version: Int? }
        guard let header = try? JSONDecoder().decode(Header.self, from: data), header.format == formatName else {
            throw .invalidCard(path: path, reason: "it is not a FieldAudit identity card (JSON with \"format\": \"\(formatName)\")")
        }
        if let version = header.version, version > currentVersion {
            throw .unsupportedVersion(what: "identity card", path: path, found: version, supported: currentVersion)
        }
        let card: IdentityCard
        do { card = try JSONDecoder().decode(IdentityCard.self, from: data) } catch {
            throw .invalidCard(path: path, reason: "a field is missing or has the wrong type")
        }
        _ = try card.verifiedKey(path: path)
        return card
    }
}
