import BundleFormat
import Foundation
import Replication

extension Replica {
    /// The identity in a backed-up `identity.key`, for a new replica that keeps its replica id.
    ///
    /// Such a replica must get its own chain back before it writes (`checkRestorable`): an empty
    /// store would number its changes from seq 1 again and fork the history its peers hold.
    ///
    /// - Throws: `FieldAuditError.keyFileUnreadable` or `.keyFileExposed` (a key others may read).
    public static func identity(fromBackup path: String) throws(FieldAuditError) -> ReplicaIdentity {
        try KeyFile.load(from: path)
    }

    /// Checks, from their headers alone, that `bundles` carry `identity`'s own changes, so a new
    /// store with that key continues its chain from what peers hold instead of forking it.
    ///
    /// - Returns: the highest seq of the identity's changes the bundles carry.
    /// - Throws: `FieldAuditError.invalidInput` if none of them carries any; the errors of
    ///   reading a bundle's header.
    @discardableResult
    public static func checkRestorable(_ identity: ReplicaIdentity, from bundles: [String]) throws(FieldAuditError) -> UInt64 {
        var through: UInt64 = 0
        for path in bundles {
            let handle = try InputFile.open(path)
            defer { try? handle.close() }
            do {
                let reader = try BundleReader(source: FileHandleSource(handle), agreementKey: nil)
                for range in reader.header.ranges where range.origin == identity.id { through = max(through, range.through) }
            } catch {
                throw .bundle(error, path: path)
            }
        }
        guard through > 0 else {
            throw .invalidInput(
                source: bundles.joined(separator: ", "),
                reason: "it holds none of the changes of replica \(identity.id.short), the key's; a store restored from it would write seq 1 again and fork your own history. Ask your lead or the central for `fieldaudit export --for YOUR-CARD --all -o FILE`, which carries them; if none of your work ever left the laptop, run `fieldaudit init --name NAME` without --key and send the lead your new card")
        }
        return through
    }
}
