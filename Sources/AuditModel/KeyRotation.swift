import Replication

/// A team member's own record that it replaced its signing key: written by the retiring key as
/// its last change in the engagement, naming the key that takes over.
///
/// From that change on the retiring key is retired in the engagement (`Roster`): every change it
/// signs later is refused on every replica, whatever arrived first, because a replica that holds
/// such a change holds the retiring key's whole chain before it, this record included. The record
/// grants the new key nothing: only the founding lead puts it on the team (`TeamMember.Field.succeeds`),
/// so a thief who "rotates" a stolen key only retires it.
///
/// The record is written once: `Roster` refuses a change to it that supersedes anything, so no
/// value of it is ever hidden, and its first `successor` (the least seq) sets the retirement point
/// and the successor for good; every later change of the key, another `successor` included, is
/// beyond that point and refused (`Sync/PROTOCOL.md` §22.3, "Written once").
public struct KeyRotation: Hashable, Sendable {
    /// The fields a key rotation record writes, by their stored names, `successor` last.
    public enum Field: String, CaseIterable {
        /// The retiring key's replica id (hex).
        case replica
        /// The new key's Ed25519 public key and X25519 agreement key (base64), for the lead's
        /// `team rotate`, and its owner's name.
        case publicKey, agreementKey, name
        /// The new key's replica id (hex). The retiring key's change writing it is the last one
        /// of the key the roster accepts in the engagement.
        case successor
    }

    /// The retiring key's replica.
    public let replica: ReplicaID
    /// The new key's replica, as the retiring key wrote it; the least of its values if several.
    public let successor: ReplicaID
    /// The new key's public key, base64.
    public let publicKey: String
    /// The new key's agreement key, base64, when written.
    public let agreementKey: String?
    /// The owner's name as the record gives it.
    public let name: String
    /// The seq of the retiring key's change that wrote `successor`: its last accepted change here.
    public let retiredAfter: UInt64

    /// The record a snapshot holds, counting only values the retiring key itself wrote; `nil` if
    /// it is not a rotation record of its own replica.
    public init?(_ snapshot: EntitySnapshot) {
        guard let text = snapshot.text(Field.replica.rawValue), let replica = try? ReplicaID(hex: text) else { return nil }
        self.init(snapshot, of: replica)
    }

    /// `replica`'s own rotation record in a snapshot, found by its id and read only from the values
    /// `replica` itself wrote (whatever the record's `replica` field says); `nil` if the snapshot
    /// is not that record or `replica` wrote no successor into it.
    public init?(_ snapshot: EntitySnapshot, of replica: ReplicaID) {
        guard snapshot.kind == EntityKind.keyRotation.rawValue,
              snapshot.id == Self.id(engagement: snapshot.engagement, replica: replica)
        else { return nil }
        func own(_ field: Field) -> [VisibleValue] {
            snapshot.fields[field.rawValue]?.values.filter { $0.id.origin == replica } ?? []
        }
        func ownText(_ field: Field) -> String? {
            own(field).max { $0.id.seq < $1.id.seq }?.value.text
        }
        guard let first = own(.successor).min(by: { $0.id.seq < $1.id.seq }),
              let successorText = first.value.text, let successor = try? ReplicaID(hex: successorText)
        else { return nil }
        self.replica = replica
        self.successor = successor
        self.retiredAfter = first.id.seq
        self.publicKey = ownText(.publicKey) ?? ""
        self.agreementKey = ownText(.agreementKey)
        self.name = ownText(.name) ?? ""
    }

    /// The record's entity id: one per engagement and retiring replica (`Sync/PROTOCOL.md` §22.3).
    public static func id(engagement: EntityID, replica: ReplicaID) -> EntityID {
        .derived(namespace: "fieldaudit.key-rotation", engagement.bytes, replica.bytes)
    }

    /// The fields of a rotation record, `successor` last so that it is the retiring key's last change.
    public static func writes(replica: ReplicaID, successor: ReplicaID, name: String, publicKey: String, agreementKey: String?) -> FieldWrites {
        var writes: FieldWrites = [
            (Field.replica.rawValue, .text(replica.hex)), (Field.name.rawValue, .text(name)), (Field.publicKey.rawValue, .text(publicKey)),
        ]
        if let agreementKey { writes.append((Field.agreementKey.rawValue, .text(agreementKey))) }
        writes.append((Field.successor.rawValue, .text(successor.hex)))
        return writes
    }
}
