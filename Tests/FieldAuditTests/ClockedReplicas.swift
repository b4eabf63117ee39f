import AuditStore
@testable import FieldAudit
import Replication
import TestSupport

/// Replicas made in one temporary directory on one manual clock, and the plain exchange of every
/// change they hold: the set-up of the suites that test how several laptops' work converges.
protocol ClockedReplicas {
    /// Where the replicas' stores live.
    var directory: TemporaryDirectory { get }
    /// The clock every replica reads.
    var clock: ManualClock { get }
}

extension ClockedReplicas {
    /// A new replica named `name`, its key derived from `seed`.
    func replica(_ name: String, seed: UInt64) throws -> Replica {
        try Replica.create(at: StoreLocation(directory: directory.file(name)), name: name, identity: testIdentity(seed), clock: clock)
    }

    /// Every change `replica` holds.
    func changes(of replica: Replica) throws -> [Change] {
        var changes: [Change] = []
        for (origin, _) in try replica.store.vector() { changes += try replica.store.changes(of: origin) }
        return changes
    }

    /// Copies every change `source` holds into `destination`.
    func sync(_ source: Replica, to destination: Replica) throws {
        try destination.store.apply(try changes(of: source))
    }
}
