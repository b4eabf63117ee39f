import AuditModel
import Replication
import Testing

/// A member entity's id is derived the same way on every replica, byte for byte as
/// `Sync/PROTOCOL.md` §22 spells it, so another implementation finds the same roster entry.
struct TeamMemberIDTests {
    @Test func theMemberIDIsTheOneThePROTOCOLsWorkedExampleGives() throws {
        let engagement = try EntityID("019ab697-e800-79c3-8c25-9116739c2572")
        let replica = try ReplicaID(hex: "83267905f50a2162d7494d2770fa8d1d")
        #expect(TeamMember.id(engagement: engagement, replica: replica) == (try EntityID("5b0b9a77-3d05-837f-b430-dc6f02a6f27f")))
    }

    @Test func theMemberIDIsAVersion8UUIDThatDependsOnBothIDs() throws {
        let engagement = try EntityID("019ab697-e800-79c3-8c25-9116739c2572")
        let other = try EntityID("019ab697-e800-79c3-8c25-9116739c2573")
        let replica = try ReplicaID(hex: "83267905f50a2162d7494d2770fa8d1d")
        let id = TeamMember.id(engagement: engagement, replica: replica)
        #expect(id.bytes[6] >> 4 == 8 && id.bytes[8] >> 6 == 0b10)
        #expect(TeamMember.id(engagement: other, replica: replica) != id)
    }
}
