import AuditStore

extension Replica {
    /// Re-derives every hash chain and rebuilds the state in a scratch copy to compare digests.
    ///
    /// Changes nothing. The report names every problem with its change, entity and field.
    public func verify() throws(FieldAuditError) -> VerificationReport {
        try perform { () throws(StoreError) in try store.verify() }
    }
}
