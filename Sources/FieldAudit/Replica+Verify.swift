import AuditStore
import Replication

extension Replica {
    /// Checks the replica: re-derives every hash chain, rebuilds the state in a scratch copy to
    /// compare digests, and re-hashes every evidence file the state references and the blob
    /// store holds.
    ///
    /// Changes nothing. The result names every problem with its change, entity and field, or the
    /// evidence file's digest; evidence not received yet is counted, not a problem, and so are
    /// scratch files that killed processes left in the blob folder (`abandonedScratch`), which
    /// the next writing command removes. `progress` hears the step: the chains and the rebuild
    /// (no total), then the evidence files checked out of those referenced.
    public func verify(progress: (WorkProgress) -> Void = { _ in }) throws(FieldAuditError) -> Verification {
        progress(WorkProgress(step: "chains and state", done: 0, total: nil, unit: .changes))
        var verification = Verification(try perform { () throws(StoreError) in try store.verify() })
        let referenced = try perform({ () throws(StoreError) in try store.referencedBlobs() })
        for (index, digest) in referenced.enumerated() {
            progress(WorkProgress(step: "evidence files", done: UInt64(index), total: UInt64(referenced.count), unit: .files))
            guard blobs.contains(digest) else {
                verification.evidenceMissing += 1
                continue
            }
            verification.evidenceChecked += 1
            if !blobs.verify(digest) { verification.problems.append(VerificationReport.Problem.evidenceCorrupt(digest: digest).description) }
        }
        verification.forkedOrigins = try forkedOrigins()
        verification.abandonedScratch = blobs.abandonedScratch().map {
            Verification.AbandonedScratch(path: $0.path, pid: $0.pid, bytes: $0.bytes)
        }
        return verification
    }
}
