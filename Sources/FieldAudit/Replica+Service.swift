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
    public func writeBundle(_ request: ExportRequest, toNewFile path: String, progress: (WorkProgress) -> Void = { _ in }) throws(FieldAuditError) -> ExportSummary {
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


extension Replica {
    /// What `file(with:engagement:)` did.
    public enum Filing: Equatable, Sendable {
        /// The engagement is now filed with the central repository.
        case filed
        /// It already was: nothing was written.
        case alreadyFiled
    }

    /// Files an engagement with the certification body's central repository whose card this is:
    /// a member entity with the role `central`, written by the founder like any roster change, so
    /// it replicates and conflicts like everything else. The central then reads the whole
    /// engagement (`Roster.canRead`), authors nothing in it (`Roster` refuses), and is never
    /// listed with the team (`EngagementRecord.members`).
    ///
    /// - Throws: `.refused` unless this replica founded the engagement; `.invalidCard`;
    ///   `.invalidInput` if the card's owner is on the audit team (remove it first).
    public func file(with card: IdentityCard, engagement reference: String?) throws(FieldAuditError) -> Filing {
        let record = try capturing(in: reference)
        let owner = ReplicaID(publicKey: try card.verifiedKey())
        if record.centrals.contains(where: { $0.replica == owner }) { return .alreadyFiled }
        if let member = record.members.first(where: { $0.replica == owner }) {
            throw .invalidInput(
                source: "the central's card",
                reason: "its owner (\(owner.short)) is on the audit team as \(member.role?.rawValue ?? "a member"), and a central repository is not a team member; remove it from the team first (`fieldaudit team remove`), then file the engagement with it")
        }
        _ = try addMember(card, role: .central, engagement: reference)
        return .filed
    }
}
