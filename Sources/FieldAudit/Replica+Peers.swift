import AuditModel
import AuditStore
import Replication

extension Replica {
    /// This replica's version vector, as a file a peer exports against.
    public func vectorFile() throws(FieldAuditError) -> VectorFile {
        VectorFile(replica: identity.id, vector: try perform { () throws(StoreError) in try store.vector() })
    }

    /// Trusts an identity card's key: its bundles are accepted and engagements it founds too.
    public func trust(_ card: IdentityCard) throws(FieldAuditError) -> ReplicaID {
        let key = try card.verifiedKey()
        let replica = ReplicaID(publicKey: key)
        try perform { () throws(StoreError) in try store.trust(replica, name: card.name, publicKey: Array(key.rawRepresentation)) }
        return replica
    }

    /// What a peer is known to hold, from the bundles it sent.
    public func peerVector(of peer: ReplicaID) throws(FieldAuditError) -> VersionVector {
        try perform { () throws(StoreError) in try store.peerVector(of: peer) }
    }

    /// How a message names another replica: the name on its trusted card or on a team of an
    /// engagement held here (escaped for the terminal), with its short id; else its short id.
    public func displayName(of replica: ReplicaID) -> String {
        if replica == identity.id { return "this replica (\(replica.short))" }
        if let name = (try? store.trustedReplicas())?[replica] { return "\(DisplayText.shown(name)) (\(replica.short))" }
        for engagement in (try? store.snapshots(ofKind: EntityKind.engagement.rawValue)) ?? [] {
            guard let record = try? record(of: engagement.id, kinds: []) else { continue }
            let name = record.memberName(replica)
            if name != replica.short { return "\(DisplayText.shown(name)) (\(replica.short))" }
        }
        return "replica \(replica.short)"
    }

    /// Records that `peer` holds this replica's own changes up to `seq`. Beyond what this store
    /// holds, that means the store was restored from an older backup: its local writes are
    /// refused until it catches up (`Sync/PROTOCOL.md` §21.2), and this throws saying so.
    ///
    /// - Throws: `FieldAuditError.behindOwnHistory` naming `peerName` when `seq` is beyond this
    ///   store's own head; the store's errors.
    public func recordOwnHistory(heldThrough seq: UInt64, by peer: ReplicaID, peerName: String) throws(FieldAuditError) {
        let head = try perform { () throws(StoreError) in try store.vector()[identity.id] }
        guard seq > head else { return }
        try perform { () throws(StoreError) in try store.recordPeerHolds(seq, of: peer, origin: identity.id) }
        throw .behindOwnHistory(head: head, heldThrough: seq, heldBy: peerName)
    }
}
