import Crypto
import Foundation
import Replication

/// The signature a laptop puts on every authenticated request to the central repository
/// (Sync/PROTOCOL.md, part three): five headers, one an Ed25519 signature by the laptop's
/// replica key over `canonicalString`, one the body's SHA-256 that the signature covers, so the
/// server checks the signature before it reads any of the body and the body as it streams.
///
/// The signature binds the method, the path, the central's replica id (so a request made for one
/// central cannot be replayed to another), the date, a nonce and the SHA-256 of the body.
public struct RequestSignature: Sendable, Equatable {
    /// The header names, as sent.
    public enum Header {
        /// The signer's Ed25519 public key, base64 of its 32 raw bytes.
        public static let key = "FieldAudit-Key"
        /// When the request was signed, RFC 3339 UTC to the second: `2026-12-01T09:30:00Z`.
        public static let date = "FieldAudit-Date"
        /// 32 lowercase hex digits (16 random bytes), never reused.
        public static let nonce = "FieldAudit-Nonce"
        /// Base64 of the 64-byte Ed25519 signature over the canonical string.
        public static let signature = "FieldAudit-Signature"
        /// The body's SHA-256 as 64 lowercase hex digits (the empty body's for a request without
        /// one): the value the canonical string's last line holds.
        public static let bodyDigest = "FieldAudit-Body-SHA256"
    }

    /// The first line of the canonical string: the scheme and its version.
    public static let scheme = "FIELDAUDIT-HTTP-SIGNATURE-V1"

    /// The signer's public key, base64.
    public var publicKey: String
    /// The date header's value.
    public var date: String
    /// The nonce header's value.
    public var nonce: String
    /// The signature header's value.
    public var signature: String
    /// The body digest header's value: the SHA-256 the signature covers.
    public var bodyDigest: String

    /// The bytes signed: seven lines, each ended by a line feed (0x0A), UTF-8:
    /// the scheme, the method (upper case), the path as sent (with its query, if any), the
    /// central's replica id (32 hex digits), the date, the nonce, and the body's SHA-256 (64
    /// lowercase hex digits; the empty body's hash when there is none).
    public static func canonicalString(method: String, path: String, server: ReplicaID, date: String, nonce: String, bodyDigest: String) -> String {
        [scheme, method.uppercased(), path, server.hex, date, nonce, bodyDigest].map { $0 + "\n" }.joined()
    }

    /// Signs a request as `identity`, for the central `server`, at `now`.
    public static func sign(
        method: String, path: String, server: ReplicaID, bodyDigest: String, by identity: ReplicaIdentity,
        at now: Date = Date(), nonce: String = RequestSignature.newNonce()
    ) -> RequestSignature {
        let date = Self.format(now)
        let text = canonicalString(method: method, path: path, server: server, date: date, nonce: nonce, bodyDigest: bodyDigest)
        return RequestSignature(
            publicKey: identity.publicKey.rawRepresentation.base64EncodedString(), date: date, nonce: nonce,
            signature: Data(identity.sign(Data(text.utf8))).base64EncodedString(), bodyDigest: bodyDigest)
    }

    /// The five header values as received: the signer's base64 Ed25519 key, the RFC 3339 date, the
    /// nonce, the base64 signature and the body's SHA-256 (checked by `RequestAuthenticator`, not here).
    public init(publicKey: String, date: String, nonce: String, signature: String, bodyDigest: String) {
        self.publicKey = publicKey
        self.date = date
        self.nonce = nonce
        self.signature = signature
        self.bodyDigest = bodyDigest
    }

    /// Reads the five headers; `nil` if any is missing.
    public init?(header: (String) -> String?) {
        guard let key = header(Header.key), let date = header(Header.date), let nonce = header(Header.nonce),
              let signature = header(Header.signature), let bodyDigest = header(Header.bodyDigest)
        else { return nil }
        self.init(publicKey: key, date: date, nonce: nonce, signature: signature, bodyDigest: bodyDigest)
    }

    /// The headers, name and value.
    public var headers: [(name: String, value: String)] {
        [(Header.key, publicKey), (Header.date, date), (Header.nonce, nonce), (Header.signature, signature), (Header.bodyDigest, bodyDigest)]
    }

    /// Whether the body digest header is 64 lowercase hex digits.
    public var bodyDigestIsWellFormed: Bool {
        bodyDigest.utf8.count == 64 && bodyDigest.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The signer's key, if the header holds one.
    public var signerKey: Curve25519.Signing.PublicKey? {
        guard publicKey.utf8.count == 44, let raw = Data(base64Encoded: publicKey) else { return nil }
        return try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
    }

    /// The date, if the header is RFC 3339 UTC to the second.
    public var signedAt: Date? {
        guard date.utf8.count == 20 else { return nil }
        return Self.formatter().date(from: date)
    }

    /// Whether the nonce is 32 lowercase hex digits.
    public var nonceIsWellFormed: Bool {
        nonce.utf8.count == 32 && nonce.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Whether the signature holds over the request described, with the body digest it declares.
    public func holds(method: String, path: String, server: ReplicaID) -> Bool {
        holds(method: method, path: path, server: server, bodyDigest: bodyDigest)
    }

    /// Whether the signature holds over the request described, with the body digest given.
    public func holds(method: String, path: String, server: ReplicaID, bodyDigest: String) -> Bool {
        guard let key = signerKey, signature.utf8.count <= 100, let raw = Data(base64Encoded: signature) else { return false }
        let text = Self.canonicalString(method: method, path: path, server: server, date: date, nonce: nonce, bodyDigest: bodyDigest)
        return key.isValidSignature(raw, for: Data(text.utf8))
    }

    /// 16 random bytes as 32 lowercase hex digits.
    public static func newNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// The SHA-256 of bytes, 64 lowercase hex digits.
    public static func digest(of bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// A finished SHA-256 as 64 lowercase hex digits.
    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// A date as the date header writes it.
    public static func format(_ date: Date) -> String { formatter().string(from: date) }

    private static func formatter() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }
}
