import AuditModel
import BundleFormat
import FieldAudit
import FieldAuditService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Replication
import TestSupport
import Testing

/// The central repository's routes, through Hummingbird's router test framework: who is admitted,
/// what a pull carries, what a push may change.
struct CentralServerTests {
    let fixture: CentralFixture
    var central: Replica { fixture.central }
    var ben: Replica { fixture.auditors[0] }
    var stranger: Replica { fixture.stranger }
    var helix: EntityID { fixture.helix }
    var directory: TemporaryDirectory { fixture.directory }

    init() throws {
        fixture = try CentralFixture()
    }

    func server(maxUpload: Int64 = 1 << 30) throws -> some ApplicationProtocol {
        try fixture.server(maxUpload: maxUpload)
    }

    func error(of response: TestResponse) throws -> (error: String, hint: String, category: String) {
        let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: String]
        return (try #require(object?["error"]), try #require(object?["hint"]), try #require(object?["category"]))
    }

    /// Ben's bundle of a note in Helix, for the central, as `sync` would push it.
    func bensNote() throws -> Data {
        try fixture.note("Risk register reviewed quarterly", by: ben)
    }

    func digest(_ replica: Replica) throws -> String { try fixture.digest(replica) }

    /// The answer to Ben's push of `body`, signed over `signedBody` (by default, the body sent).
    func push(_ body: Data, signedOver signedBody: Data? = nil, headers extra: HTTPFields = [:], maxUpload: Int64 = 1 << 30) async throws -> TestResponse {
        var headers = fixture.signed("POST", "/v1/push", body: signedBody ?? body, by: ben.identity)
        headers.append(contentsOf: extra)
        return try await server(maxUpload: maxUpload).test(.router) { [headers] client in
            try await client.execute(uri: "/v1/push", method: .post, headers: headers, body: ByteBuffer(bytes: body))
        }
    }

    @Test func theIdentityRouteAnswersTheCentralsCardWithoutASignature() async throws {
        try await server().test(.router) { client in
            let response = try await client.execute(uri: "/v1/identity", method: .get)
            #expect(response.status == .ok)
            let card = try IdentityCard.decode(Data(response.body.readableBytesView), source: "answer")
            #expect(card == central.card)
            #expect(response.headers[HTTPField.Name(IdentityProof.header)!] == nil)
        }
    }

    @Test func theIdentityRouteProvesTheCentralHoldsItsCardsKeyBySigningTheLaptopsChallenge() async throws {
        let challenge = IdentityProof.newChallenge()
        try await server().test(.router) { client in
            let response = try await client.execute(uri: "/v1/identity?challenge=\(challenge)", method: .get)
            #expect(response.status == .ok)
            let proof = try #require(response.headers[HTTPField.Name(IdentityProof.header)!])
            #expect(IdentityProof.holds(proof, challenge: challenge, card: central.card))
            #expect(!IdentityProof.holds(proof, challenge: IdentityProof.newChallenge(), card: central.card))
            #expect(!IdentityProof.holds(proof, challenge: challenge, card: stranger.card))
            let malformed = try await client.execute(uri: "/v1/identity?challenge=ABC", method: .get)
            #expect(malformed.status == .badRequest)
            #expect(try error(of: malformed).category == "invalid-input")
        }
    }

    @Test func anUnsignedRequestIsRefusedWith401AndAJSONErrorWithAHint() async throws {
        try await server().test(.router) { client in
            let response = try await client.execute(uri: "/v1/vector", method: .get)
            #expect(response.status == .unauthorized)
            let answer = try error(of: response)
            #expect(answer.error.contains("not signed"))
            #expect(answer.hint.contains("fieldaudit trust"))
        }
    }

    @Test func anUnknownKeyIsRefusedWith401() async throws {
        try await server().test(.router) { client in
            let response = try await client.execute(uri: "/v1/vector", method: .get, headers: fixture.signed("GET", "/v1/vector", by: stranger.identity))
            #expect(response.status == .unauthorized)
            #expect(try error(of: response).error.contains("\(stranger.identity.id.short)'s key is not known"))
            #expect(try error(of: response).category == "not-permitted")
        }
    }

    @Test func aMemberOfAnEngagementTheCentralHoldsIsKnownAndReadsTheVector() async throws {
        try await server().test(.router) { client in
            let response = try await client.execute(uri: "/v1/vector", method: .get, headers: fixture.signed("GET", "/v1/vector", by: ben.identity))
            #expect(response.status == .ok)
            let vector = try VectorFile.decode(Data(response.body.readableBytesView), source: "answer")
            #expect(vector.replica == central.identity.id.hex)
            #expect(try vector.vector == central.vectorFile().vector)
        }
    }

    @Test func theVectorAnswerIsSignedByThePinnedKeyForThisRequestOnly() async throws {
        try await server().test(.router) { client in
            let headers = fixture.signed("GET", "/v1/vector", by: ben.identity)
            let nonce = try #require(headers[HTTPField.Name(RequestSignature.Header.nonce)!])
            let response = try await client.execute(uri: "/v1/vector", method: .get, headers: headers)
            #expect(response.status == .ok)
            let body = Data(response.body.readableBytesView)
            let proof = response.headers[HTTPField.Name(AnswerProof.header)!]
            let pinned = Remote(name: "central", url: "http://127.0.0.1:1", card: central.card)
            #expect(AnswerProof.holds(proof, body: body, nonce: nonce, remote: pinned))
            // Not for another request, not for another body, not by another key, not without a proof.
            #expect(!AnswerProof.holds(proof, body: body, nonce: RequestSignature.newNonce(), remote: pinned))
            var altered = body
            altered[altered.startIndex] ^= 1
            #expect(!AnswerProof.holds(proof, body: altered, nonce: nonce, remote: pinned))
            #expect(!AnswerProof.holds(proof, body: body, nonce: nonce, remote: Remote(name: "other", url: "http://127.0.0.1:1", card: stranger.card)))
            #expect(!AnswerProof.holds(nil, body: body, nonce: nonce, remote: pinned))
        }
    }

    @Test func expiredReplayedAndMisaddressedSignaturesAreRefusedWith401() async throws {
        try await server().test(.router) { client in
            let expired = try await client.execute(
                uri: "/v1/vector", method: .get, headers: fixture.signed("GET", "/v1/vector", by: ben.identity, at: Date().addingTimeInterval(-600)))
            #expect(expired.status == .unauthorized)
            #expect(try error(of: expired).error.contains("more than 300 seconds"))

            let elsewhere = try await client.execute(
                uri: "/v1/vector", method: .get, headers: fixture.signed("GET", "/v1/vector", by: ben.identity, for: stranger.identity.id))
            #expect(elsewhere.status == .unauthorized)
            #expect(try error(of: elsewhere).error.contains("does not hold"))

            let headers = fixture.signed("GET", "/v1/vector", by: ben.identity)
            #expect(try await client.execute(uri: "/v1/vector", method: .get, headers: headers).status == .ok)
            let replayed = try await client.execute(uri: "/v1/vector", method: .get, headers: headers)
            #expect(replayed.status == .unauthorized)
            #expect(try error(of: replayed).error.contains("replayed"))
        }
    }

    @Test func aPullCarriesInFullOnlyTheEngagementsTheKeyMayRead() async throws {
        let vector = try ben.vectorFile().encoded()
        let bundle = try await server().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/pull", method: .post, headers: fixture.signed("POST", "/v1/pull", body: vector, by: ben.identity), body: ByteBuffer(bytes: vector))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == CentralServer.bundleMediaType)
            #expect(Int(response.headers[HTTPField.Name("FieldAudit-Withheld")!] ?? "0")! > 0)
            return Data(response.body.readableBytesView)
        }
        let path = directory.file("pulled-by-test.fabundle")
        try bundle.write(to: URL(fileURLWithPath: path))
        let summary = try ben.importBundle(at: path)
        #expect(summary.newChanges > 0)
        #expect(summary.withheld > 0)
        #expect(try ben.engagements().map(\.id) == [helix])
    }

    @Test func aPullCarriesTheNewestCheckpointOfThePullersOwnHistoryInItsHeader() async throws {
        #expect(try await push(try bensNote()).status == .ok)
        let vector = try ben.vectorFile().encoded()
        let bundle = try await server().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/pull", method: .post, headers: fixture.signed("POST", "/v1/pull", body: vector, by: ben.identity), body: ByteBuffer(bytes: vector))
            #expect(response.status == .ok)
            return [UInt8](response.body.readableBytesView)
        }
        let carried = try #require(try BundleReader(source: MemorySource(bundle)).header.recipientCheckpoint)
        let head = try ben.vectorFile().vector[ben.identity.id.hex]
        #expect(carried.origin == ben.identity.id && carried.seq == head)
        try carried.verify(publicKey: ben.identity.publicKey)
    }

    @Test func aPushIsImportedByTheImportRulesAndAnswersItsSummary() async throws {
        let response = try await push(try bensNote())
        #expect(response.status == .ok)
        let summary = try JSONDecoder().decode(PushSummary.self, from: Data(response.body.readableBytesView))
        #expect(summary.newChanges > 0)
        #expect(summary.newEntities >= 1)
        #expect(try central.search("quarterly", engagement: helix.description).count == 1)
    }

    @Test func aTamperedPushIsRefusedWith401AndNothingChanges() async throws {
        let bundle = try bensNote()
        var tampered = bundle
        tampered[tampered.count / 2] ^= 0x01
        let before = try digest(central)
        let response = try await push(tampered, signedOver: bundle)
        #expect(response.status == .unauthorized)
        #expect(try error(of: response).error.contains("does not match its signed FieldAudit-Body-SHA256"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: central.location.directory + "/service-scratch").isEmpty)
        #expect(try digest(central) == before)
    }

    @Test func aBundleTheImportRefusesIsAnswered4xxWithTheImportsMessage() async throws {
        var damaged = try bensNote()
        damaged[damaged.count / 2] ^= 0x01  // signed as sent: the import, not the signature, refuses it
        let before = try digest(central)
        let response = try await push(damaged)
        #expect(response.status == .unprocessableContent)
        let answer = try error(of: response)
        #expect(answer.error.hasPrefix("the pushed bundle"))
        #expect(answer.category == "invalid-input")
        #expect(!answer.error.contains("service-scratch"))
        #expect(try digest(central) == before)
    }

    @Test func anOversizedPushIsRefusedWith413AndNothingChanges() async throws {
        let bundle = try bensNote()
        let before = try digest(central)
        let declared = try await push(bundle, headers: [.contentLength: "\(bundle.count)"], maxUpload: 256)
        #expect(declared.status == .contentTooLarge)
        #expect(try error(of: declared).error.contains("256 bytes"))
        // Undeclared (chunked): refused as it streams past the limit.
        let streamed = try await push(bundle, maxUpload: 256)
        #expect(streamed.status == .contentTooLarge)
        #expect(bundle.count > 256)
        #expect(try digest(central) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: central.location.directory + "/service-scratch").isEmpty)
    }

    @Test func aRouteAskedWithAnotherMethodIsAnswered405NamingTheOneItTakes() async throws {
        try await server().test(.router) { client in
            let response = try await client.execute(uri: "/v1/push", method: .put)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "POST")
            #expect(try error(of: response).error.contains("only POST"))
        }
    }

    @Test func anUnknownRouteIsAnswered404AsJSON() async throws {
        try await server().test(.router) { client in
            let response = try await client.execute(uri: "/v1/../../etc/passwd", method: .get)
            #expect(response.status == .notFound)
            #expect(try error(of: response).hint.contains("/v1/identity"))
        }
    }
}
