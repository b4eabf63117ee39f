import AuditStore
import Replication

extension Replica {
    /// Checks the replica: re-derives every hash chain, rebuilds the state in a scratch copy to
    /// compare digests, and re-hashes every evidence file the state references and the blob
    /// store holds.
    ///
    /// Changes nothing. The report names every problem with its change, entity and field, or the
    /// evidence file's digest; evidence not received yet is counted, not a problem, and so are
    /// scratch files that killed processes left in the blob folder (`abandonedScratch`), which
    /// the next writing command removes.
    public func verify() throws(FieldAuditError) -> VerificationReport {
        var report = try perform { () throws(StoreError) in try store.verify() }
        for digest in try perform({ () throws(StoreError) in try store.referencedBlobs() }) {
            guard blobs.contains(digest) else {
                report.evidenceMissing += 1
                continue
            }
            report.evidenceChecked += 1
            if !blobs.verify(digest) { report.problems.append(.evidenceCorrupt(digest: digest)) }
        }
        report.abandonedScratch = blobs.abandonedScratch()
        return report
    }
}
