import Crypto
import Foundation
import Replication

/// How a writer seals a bundle's body for a list of recipients (`Sync/PROTOCOL.md` §16): a fresh
/// content key and a fresh ephemeral X25519 key, both random.
///
/// Give a seeded generator for repeatable bundles in tests; use the system's generator otherwise.
public struct BundleSealing: Sendable {
    /// The recipients' X25519 public keys, 32 bytes each, ascending and distinct.
    public let recipients: [[UInt8]]
    let contentKey: SymmetricKey
    let ephemeralKey: Curve25519.KeyAgreement.PrivateKey

    /// Seals for `recipients` with keys from the system's secure random source.
    ///
    /// - Throws: `BundleError.refused` if there are no recipients or more than `BundleLayout.maximumRecipients`.
    public init(recipients: [Curve25519.KeyAgreement.PublicKey]) throws(BundleError) {
        var generator = SystemRandomNumberGenerator()
        try self.init(recipients: recipients, using: &generator)
    }

    /// Seals for `recipients` with keys drawn from `generator`.
    ///
    /// - Throws: `BundleError.refused` if there are no recipients or more than `BundleLayout.maximumRecipients`.
    init<Generator: RandomNumberGenerator>(
        recipients: [Curve25519.KeyAgreement.PublicKey], using generator: inout Generator
    ) throws(BundleError) {
        let keys = Set(recipients.map { Array($0.rawRepresentation) }).sorted { $0.lexicographicallyPrecedes($1) }
        guard (1...BundleLayout.maximumRecipients).contains(keys.count) else {
            throw .refused(reason: "a sealed bundle needs 1 to \(BundleLayout.maximumRecipients) recipients, not \(keys.count)")
        }
        func random32() -> [UInt8] { (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        self.recipients = keys
        self.contentKey = SymmetricKey(data: random32())
        self.ephemeralKey = try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: random32())
    }

    /// The header's seal: the ephemeral public key and the content key wrapped for each recipient.
    func seal(exporterPublicKey: [UInt8]) throws(BundleError) -> BundleSeal {
        let ephemeralPublic = Array(ephemeralKey.publicKey.rawRepresentation)
        var wrapped: [WrappedContentKey] = []
        for recipient in recipients {
            guard let recipientKey = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: recipient),
                let wrapKey = try? BundleSeal.wrappingKey(
                    privateKey: ephemeralKey, peer: recipientKey, ephemeralPublicKey: ephemeralPublic, recipient: recipient),
                let box = try? ChaChaPoly.seal(
                    contentKey.withUnsafeBytes { Array($0) }, using: wrapKey, nonce: BundleSeal.zeroNonce,
                    authenticating: exporterPublicKey)
            else {
                throw .refused(reason: "recipient key \(Hex.encode(recipient)) is not a usable X25519 public key")
            }
            wrapped.append(WrappedContentKey(recipient: recipient, wrappedKey: Array(box.ciphertext + box.tag)))
        }
        return BundleSeal(ephemeralPublicKey: ephemeralPublic, recipients: wrapped)
    }
}

/// The header fields of a sealed bundle: the ephemeral X25519 public key and, per recipient, the
/// content key wrapped for it. These are not secret.
public struct BundleSeal: Hashable, Sendable {
    /// The writer's ephemeral X25519 public key, 32 bytes.
    let ephemeralPublicKey: [UInt8]
    /// One entry per recipient, ascending by recipient key.
    public let recipients: [WrappedContentKey]

    /// The HKDF info string of the key-wrapping key.
    static let wrapInfo = Array("fieldaudit-bundle-v1 key wrap".utf8)
    static let zeroNonce = try! ChaChaPoly.Nonce(data: [UInt8](repeating: 0, count: 12))

    /// The key that wraps the content key for one recipient: HKDF-SHA256 of the X25519 shared
    /// secret, salt = ephemeral public key ‖ recipient public key, info = `wrapInfo`, 32 bytes.
    static func wrappingKey(
        privateKey: Curve25519.KeyAgreement.PrivateKey, peer: Curve25519.KeyAgreement.PublicKey,
        ephemeralPublicKey: [UInt8], recipient: [UInt8]
    ) throws -> SymmetricKey {
        let shared = try privateKey.sharedSecretFromKeyAgreement(with: peer)
        return shared.hkdfDerivedSymmetricKey(
            using: SHA256.self, salt: ephemeralPublicKey + recipient, sharedInfo: wrapInfo, outputByteCount: 32)
    }

    /// The content key, unwrapped with `agreementKey`.
    ///
    /// - Throws: `notARecipient` if the key is not listed, `malformedHeader` if its entry does not open.
    func contentKey(for agreementKey: AgreementKey, exporterPublicKey: [UInt8], headerOffset: Int) throws(BundleError) -> SymmetricKey {
        let mine = agreementKey.publicKeyBytes
        guard let entry = recipients.first(where: { $0.recipient == mine }) else {
            throw .notARecipient(recipients: recipients.count)
        }
        guard let ephemeral = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: ephemeralPublicKey),
            let wrapKey = try? Self.wrappingKey(
                privateKey: agreementKey.privateKey, peer: ephemeral, ephemeralPublicKey: ephemeralPublicKey, recipient: mine),
            let box = try? ChaChaPoly.SealedBox(
                nonce: Self.zeroNonce, ciphertext: entry.wrappedKey.prefix(32), tag: entry.wrappedKey.suffix(16)),
            let key = try? ChaChaPoly.open(box, using: wrapKey, authenticating: exporterPublicKey)
        else {
            throw .malformedHeader(
                reason: "the content key sealed for this replica does not open: the header was altered", offset: headerOffset)
        }
        return SymmetricKey(data: key)
    }

    static func decode(from cursor: inout ByteCursor) throws(BundleError) -> BundleSeal {
        let ephemeral = Array(try cursor.take(32, "ephemeral public key"))
        let count = Int(try cursor.bigEndian(2, "recipient count"))
        guard (1...BundleLayout.maximumRecipients).contains(count) else {
            throw cursor.tooLarge("recipient count", found: UInt64(count), limit: BundleLayout.maximumRecipients)
        }
        var recipients: [WrappedContentKey] = []
        for number in 1...count {
            let recipient = Array(try cursor.take(32, "key of recipient \(number)"))
            let wrapped = Array(try cursor.take(48, "wrapped content key of recipient \(number)"))
            if let last = recipients.last, !last.recipient.lexicographicallyPrecedes(recipient) {
                throw cursor.fail("recipients must be strictly ascending by key")
            }
            recipients.append(WrappedContentKey(recipient: recipient, wrappedKey: wrapped))
        }
        return BundleSeal(ephemeralPublicKey: ephemeral, recipients: recipients)
    }
}

/// The content key of a sealed bundle, wrapped for one recipient.
public struct WrappedContentKey: Hashable, Sendable {
    /// The recipient's X25519 public key, 32 bytes.
    public let recipient: [UInt8]
    /// ChaCha20-Poly1305 ciphertext (32 bytes) and tag (16 bytes) of the content key.
    let wrappedKey: [UInt8]
}

/// The sealed body's chunks (`Sync/PROTOCOL.md` §16.3): each holds up to 64 KiB of the compressed
/// body, encrypted and authenticated with the content key; the nonce carries the chunk's index
/// and whether it is the last, and the associated data is the SHA-256 of the header, so chunks
/// cannot be cut, reordered, or moved to another bundle.
enum SealedChunk {
    /// The marker's bit saying "last chunk".
    static let lastBit: UInt32 = 1 << 31

    static func nonce(index: UInt64, isLast: Bool) -> ChaChaPoly.Nonce {
        var writer = ByteWriter(capacity: 12)
        writer.write(index)
        writer.write(UInt32(isLast ? 1 : 0))
        return try! ChaChaPoly.Nonce(data: writer.bytes)
    }

    /// Marker (u32: last bit, plaintext length), ciphertext, tag.
    static func seal(
        _ plaintext: ArraySlice<UInt8>, index: UInt64, isLast: Bool, key: SymmetricKey, headerDigest: [UInt8]
    ) -> [UInt8] {
        let box = try! ChaChaPoly.seal(plaintext, using: key, nonce: nonce(index: index, isLast: isLast), authenticating: headerDigest)
        var writer = ByteWriter(capacity: plaintext.count + 20)
        writer.write(UInt32(plaintext.count) | (isLast ? lastBit : 0))
        writer.write(raw: box.ciphertext)
        writer.write(raw: box.tag)
        return writer.bytes
    }

    /// The plaintext of a chunk, or `nil` if it fails authentication.
    static func open(
        _ sealed: [UInt8], index: UInt64, isLast: Bool, key: SymmetricKey, headerDigest: [UInt8]
    ) -> [UInt8]? {
        guard sealed.count >= 16,
            let box = try? ChaChaPoly.SealedBox(
                nonce: nonce(index: index, isLast: isLast), ciphertext: sealed.dropLast(16), tag: sealed.suffix(16)),
            let plaintext = try? ChaChaPoly.open(box, using: key, authenticating: headerDigest)
        else { return nil }
        return Array(plaintext)
    }
}
