import Crypto
import Replication

/// An origin's signed statement that its change `seq` has chain hash `hash`.
///
/// Because each chain hash covers every earlier change of the origin (`Sync/PROTOCOL.md` §3.1), a
/// valid checkpoint vouches for the origin's whole history up to `seq`: a change altered, dropped,
/// reordered or forged anywhere before it no longer reproduces `hash`. Checkpoints travel in
/// bundles with the signer's public key, so a change relayed through any replica stays provably
/// its author's.
///
/// The signed message is ASCII `fieldaudit-checkpoint-v1`, then origin (16 bytes), seq (u64,
/// big-endian) and hash (32 bytes).
public struct Checkpoint: Hashable, Sendable, CustomStringConvertible {
    /// The signing origin's Ed25519 public key, 32 bytes.
    public let signerPublicKey: [UInt8]
    /// The origin, derived from `signerPublicKey`.
    public let origin: ReplicaID
    /// The seq of the change the checkpoint vouches for (≥ 1).
    public let seq: UInt64
    /// The chain hash of change `seq` of `origin`.
    public let hash: ChangeHash
    /// The Ed25519 signature of `Checkpoint.message(origin:seq:hash:)`, 64 bytes.
    public let signature: [UInt8]

    /// Signs the checkpoint `(identity.id, seq, hash)`.
    ///
    /// Ed25519 signatures are deterministic, so the same identity, seq and hash give the same checkpoint.
    public static func sign(seq: UInt64, hash: ChangeHash, by identity: ReplicaIdentity) -> Checkpoint {
        let signature = identity.sign(message(origin: identity.id, seq: seq, hash: hash))
        return Checkpoint(
            signerPublicKey: Array(identity.publicKey.rawRepresentation), origin: identity.id, seq: seq, hash: hash,
            signature: signature)
    }

    /// Wraps a checkpoint as received, without checking its signature (`verify()` does).
    ///
    /// - Throws: `BundleError.refused` if the key is not 32 bytes, the signature not 64, or seq is 0.
    public init(signerPublicKey: [UInt8], seq: UInt64, hash: ChangeHash, signature: [UInt8]) throws(BundleError) {
        if let problem = Self.problem(signerPublicKey: signerPublicKey, seq: seq, signature: signature) {
            throw .refused(reason: problem)
        }
        let key = try! Curve25519.Signing.PublicKey(rawRepresentation: signerPublicKey)
        self.init(signerPublicKey: signerPublicKey, origin: ReplicaID(publicKey: key), seq: seq, hash: hash, signature: signature)
    }

    /// Why these parts cannot form a checkpoint, or `nil`.
    static func problem(signerPublicKey: [UInt8], seq: UInt64, signature: [UInt8]) -> String? {
        guard signerPublicKey.count == 32, (try? Curve25519.Signing.PublicKey(rawRepresentation: signerPublicKey)) != nil else {
            return "a checkpoint's signer key must be a 32-byte Ed25519 public key"
        }
        guard signature.count == 64 else { return "a checkpoint's signature must be 64 bytes" }
        guard seq >= 1, seq <= UInt64(Int64.max) else { return "a checkpoint's seq must lie in 1 ..< 2^63" }
        return nil
    }

    private init(signerPublicKey: [UInt8], origin: ReplicaID, seq: UInt64, hash: ChangeHash, signature: [UInt8]) {
        self.signerPublicKey = signerPublicKey
        self.origin = origin
        self.seq = seq
        self.hash = hash
        self.signature = signature
    }

    /// The change the checkpoint vouches for.
    var changeID: ChangeID { ChangeID(origin: origin, seq: seq) }

    /// Whether `signature` is the signer's signature of (origin, seq, hash).
    var isValid: Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: signerPublicKey) else { return false }
        return key.isValidSignature(signature, for: Self.message(origin: origin, seq: seq, hash: hash))
    }

    /// Checks the signature against the key of the origin the caller expects.
    ///
    /// - Throws: `BundleError.forgedCheckpoint` if `publicKey` is not the signer's key or the
    ///   signature does not verify.
    public func verify(publicKey: Curve25519.Signing.PublicKey) throws(BundleError) {
        guard Array(publicKey.rawRepresentation) == signerPublicKey, isValid else {
            throw .forgedCheckpoint(origin: origin, seq: seq, frame: nil)
        }
    }

    /// The bytes an origin signs for a checkpoint.
    public static func message(origin: ReplicaID, seq: UInt64, hash: ChangeHash) -> [UInt8] {
        var writer = ByteWriter(capacity: 80)
        writer.write(raw: BundleLayout.checkpointSignatureDomain)
        writer.write(raw: origin.bytes)
        writer.write(seq)
        writer.write(raw: hash.bytes)
        return writer.bytes
    }

    /// `origin-short:seq → hash-prefix`.
    public var description: String { "\(changeID) → \(hash.hex.prefix(16))…" }
}
