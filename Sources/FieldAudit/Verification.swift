import AuditStore

/// What `Replica.verify()` found: the state digest, the log's size, the evidence checked, and
/// every problem, each a sentence naming the change, entity and field, or the evidence file.
public struct Verification: Sendable {
    /// The digest of the materialised state as stored; replicas holding the same changes have the
    /// same one.
    public let digest: StateDigest
    /// The digest of the state rebuilt from the log in a scratch copy; equal to `digest` when sound.
    public let rebuiltDigest: StateDigest?
    /// How many changes the log holds.
    public let changeCount: Int
    /// How many origins wrote them.
    public let originCount: Int
    /// Evidence files re-hashed against their SHA-256.
    public internal(set) var evidenceChecked = 0
    /// Evidence files the state references that this replica has not received yet (not a problem).
    public internal(set) var evidenceMissing = 0
    /// Scratch left in the blob folder by killed processes: not damage, and not part of the audit;
    /// the next writing command removes it.
    public internal(set) var abandonedScratch: [AbandonedScratch] = []
    /// Everything that is not as it should be, one sentence each; empty when the replica is sound.
    public internal(set) var problems: [String]

    /// Whether nothing was found wrong.
    public var isSound: Bool { problems.isEmpty }
    /// Origins whose history is forked, quarantined from their fork on: not a fault of this
    /// store, but something the team's founding lead must act on (`ForkNotice.advice`).
    public internal(set) var forkedOrigins: [ForkNotice] = []

    /// A scratch file or folder in the blob folder whose process is gone: what an `evidence add`
    /// or `import` that was killed left behind.
    public struct AbandonedScratch: Sendable, Equatable, Encodable {
        /// Its path.
        public let path: String
        /// The process that made it, no longer running.
        public let pid: Int32
        /// Its size in bytes (a folder's: the sum of its files').
        public let bytes: Int64
    }

    /// The store's part of the check; the evidence is added by `Replica.verify()`.
    init(_ report: VerificationReport) {
        digest = report.digest
        rebuiltDigest = report.rebuiltDigest
        changeCount = report.changeCount
        originCount = report.originCount
        problems = report.problems.map(\.description)
    }
}
