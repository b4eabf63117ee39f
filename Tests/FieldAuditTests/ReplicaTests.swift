import AuditStore
import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

struct ReplicaTests {
    let directory = TemporaryDirectory()
    var location: StoreLocation { StoreLocation(directory: directory.file("replica")) }

    @Test func aCreatedReplicaReopensWithTheSameIdentityAndName() throws {
        let created = try Replica.create(at: location, name: "Ada Lead", identity: testIdentity(1), clock: ManualClock())
        let reopened = try Replica.open(at: location, clock: ManualClock())
        #expect(reopened.identity.id == created.identity.id)
        #expect(reopened.name == "Ada Lead")
    }

    @Test func createRefusesAnExistingReplicaAndLeavesItAlone() throws {
        let first = try Replica.create(at: location, name: "Ada", identity: testIdentity(1))
        #expect {
            _ = try Replica.create(at: location, name: "Bob", identity: testIdentity(2))
        } throws: { error in
            guard case let FieldAuditError.replicaExists(_, replica) = error else { return false }
            return replica == first.identity.id.hex
        }
        #expect(try Replica.open(at: location).identity.id == first.identity.id)
    }

    @Test func aKeyFromAnotherReplicaIsRefused() throws {
        _ = try Replica.create(at: location, name: "Ada", identity: testIdentity(1))
        let other = StoreLocation(directory: directory.file("other"))
        _ = try Replica.create(at: other, name: "Bob", identity: testIdentity(2))
        try FileManager.default.removeItem(atPath: location.keyFile)
        try FileManager.default.copyItem(atPath: other.keyFile, toPath: location.keyFile)
        #expect {
            _ = try Replica.open(at: location)
        } throws: { error in
            if case FieldAuditError.keyMismatch = error { true } else { false }
        }
    }

    @Test func theStoreLocationFollowsOptionThenEnvironmentThenXDG() {
        let environment = ["HOME": "/home/ada", "XDG_DATA_HOME": "/data", "FIELDAUDIT_STORE": "/env/store"]
        #expect(StoreLocation.resolve(explicit: "/flag", environment: environment).directory == "/flag")
        #expect(StoreLocation.resolve(explicit: nil, environment: environment).directory == "/env/store")
        #expect(StoreLocation.resolve(explicit: nil, environment: ["HOME": "/home/ada", "XDG_DATA_HOME": "/data"]).directory == "/data/fieldaudit")
        #expect(StoreLocation.resolve(explicit: nil, environment: ["HOME": "/home/ada"]).directory == "/home/ada/.local/share/fieldaudit")
        // A relative XDG_DATA_HOME is invalid by the XDG spec and ignored.
        #expect(StoreLocation.resolve(explicit: nil, environment: ["HOME": "/h", "XDG_DATA_HOME": "rel"]).directory == "/h/.local/share/fieldaudit")
    }

    @Test func identityCardsRoundTripAndRejectAForeignKeyOrANewerVersion() throws {
        let replica = try Replica.create(at: location, name: "Ada", identity: testIdentity(1))
        let path = directory.file("ada.card.json")
        try replica.card.encoded().write(to: URL(fileURLWithPath: path))
        let card = try IdentityCard.load(from: path)
        #expect(card == replica.card)
        #expect(ReplicaID(publicKey: try card.verifiedKey()) == replica.identity.id)

        var forged = card
        forged.publicKey = IdentityCard(name: "Eve", identity: testIdentity(9)).publicKey
        try forged.encoded().write(to: URL(fileURLWithPath: path))
        #expect(throws: FieldAuditError.self) { try IdentityCard.load(from: path) }

        var future = card
        future.version = 2
        try future.encoded().write(to: URL(fileURLWithPath: path))
        #expect {
            try IdentityCard.load(from: path)
        } throws: { error in
            guard case let FieldAuditError.unsupportedVersion(_, _, found, supported) = error else { return false }
            return found == 2 && supported == 1
        }
    }

    @Test func fieldWritesGoThroughTheLogAndResolveConflicts() throws {
        let replica = try Replica.create(at: location, name: "Ada", identity: testIdentity(1), clock: ManualClock())
        let engagement = replica.makeEntityID()
        let first = try replica.set(.text("Acme"), field: "client", of: engagement, kind: "engagement", engagement: engagement)
        let second = try replica.set(.text("Acme AI Ltd"), field: "client", of: engagement, kind: "engagement", engagement: engagement)
        #expect(second.supersedes == [first.id])
        #expect(try replica.fields(of: engagement)["client"]?.values.map(\.value) == [.text("Acme AI Ltd")])
        #expect(try replica.verify().isSound)
    }
}
