import Foundation
import Replication

/// Admits signed requests (Sync/PROTOCOL.md, part three): a well-formed signature by a key the
/// central knows, dated within the window, with a nonce not seen within it, over this request and
/// the body digest it declares.
///
/// Everything is checked from the headers, before any of the body is read: the signature covers
/// the declared `FieldAudit-Body-SHA256`, and the route then checks the body against that digest
/// as it streams (`UploadSpool`). The nonce is recorded only once the signature holds, so a forged
/// request cannot use up someone's nonce.
public final class RequestAuthenticator: @unchecked Sendable {
    /// The central's replica id, which every signature covers.
    public let server: ReplicaID
    /// How far a request's date may be from the server's clock, either way.
    public let window: TimeInterval
    private let now: @Sendable () -> Date
    private let isKnown: @Sendable (ReplicaID) async throws -> Bool
    private let lock = NSLock()
    private var seen: [String: Date] = [:]

    /// - Parameters:
    ///   - isKnown: whether a replica's key is known (`Replica.knows`).
    ///   - now: the clock, injected for tests.
    public init(
        server: ReplicaID, window: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() },
        isKnown: @escaping @Sendable (ReplicaID) async throws -> Bool
    ) {
        self.server = server
        self.window = window
        self.now = now
        self.isKnown = isKnown
    }

    /// Checks a request's headers, its signature over `method`, `path` and the declared body
    /// digest included, then records its nonce; returns the signer's replica id.
    ///
    /// - Throws: `ServiceError.unauthenticated` naming what failed.
    public func admit(_ signature: RequestSignature?, method: String, path: String) async throws(ServiceError) -> ReplicaID {
        guard let signature else {
            throw .unauthenticated(reason: "the request is not signed (the \(RequestSignature.Header.signature) headers are missing)")
        }
        guard let key = signature.signerKey else { throw .unauthenticated(reason: "\(RequestSignature.Header.key) is not a base64 Ed25519 public key") }
        guard signature.nonceIsWellFormed else { throw .unauthenticated(reason: "\(RequestSignature.Header.nonce) is not 32 lowercase hex digits") }
        guard signature.bodyDigestIsWellFormed else {
            throw .unauthenticated(reason: "\(RequestSignature.Header.bodyDigest) is not 64 lowercase hex digits (the body's SHA-256)")
        }
        guard let date = signature.signedAt else { throw .unauthenticated(reason: "\(RequestSignature.Header.date) is not an RFC 3339 UTC time like 2026-12-01T09:30:00Z") }
        guard abs(date.timeIntervalSince(now())) <= window else {
            throw .unauthenticated(reason: "the request is dated \(signature.date), more than \(Int(window)) seconds from the server's clock (expired, or a clock is wrong)")
        }
        guard !wasSeen(signature.nonce, of: key.rawRepresentation) else { throw .unauthenticated(reason: "the request was replayed (its nonce was already used)") }
        let replica = ReplicaID(publicKey: key)
        let known: Bool
        do { known = try await isKnown(replica) } catch { throw .unauthenticated(reason: "the key could not be checked (\(error))") }
        guard known else { throw .unauthenticated(reason: "replica \(replica.short)'s key is not known to this central repository") }
        guard signature.holds(method: method, path: path, server: server) else {
            throw .unauthenticated(reason: "the signature does not hold over this request (altered in transit, or signed for another server)")
        }
        guard record(signature.nonce, of: key.rawRepresentation) else {
            throw .unauthenticated(reason: "the request was replayed (its nonce was already used)")
        }
        return replica
    }

    /// Checks that the body received is the one the admitted signature declared.
    ///
    /// - Throws: `ServiceError.unauthenticated` if it is not (altered or cut short in transit).
    public static func confirm(_ signature: RequestSignature, bodyDigest: String) throws(ServiceError) {
        guard signature.bodyDigest == bodyDigest else {
            throw .unauthenticated(reason: "the body does not match its signed \(RequestSignature.Header.bodyDigest) (altered or cut short in transit); it was discarded")
        }
    }

    // MARK: - Nonces seen within the window

    private func wasSeen(_ nonce: String, of key: Data) -> Bool {
        lock.withLock { seen[key.base64EncodedString() + nonce] != nil }
    }

    /// Records a nonce; false if it was already there. Forgets nonces older than the window, so
    /// the table holds at most the requests of two windows.
    private func record(_ nonce: String, of key: Data) -> Bool {
        let now = now()
        return lock.withLock {
            seen = seen.filter { now.timeIntervalSince($0.value) <= 2 * window }
            return seen.updateValue(now, forKey: key.base64EncodedString() + nonce) == nil
        }
    }
}
