import AuditModel
@testable import FieldAudit
import FieldAuditService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Replication
import TestSupport
import Testing

/// A retired key at the central: its later changes are refused on push by the roster rule every
/// replica applies, and a pull with it carries none of the engagement it was retired from.
struct CentralKeyRotationTests {
    /// The first auditor's note reaches the central (the founder here); the auditor rotates its
    /// key to `testIdentity(77)`, and the central imports the rotation bundle.
    func rotateBen(_ fixture: CentralFixture) throws {
        let ben = fixture.auditors[0]
        let first = fixture.directory.file("first.fabundle")
        try fixture.note("Risk register reviewed quarterly", by: ben).write(to: URL(fileURLWithPath: first))
        _ = try fixture.central.importBundle(at: first)
        let rotation = fixture.directory.file("rotation.fabundle")
        let holds = try fixture.central.vectorFile().versionVector(path: "central")
        _ = try ben.rotateKey(
            exporting: ExportRequest(peer: fixture.central.identity.id, peerHolds: holds),
            to: try OutputFile.resolve(rotation, defaultName: "x", force: false), newIdentity: testIdentity(77))
        _ = try fixture.central.importBundle(at: rotation)
    }

    /// Pushes what the central lacks of `replica`'s store, signed by `key`: refused with 403 and
    /// an error saying `words`, the central unchanged.
    func expectPushRefused(_ fixture: CentralFixture, from replica: Replica, by key: ReplicaIdentity, saying words: String) async throws {
        let path = fixture.directory.file("push-\(UUID().uuidString.prefix(6)).fabundle")
        let centralHolds = try fixture.central.vectorFile().versionVector(path: "central")
        _ = try replica.writeBundle(ExportRequest(peer: fixture.central.identity.id, peerHolds: centralHolds), toNewFile: path)
        let body = try Data(contentsOf: URL(fileURLWithPath: path))
        let before = try fixture.digest(fixture.central)
        try await fixture.server().test(.router) { client in
            let pushed = try await client.execute(
                uri: "/v1/push", method: .post, headers: fixture.signed("POST", "/v1/push", body: body, by: key), body: ByteBuffer(bytes: body))
            #expect(pushed.status == .forbidden)
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(pushed.body.readableBytesView)) as? [String: String])
            #expect(answer["error"]?.contains(words) == true, "\(answer)")
        }
        #expect(try fixture.digest(fixture.central) == before)
    }

    @Test func aPushSignedWithARetiredKeyIsRefusedAndItsPullLeavesTheEngagementOut() async throws {
        let fixture = try CentralFixture()
        let ben = fixture.auditors[0]
        let oldKey = ben.identity
        // Ben's note reaches the central; Ben rotates his key; the central (the founder here)
        // imports the rotation bundle and continues Ben under the new key.
        try rotateBen(fixture)
        _ = try fixture.central.rotateMember(oldKey.id, to: nil, engagement: nil)

        // The old key, in other hands, writes past the local rules and pushes.
        var generator = SystemRandomNumberGenerator()
        let note = EntityID.make(milliseconds: 1, creator: oldKey.id, using: &generator)
        try ben.store.write(as: oldKey.id) { transaction in
            try transaction.set(.text("a thief's note"), "text", of: note, kind: "note", engagement: fixture.helix)
        }
        let path = fixture.directory.file("thief.fabundle")
        let centralHolds = try fixture.central.vectorFile().versionVector(path: "central")
        _ = try ben.writeBundle(ExportRequest(peer: fixture.central.identity.id, peerHolds: centralHolds), toNewFile: path)
        let body = try Data(contentsOf: URL(fileURLWithPath: path))
        let before = try fixture.digest(fixture.central)
        let vector = try ben.vectorFile().encoded()
        try await fixture.server().test(.router) { client in
            let pushed = try await client.execute(
                uri: "/v1/push", method: .post, headers: fixture.signed("POST", "/v1/push", body: body, by: oldKey), body: ByteBuffer(bytes: body))
            #expect(pushed.status == .forbidden)
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(pushed.body.readableBytesView)) as? [String: String])
            #expect(answer["error"]?.contains("retired key") == true, "\(answer)")
            let pulled = try await client.execute(
                uri: "/v1/pull", method: .post, headers: fixture.signed("POST", "/v1/pull", body: vector, by: oldKey), body: ByteBuffer(bytes: vector))
            if pulled.status == .ok {
                let file = fixture.directory.file("pulled.fabundle")
                try Data(pulled.body.readableBytesView).write(to: URL(fileURLWithPath: file))
                #expect(try !BundleInspection(file: file, readingAs: nil).engagements.contains(fixture.helix.description))
            } else {
                #expect(pulled.status == .forbidden || pulled.status == .unauthorized)
            }
        }
        #expect(try fixture.digest(fixture.central) == before)
    }

    @Test func aPushWritingAnotherKeysRotationRecordIsRefusedAndChangesNothing() async throws {
        let fixture = try CentralFixture(auditors: 2)
        let ben = fixture.auditors[0], mallory = fixture.auditors[1]
        _ = try fixture.note("Mallory's own note", by: mallory)
        // Mallory, past her local rules, names her own key as Ben's successor in Ben's record.
        try mallory.store.write(as: mallory.identity.id) { transaction in
            try transaction.set(
                .text(mallory.identity.id.hex), KeyRotation.Field.successor.rawValue, of: KeyRotation.id(engagement: fixture.helix, replica: ben.identity.id),
                kind: "keyRotation", engagement: fixture.helix)
        }
        try await expectPushRefused(fixture, from: mallory, by: mallory.identity, saying: "another key's rotation record")
        #expect(try fixture.central.roster(of: fixture.helix).members[ben.identity.id]?.retiredAfter == nil)
    }

    @Test func aPushRewritingTheKeysOwnRotationRecordIsRefusedAndTheSuccessorStands() async throws {
        let fixture = try CentralFixture()
        let ben = fixture.auditors[0]
        let oldKey = ben.identity
        // Ben's note reaches the central; Ben rotates; the central imports the rotation bundle.
        try rotateBen(fixture)
        let recorded = try #require(try fixture.central.roster(of: fixture.helix).members[oldKey.id])

        // The old key, in other hands, writes its record again (superseding it), naming another key.
        let other = testIdentity(78).id
        try ben.store.write(as: oldKey.id) { transaction in
            try transaction.set(
                .text(other.hex), KeyRotation.Field.successor.rawValue, of: KeyRotation.id(engagement: fixture.helix, replica: oldKey.id),
                kind: "keyRotation", engagement: fixture.helix)
        }
        try await expectPushRefused(fixture, from: ben, by: oldKey, saying: "key rotation record, which is written once")
        let roster = try fixture.central.roster(of: fixture.helix)
        #expect(roster.members[oldKey.id]?.successor == testIdentity(77).id && roster.members[oldKey.id]?.retiredAfter == recorded.retiredAfter)
    }
}
