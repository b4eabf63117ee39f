import Crypto
import FieldAuditService
import Foundation
import Replication
import TestSupport
import Testing

/// The request signature scheme of Sync/PROTOCOL.md, part three.
struct RequestSignatureTests {
    let laptop = testIdentity(2)
    let central = testIdentity(1)
    let empty = RequestSignature.digest(of: Data())

    @Test func theCanonicalStringIsSevenLinesEachEndedByALineFeed() {
        let text = RequestSignature.canonicalString(
            method: "post", path: "/v1/push", server: central.id, date: "2026-12-01T09:30:00Z",
            nonce: "00112233445566778899aabbccddeeff", bodyDigest: empty)
        #expect(text == "FIELDAUDIT-HTTP-SIGNATURE-V1\nPOST\n/v1/push\n\(central.id.hex)\n2026-12-01T09:30:00Z\n00112233445566778899aabbccddeeff\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n")
    }

    @Test func theBodyDigestTravelsInItsOwnHeaderAndIsWhatTheSignatureCovers() {
        let digest = RequestSignature.digest(of: Data("bundle".utf8))
        let signature = RequestSignature.sign(method: "POST", path: "/v1/push", server: central.id, bodyDigest: digest, by: laptop)
        let headers = Dictionary(uniqueKeysWithValues: signature.headers.map { ($0.name, $0.value) })
        #expect(headers[RequestSignature.Header.bodyDigest] == digest)
        let read = RequestSignature(header: { headers[$0] })
        #expect(read == signature)
        #expect(read?.holds(method: "POST", path: "/v1/push", server: central.id) == true)
        var altered = signature
        altered.bodyDigest = empty
        #expect(!altered.holds(method: "POST", path: "/v1/push", server: central.id))
        #expect(RequestSignature(header: { $0 == RequestSignature.Header.bodyDigest ? nil : headers[$0] }) == nil)
    }

    @Test func aSignatureHoldsOverTheRequestItWasMadeFor() {
        let signature = RequestSignature.sign(method: "GET", path: "/v1/vector", server: central.id, bodyDigest: empty, by: laptop)
        #expect(signature.holds(method: "GET", path: "/v1/vector", server: central.id, bodyDigest: empty))
        #expect(signature.signerKey?.rawRepresentation == laptop.publicKey.rawRepresentation)
        #expect(signature.nonceIsWellFormed)
        #expect(signature.signedAt != nil)
    }

    @Test func aSignatureDoesNotHoldOverAnotherBodyPathMethodOrServer() {
        let digest = RequestSignature.digest(of: Data("bundle".utf8))
        let signature = RequestSignature.sign(method: "POST", path: "/v1/push", server: central.id, bodyDigest: digest, by: laptop)
        #expect(!signature.holds(method: "POST", path: "/v1/push", server: central.id, bodyDigest: RequestSignature.digest(of: Data("bundlE".utf8))))
        #expect(!signature.holds(method: "POST", path: "/v1/pull", server: central.id, bodyDigest: digest))
        #expect(!signature.holds(method: "PUT", path: "/v1/push", server: central.id, bodyDigest: digest))
        #expect(!signature.holds(method: "POST", path: "/v1/push", server: testIdentity(3).id, bodyDigest: digest))
        var forged = signature
        forged.date = "2030-01-01T00:00:00Z"
        #expect(!forged.holds(method: "POST", path: "/v1/push", server: central.id, bodyDigest: digest))
    }

    @Test func malformedHeadersAreReadAsNothing() {
        let signature = RequestSignature(publicKey: "not a key", date: "yesterday", nonce: "ZZ", signature: "!!", bodyDigest: "??")
        #expect(signature.signerKey == nil)
        #expect(signature.signedAt == nil)
        #expect(!signature.nonceIsWellFormed)
        #expect(!signature.bodyDigestIsWellFormed)
        #expect(!signature.holds(method: "GET", path: "/v1/vector", server: central.id, bodyDigest: empty))
        #expect(RequestSignature(header: { $0 == RequestSignature.Header.key ? "x" : nil }) == nil)
    }
}
