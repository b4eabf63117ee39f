import FieldAuditService
import Foundation
import Replication
import TestSupport
import Testing

/// Admission of signed requests from their headers alone: the window, replays, unknown keys, the
/// signature over the declared body digest.
struct RequestAuthenticatorTests {
    let laptop = testIdentity(2)
    let central = testIdentity(1)
    let empty = RequestSignature.digest(of: Data())
    let noon = Date(timeIntervalSince1970: 1_796_126_400)

    func authenticator(knowing known: Set<ReplicaID>, at now: Date) -> RequestAuthenticator {
        RequestAuthenticator(server: central.id, window: 300, now: { now }) { known.contains($0) }
    }

    /// The reason `body` was refused with `ServiceError.unauthenticated`; nil if it was not refused.
    func unauthenticatedReason(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch ServiceError.unauthenticated(let reason) {
            return reason
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func aKnownKeysFreshSignatureIsAdmittedOnce() async throws {
        let gate = authenticator(knowing: [laptop.id], at: noon)
        let signature = RequestSignature.sign(method: "GET", path: "/v1/vector", server: central.id, bodyDigest: empty, by: laptop, at: noon)
        #expect(try await gate.admit(signature, method: "GET", path: "/v1/vector") == laptop.id)
        let again = await unauthenticatedReason { _ = try await gate.admit(signature, method: "GET", path: "/v1/vector") }
        #expect(again?.contains("replayed") == true)
    }

    @Test func aSignatureOutsideTheWindowIsRefusedEitherWay() async {
        let gate = authenticator(knowing: [laptop.id], at: noon)
        for offset in [-301.0, 301.0] {
            let signature = RequestSignature.sign(
                method: "GET", path: "/v1/vector", server: central.id, bodyDigest: empty, by: laptop, at: noon.addingTimeInterval(offset))
            let reason = await unauthenticatedReason { _ = try await gate.admit(signature, method: "GET", path: "/v1/vector") }
            #expect(reason?.contains("more than 300 seconds") == true, "offset \(offset): \(reason ?? "admitted")")
        }
    }

    @Test func anUnknownKeyIsRefusedNamingIt() async {
        let gate = authenticator(knowing: [], at: noon)
        let signature = RequestSignature.sign(method: "GET", path: "/v1/vector", server: central.id, bodyDigest: empty, by: laptop, at: noon)
        let reason = await unauthenticatedReason { _ = try await gate.admit(signature, method: "GET", path: "/v1/vector") }
        #expect(reason?.contains("\(laptop.id.short)'s key is not known") == true)
    }

    @Test func aMissingSignatureIsRefused() async {
        let gate = authenticator(knowing: [laptop.id], at: noon)
        let reason = await unauthenticatedReason { _ = try await gate.admit(nil, method: "GET", path: "/v1/vector") }
        #expect(reason?.contains("not signed") == true)
    }

    @Test func aSignatureThatDoesNotHoldDoesNotUseUpItsNonce() async throws {
        let gate = authenticator(knowing: [laptop.id], at: noon)
        let signature = RequestSignature.sign(method: "POST", path: "/v1/push", server: central.id, bodyDigest: empty, by: laptop, at: noon)
        var forged = signature
        forged.bodyDigest = RequestSignature.digest(of: Data("x".utf8))
        let tampered = await unauthenticatedReason { _ = try await gate.admit(forged, method: "POST", path: "/v1/push") }
        #expect(tampered?.contains("does not hold") == true)
        // The real request with that nonce still goes through.
        #expect(try await gate.admit(signature, method: "POST", path: "/v1/push") == laptop.id)
    }

    @Test func aSignatureIsCheckedBeforeTheBodyAndTheBodyAgainstItsSignedDigest() async throws {
        let gate = authenticator(knowing: [laptop.id], at: noon)
        let body = Data("bundle".utf8)
        let signature = RequestSignature.sign(
            method: "POST", path: "/v1/push", server: central.id, bodyDigest: RequestSignature.digest(of: body), by: laptop, at: noon)
        // Given only the headers, the signature is admitted
        #expect(try await gate.admit(signature, method: "POST", path: "/v1/push") == laptop.id)
        // Then the body that arrives must be the one signed
        try RequestAuthenticator.confirm(signature, bodyDigest: RequestSignature.digest(of: body))
        let cut = await unauthenticatedReason { try RequestAuthenticator.confirm(signature, bodyDigest: RequestSignature.digest(of: body.prefix(3))) }
        #expect(cut?.contains("does not match its signed FieldAudit-Body-SHA256") == true)
    }

    @Test func aMalformedBodyDigestHeaderIsRefusedBeforeAnythingElse() async {
        let gate = authenticator(knowing: [laptop.id], at: noon)
        var signature = RequestSignature.sign(method: "GET", path: "/v1/vector", server: central.id, bodyDigest: empty, by: laptop, at: noon)
        signature.bodyDigest = "E3B0"
        let reason = await unauthenticatedReason { _ = try await gate.admit(signature, method: "GET", path: "/v1/vector") }
        #expect(reason?.contains("FieldAudit-Body-SHA256 is not 64 lowercase hex digits") == true)
    }
}
