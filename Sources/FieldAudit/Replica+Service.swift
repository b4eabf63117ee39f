import AuditStore
import BundleFormat
import Foundation
import Replication

extension Replica {
    /// Whether a key is known here, by the rule that admits a bundle's signer: this replica, a
    /// trusted key, or the founder or a member of an engagement this replica holds.
    ///
    /// The central repository admits a request's key by this rule too (`FieldAuditService`).
    public func knows(_ replica: ReplicaID) throws(FieldAuditError) -> Bool {
        do {
            return try isKnownSigner(replica, trusted: Set(try store.trustedReplicas().keys))
        } catch {
            throw Self.wrap(error)
        }
    }

    /// Writes the bundle of `request` to a new file at `path` (which must not exist), streaming
    /// from the store; the file is removed again if the export fails.
    ///
    /// - Throws: `FieldAuditError.io` if the file cannot be created; any export error.
    public func writeBundle(_ request: ExportRequest, toNewFile path: String, progress: (UInt64) -> Void = { _ in }) throws(FieldAuditError) -> ExportSummary {
        guard let handle = ScratchFile.create(at: path) else {
            throw .io(path: path, reason: "the file cannot be created (it exists, or the folder is not writable)")
        }
        defer { try? handle.close() }
        do {
            return try export(request, to: FileHandleSink(handle), progress: progress)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }
}

