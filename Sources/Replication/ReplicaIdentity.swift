import Crypto
import Foundation

/// A replica's signing identity: an Ed25519 key pair and the replica id derived from it.
///
/// The private key never leaves this value except through `privateKeyBytes`, which the key
/// file uses; nothing else prints or serialises it.
public struct ReplicaIdentity: Sendable {
    private let privateKey: Curve25519.Signing.PrivateKey

    /// The public half, shared on identity cards.
    public var publicKey: Curve25519.Signing.PublicKey { privateKey.publicKey }

    /// The replica id derived from the public key.
    public let id: ReplicaID

    /// Wraps an existing private key.
    public init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
        self.id = ReplicaID(publicKey: privateKey.publicKey)
    }

    /// Restores an identity from the 32 raw bytes of its private key.
    ///
    /// - Throws: `ReplicationError.malformed` if the bytes are not a valid Ed25519 private key.
    public init<Bytes: ContiguousBytes>(privateKeyBytes: Bytes) throws(ReplicationError) {
        do {
            self.init(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: privateKeyBytes))
        } catch {
            throw .malformed(what: "private key", reason: "not a 32-byte Ed25519 key")
        }
    }

    /// Makes a new identity from the system's secure random source.
    public static func generate() -> ReplicaIdentity {
        ReplicaIdentity(privateKey: Curve25519.Signing.PrivateKey())
    }

    /// The 32 raw bytes of the private key, for the key file alone.
    public var privateKeyBytes: [UInt8] { Array(privateKey.rawRepresentation) }

    /// Signs `message` with the private key (Ed25519).
    public func sign<Message: DataProtocol>(_ message: Message) -> [UInt8] {
        // Signing only fails for keys that cannot exist once constructed.
        Array((try? privateKey.signature(for: message)) ?? Data())
    }

    /// The public key's fingerprint, as OpenSSH prints one: `SHA256:` and the unpadded base64 of
    /// the key's SHA-256, for comparing keys aloud or side by side.
    public var fingerprint: String { Self.fingerprint(of: publicKey) }

    /// The fingerprint of any Ed25519 public key, as shown by `whoami` and on identity cards.
    public static func fingerprint(of publicKey: Curve25519.Signing.PublicKey) -> String {
        let digest = Data(SHA256.hash(data: publicKey.rawRepresentation))
        return "SHA256:" + digest.base64EncodedString().trimmingCharacters(in: CharacterSet(charactersIn: "="))
    }
}
