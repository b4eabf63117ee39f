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
}
