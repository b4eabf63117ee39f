import Crypto
import Foundation
import Replication

/// A replica's X25519 key-agreement key, for opening bundles sealed for it.
///
/// Derived deterministically from the replica's Ed25519 private key, so a replica has no second
/// secret to keep: the X25519 private key is HKDF-SHA256 of the 32 Ed25519 private key bytes, with
/// an empty salt and the info string `fieldaudit-agreement-key-v1`, 32 bytes (X25519 clamps them).
/// The public half goes on the replica's identity card, for exporters to seal bundles to.
public struct AgreementKey: Sendable {
    /// The HKDF info string of the derivation.
    static let derivationInfo = Array("fieldaudit-agreement-key-v1".utf8)

    /// The X25519 private key.
    public let privateKey: Curve25519.KeyAgreement.PrivateKey

    /// The X25519 public key, as identity cards carry it.
    public var publicKey: Curve25519.KeyAgreement.PublicKey { privateKey.publicKey }

    /// The 32 raw bytes of the public key.
    public var publicKeyBytes: [UInt8] { Array(publicKey.rawRepresentation) }

    /// The agreement key of `identity`.
    public static func derive(from identity: ReplicaIdentity) -> AgreementKey {
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: identity.privateKeyBytes), salt: [UInt8](),
            info: derivationInfo, outputByteCount: 32)
        let raw = derived.withUnsafeBytes { Array($0) }
        // Any 32 bytes are a valid X25519 private key.
        return AgreementKey(privateKey: try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw))
    }

    /// Wraps an X25519 private key.
    init(privateKey: Curve25519.KeyAgreement.PrivateKey) {
        self.privateKey = privateKey
    }
}
