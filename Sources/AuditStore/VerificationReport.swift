import Replication

/// What `Store.verify()` found: the state digest, the log's size, and every problem.
public struct VerificationReport: Sendable {
    /// The digest of the materialised state as stored.
    public var digest: StateDigest
    /// The digest of the state rebuilt from the log in a scratch copy; equal to `digest` when sound.
    public var rebuiltDigest: StateDigest?
    /// How many changes the log holds.
    public var changeCount: Int
    /// How many origins wrote them.
    public var originCount: Int
    /// Everything that is not as it should be; empty when the store is sound.
    public var problems: [Problem]

    /// Whether nothing was found wrong.
    public var isSound: Bool { problems.isEmpty }

    /// One thing found wrong, naming the change, entity and field involved where there is one.
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        /// A change's content no longer matches the hash its origin's chain recorded for it.
        case brokenChain(change: ChangeID, entity: EntityID, field: String, recorded: String, derived: String)
        /// The `origin` table disagrees with the chain derived from the log.
        case originMismatch(origin: ReplicaID, recorded: String, derived: String)
        /// A row cannot be read back.
        case unreadableRow(table: String, reason: String)
        /// The materialised state differs from the state rebuilt from the log.
        case stateMismatch(entity: EntityID?, field: String?, change: ChangeID?, detail: String)
        /// Rebuilding from the log failed.
        case rebuildFailed(reason: String)
        /// A stored evidence file no longer matches the SHA-256 it is stored under (found by the
        /// replica's check of its blob store, which words its problem with this case).
        case evidenceCorrupt(digest: BlobDigest)

        /// The problem in one sentence, naming the change, entity and field, or the file.
        public var description: String {
            switch self {
            case let .brokenChain(change, entity, field, recorded, derived):
                "change \(change) (entity \(entity), field \(field)) was altered: the chain recorded hash \(recorded.prefix(16))…, its content now hashes to \(derived.prefix(16))…"
            case let .originMismatch(origin, recorded, derived):
                "origin \(origin.short): the store records \(recorded), the log gives \(derived)"
            case let .unreadableRow(table, reason):
                "unreadable row in \(table): \(reason)"
            case let .stateMismatch(entity, field, change, detail):
                "state differs from the log" + (entity.map { " at entity \($0)" } ?? "")
                    + (field.map { ", field \($0)" } ?? "") + (change.map { ", change \($0)" } ?? "") + ": \(detail)"
            case let .rebuildFailed(reason):
                "the state cannot be rebuilt from the log: \(reason)"
            case let .evidenceCorrupt(digest):
                "the evidence file \(digest.hex.prefix(16))… no longer matches its SHA-256; restore it from another replica's bundle"
            }
        }
    }
}
