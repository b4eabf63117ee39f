import FieldAudit
import Foundation
import Replication

/// What a sync brought each way.
public struct SyncReport: Sendable {
    /// The import of what the central sent.
    public var pulled: ImportSummary
    /// The size of the pulled bundle.
    public var pulledBytes: UInt64
    /// What was sent to the central; `nil` if it lacked nothing.
    public var sent: ExportSummary?
    /// The central's import of it.
    public var pushed: PushSummary?
}

/// One sync of a laptop's replica with a central repository: check the pinned key, pull and
/// import what the laptop lacks, then push what the central lacks.
///
/// Each import is one transaction on its side, so a sync cut at any byte leaves each replica as
/// it was before or after that bundle; the next sync starts from the vectors again and completes
/// it.
public struct CentralSync: Sendable {
    /// The laptop's replica.
    public let replica: Replica
    /// The central, as pinned.
    public let remote: Remote
    let client: CentralClient

    /// A sync of `replica` with the pinned central `remote`, accepting a pulled bundle of up to
    /// `maxPull` bytes.
    ///
    /// - Throws: `ServiceError` if the remote's URL or pinned key cannot be used.
    public init(replica: Replica, remote: Remote, maxPull: UInt64 = 4 << 30) throws(ServiceError) {
        self.replica = replica
        self.remote = remote
        self.client = CentralClient(url: remote.url, identity: replica.identity, server: try remote.replica, maxPull: maxPull)
    }

    /// Where the bundles in transit wait: `sync-scratch` in the store directory.
    var scratch: String { replica.location.directory + "/sync-scratch" }

    /// Runs the sync; `progress` hears the step (`pulling`, `importing`, `pushing`) and its bytes,
    /// out of the bundle's size where it is known (importing and pushing).
    ///
    /// - Throws: `ServiceError` for the network and the server (nothing is lost: the laptop's
    ///   work stays in its store); `FieldAuditError` if the laptop's import refuses the pulled bundle.
    public func run(progress: @escaping @Sendable (WorkProgress) -> Void = { _ in }) async throws -> SyncReport {
        try await checkPinnedKey()
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let pulledPath = "\(scratch)/pulled-from-\(remote.name).fabundle"
        try? FileManager.default.removeItem(atPath: pulledPath)
        defer { try? FileManager.default.removeItem(atPath: pulledPath) }
        let pulledBytes: UInt64, pulled: ImportSummary
        do {
            pulledBytes = try await client.pull(try replica.vectorFile(), to: pulledPath) {
                progress(WorkProgress(step: "pulling", done: $0, total: nil, unit: .bytes))
            }
            pulled = try replica.importBundle(at: pulledPath) {
                progress(WorkProgress(step: "importing", done: UInt64($0), total: pulledBytes, unit: .bytes))
            }
        } catch {
            // The pull failed: if the central holds more of this replica's own history than its
            // store, remember it, so no local write forks that history before the next sync.
            if let answer = try? await client.vector() {
                try? recordOwnHistory(from: answer)
            }
            throw error
        }

        let answer = try await client.vector()
        let centralHolds = answer.vector
        // The central's answer: it holds nothing of this replica's own beyond what the pull brought.
        try recordOwnHistory(from: answer)
        let pushPath = "\(scratch)/push-to-\(remote.name).fabundle"
        try? FileManager.default.removeItem(atPath: pushPath)
        defer { try? FileManager.default.removeItem(atPath: pushPath) }
        let sent = try replica.writeBundle(ExportRequest(peer: try remote.replica, peerHolds: centralHolds), toNewFile: pushPath)
        guard sent.changes + sent.withheld + sent.evidenceFiles > 0 else {
            return SyncReport(pulled: pulled, pulledBytes: pulledBytes)
        }
        let pushed = try await client.push(bundleAt: pushPath) { [total = sent.bytes] in
            progress(WorkProgress(step: "pushing", done: $0, total: total, unit: .bytes))
        }
        return SyncReport(pulled: pulled, pulledBytes: pulledBytes, sent: sent, pushed: pushed)
    }

    /// Records how much of this replica's own history the central says it holds (§21.2), when
    /// the pinned key signed that answer: an unsigned one (an older server, or a machine in
    /// between on plain HTTP) could otherwise stop this laptop writing with a claim nothing backs.
    ///
    /// - Throws: `FieldAuditError.behindOwnHistory` when the central holds more than this store.
    func recordOwnHistory(from answer: VectorAnswer) throws {
        guard answer.isSigned(by: remote) else { return }
        try replica.recordOwnHistory(heldThrough: answer.vector[replica.identity.id], by: try remote.replica, peerName: centralName)
    }

    /// How messages name the central: the remote's name and URL.
    var centralName: String { "the central `\(remote.name)` (\(remote.url))" }

    /// Refuses a server whose card is not the pinned one, or that does not prove it holds its key.
    func checkPinnedKey() async throws(ServiceError) {
        let card = try await CentralClient.identity(at: remote.url)
        guard card.replicaID == remote.replicaID, card.publicKey == remote.publicKey else {
            throw .serverChanged(url: remote.url, pinned: "\(remote.replicaID.prefix(8))… (\(remote.fingerprint))", presented: "\(card.replicaID.prefix(8))… (\(card.fingerprint))")
        }
    }
}
