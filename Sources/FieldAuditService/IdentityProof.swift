import Crypto
import FieldAudit
import Foundation
import Replication

/// The central's proof that it holds the key on the identity card it presents
/// (Sync/PROTOCOL.md §24): the laptop sends a fresh random challenge with `GET /v1/identity`, the
/// central signs it with its replica key, and the laptop pins (or syncs with) the key only if the
/// signature holds, so a card copied from elsewhere cannot be presented by another server.
public enum IdentityProof {
    /// The query parameter carrying the challenge: 32 random bytes as 64 lowercase hex digits.
    public static let parameter = "challenge"
    /// The answer's header carrying the proof: standard base64 of the 64-byte Ed25519 signature.
    public static let header = "FieldAudit-Proof"
    /// The first line of the text signed.
    public static let scheme = "FIELDAUDIT-IDENTITY-PROOF-V1"

    /// The text signed: three lines, each ended by a line feed: the scheme, the central's replica
    /// id (32 hex digits) and the challenge.
    public static func text(replica: String, challenge: String) -> String {
        [scheme, replica, challenge].map { $0 + "\n" }.joined()
    }

    /// A new challenge: 32 random bytes as 64 lowercase hex digits.
    public static func newChallenge() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// Whether `text` is a challenge as sent: 64 lowercase hex digits.
    public static func isWellFormed(challenge text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The proof `identity` gives for `challenge`.
    public static func sign(challenge: String, by identity: ReplicaIdentity) -> String {
        Data(identity.sign(Data(text(replica: identity.id.hex, challenge: challenge).utf8))).base64EncodedString()
    }

    /// Whether `proof` is the signature of `challenge` by the key on `card` (itself checked
    /// against the card's replica id).
    public static func holds(_ proof: String, challenge: String, card: IdentityCard) -> Bool {
        guard proof.utf8.count <= 100, let signature = Data(base64Encoded: proof), let key = try? card.verifiedKey() else { return false }
        return key.isValidSignature(signature, for: Data(text(replica: card.replicaID, challenge: challenge).utf8))
    }
}

/// The central's signature on its answer to `GET /v1/vector` (Sync/PROTOCOL.md §24): what it
/// says it holds of a laptop's own origin can stop that laptop writing (§21.2), so the laptop
/// believes it only when the pinned key signed this very answer, never a copy of an older one or
/// one a machine in between wrote.
public enum AnswerProof {
    /// The answer's header carrying the proof: standard base64 of the 64-byte Ed25519 signature.
    public static let header = "FieldAudit-Answer-Proof"
    /// The first line of the text signed.
    public static let scheme = "FIELDAUDIT-ANSWER-PROOF-V1"

    /// The text signed: four lines, each ended by a line feed: the scheme, the central's replica
    /// id (32 hex digits), the request's nonce (its `FieldAudit-Nonce`) and the answer body's
    /// SHA-256 (64 lowercase hex digits).
    public static func text(replica: String, nonce: String, body: some DataProtocol) -> String {
        [scheme, replica, nonce, RequestSignature.digest(of: body)].map { $0 + "\n" }.joined()
    }

    /// The proof `identity` gives for the answer `body` to the request with `nonce`.
    public static func sign(body: some DataProtocol, nonce: String, by identity: ReplicaIdentity) -> String {
        Data(identity.sign(Data(text(replica: identity.id.hex, nonce: nonce, body: body).utf8))).base64EncodedString()
    }

    /// Whether `proof` is the signature of the answer `body` to the request with `nonce` by the
    /// central pinned as `remote`.
    public static func holds(_ proof: String?, body: some DataProtocol, nonce: String, remote: Remote) -> Bool {
        guard let proof, proof.utf8.count <= 100, let signature = Data(base64Encoded: proof),
            let raw = Data(base64Encoded: remote.publicKey), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        else { return false }
        return key.isValidSignature(signature, for: Data(text(replica: remote.replicaID, nonce: nonce, body: body).utf8))
    }
}
