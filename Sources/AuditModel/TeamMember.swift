import Replication

/// A member of an engagement's team: a replica, its owner's name and public key, and a role.
///
/// Its id is derived from the engagement and the replica id, so adding the same person twice,
/// even on two replicas at once, names one entity.
public struct TeamMember: Hashable, Sendable, Encodable {
    /// The fields a team member entity writes, by their stored names.
    public enum Field: String, CaseIterable {
        case replica, name, publicKey, agreementKey, role, removedAfter
        /// The replica id (hex) of the key this member's key replaced: the same auditor, whose
        /// membership and authorship continue (`Roster.identities(of:)`); written by the founder.
        case succeeds
    }

    /// The member's entity id, derived from the engagement and the replica id.
    public let id: EntityID
    /// The member's replica; nil if the stored id cannot be read.
    public var replica: ReplicaID?
    /// The owner's name, from their identity card (text someone wrote).
    public var name: String
    /// Base64 of the 32-byte Ed25519 public key.
    public var publicKey: String
    /// Base64 of the 32-byte X25519 key bundles are sealed to, when the card carried one.
    public var agreementKey: String?
    /// The member's role; nil if the stored value is not a known role.
    public var role: TeamRole?
    /// The fields with concurrent values.
    public var conflicts: [String]
    /// The replica whose key this member's key replaced (`Field.succeeds`), if any.
    public var succeeds: ReplicaID?

    /// The member a snapshot holds; nil if it is not a live member entity.
    public init?(_ snapshot: EntitySnapshot) {
        guard snapshot.kind == EntityKind.member.rawValue, !snapshot.deleted else { return nil }
        id = snapshot.id
        replica = snapshot.text(Field.replica.rawValue).flatMap { try? ReplicaID(hex: $0) }
        name = snapshot.text(Field.name.rawValue) ?? ""
        publicKey = snapshot.text(Field.publicKey.rawValue) ?? ""
        agreementKey = snapshot.text(Field.agreementKey.rawValue)
        role = snapshot.choice(Field.role.rawValue)
        conflicts = snapshot.conflictedFields
        succeeds = snapshot.text(Field.succeeds.rawValue).flatMap { try? ReplicaID(hex: $0) }
    }

    /// The member entity's id for a replica in an engagement.
    public static func id(engagement: EntityID, replica: ReplicaID) -> EntityID {
        .derived(namespace: "fieldaudit.member", engagement.bytes, replica.bytes)
    }

    /// The fields that put a replica on the team with a role.
    public static func writes(replica: ReplicaID, name: String, publicKey: String, agreementKey: String?, role: TeamRole) -> FieldWrites {
        var writes: FieldWrites = [
            (Field.replica.rawValue, .text(replica.hex)), (Field.name.rawValue, .text(name)),
            (Field.publicKey.rawValue, .text(publicKey)), (Field.role.rawValue, .text(role.rawValue)),
        ]
        if let agreementKey { writes.append((Field.agreementKey.rawValue, .text(agreementKey))) }
        return writes
    }
}
