import AuditModel
import AuditStore
import AuditStorePostgres
import Replication

/// What `Replica.migrate(toDatabase:)` copied.
public struct MigrationSummary: Sendable, Encodable {
    /// The database written, without its password.
    public var database: String
    /// Changes copied, this replica's own included.
    public var changes = 0
    /// Placeholders of changes withheld from this replica, copied.
    public var withheld = 0
    /// Keys trusted explicitly, copied.
    public var trustedKeys = 0
    /// The state digest, equal in both stores.
    public var digest = ""
}

extension Replica {
    /// Copies this replica's store into an empty PostgreSQL database: every change and withheld
    /// placeholder (through the same import laws, in one transaction), the signed checkpoints,
    /// the engagements' founders, the trusted keys and the replica's own metadata; then checks
    /// that the new store's state digest is this one's. The key file and the evidence files stay
    /// in the replica's directory; from then on, open it with the database (`--database URL`).
    ///
    /// Not copied: what each peer is known to hold (the next sync sends a peer a little more
    /// than it lacks, once), and stamps flagged as too far ahead are judged again against the
    /// clock now.
    ///
    /// - Throws: `.replicaExists` if the database already holds a replica or changes (nothing is
    ///   written then); `.store` if it cannot be reached, or if the digests differ after the copy.
    public func migrate(toDatabase url: String) throws(FieldAuditError) -> MigrationSummary {
        do {
            let target = try PostgresStore.open(url: url, clock: clock, searchableFields: Searchable.fields)
            defer { target.close() }
            if let existing = try target.metadata("replica_id") {
                throw FieldAuditError.replicaExists(path: target.path, replica: existing)
            }
            guard try target.changeCount() == 0 else { throw FieldAuditError.replicaExists(path: target.path, replica: "unknown") }
            var summary = MigrationSummary(database: target.path)
            let digest = try store.digest()

            var links: [SyncLink] = []
            var checkpoints: [StoredCheckpoint] = []
            // Forked origins stay quarantined in the copy, with every version kept as evidence, and
            // relayed up to the latest checkpoint below their fork (`Sync/PROTOCOL.md` §21.1).
            let forked = try store.forkedOrigins()
            let forkSeqs = try store.forkSeqs()
            for head in try store.originHeads() {
                try store.forEachLink(of: head.origin, after: 0, through: head.contiguous) { links.append($0) }
                // Changes held beyond a gap in the origin's chain.
                links += try store.changes(of: head.origin, after: head.contiguous).map { SyncLink.change($0) }
                if let fork = forkSeqs[head.origin], fork > 1, let below = try store.checkpoint(of: head.origin, through: fork - 1) {
                    checkpoints.append(below)
                }
                if let checkpoint = try store.checkpoint(of: head.origin) { checkpoints.append(checkpoint) }
            }
            let forks = try forked.flatMap { fork in try store.forkVersions(of: fork.origin) }.map(ForkFound.init(version:))
            var founders: [(EntityID, ReplicaID)] = []
            for engagement in try store.snapshots(ofKind: EntityKind.engagement.rawValue) {
                if let founder = try store.founder(of: engagement.id) { founders.append((engagement.id, founder)) }
            }
            var next = links.makeIterator()
            let report = try target.importLinks(
                { next.next() },
                bookkeeping: ImportBookkeeping(exporter: identity.id, exporterHolds: VersionVector(), checkpoints: checkpoints, forks: forks)
            ) { view in
                for (engagement, founder) in founders { try view.recordFounder(founder, of: engagement) }
            }
            (summary.changes, summary.withheld) = (report.applied, report.withheld)
            for key in try store.trustedKeys() {
                try target.trust(key.replica, name: key.name, publicKey: key.publicKey)
                summary.trustedKeys += 1
            }
            let copied = try target.digest()
            guard copied == digest else {
                throw StoreError.unexpected(
                    "the copy in \(target.path) has state digest \(copied.hex), not \(digest.hex); the replica's own store is unchanged. Drop the copy's tables and report this")
            }
            // Its id last: a database holding it holds a whole copy.
            for key in ["name", Self.currentEngagementKey, Self.currentInterviewKey, Self.exportedSeqKey, "replica_id"] {
                if let value = try store.metadata(key) { try target.setMetadata(key, to: value) }
            }
            summary.digest = copied.hex
            return summary
        } catch {
            throw Self.wrap(error)
        }
    }
}
