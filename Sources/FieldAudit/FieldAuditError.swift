import AuditStore
import Replication

/// What can go wrong using a replica; each case says what happened and what to do next.
public enum FieldAuditError: Error, Sendable, CustomStringConvertible {
    /// There is no replica at the store location.
    case noReplica(path: String)
    /// `init` found a replica already there.
    case replicaExists(path: String, replica: String)
    /// The private key file can be read by others than its owner.
    case keyFileExposed(path: String, mode: UInt16)
    /// The private key file cannot be read as a key.
    case keyFileUnreadable(path: String, reason: String)
    /// The key file belongs to another replica than the store.
    case keyMismatch(path: String, store: ReplicaID, key: ReplicaID)
    /// An identity card cannot be read.
    case invalidCard(path: String, reason: String)
    /// A file has a format version newer than this build reads.
    case unsupportedVersion(what: String, path: String, found: Int, supported: Int)
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// The store reported an error.
    case store(StoreError)

    public var description: String {
        switch self {
        case let .noReplica(path):
            "no replica at \(path). Run `fieldaudit init --name \"Your Name\"` to create one, or point --store (or FIELDAUDIT_STORE) at an existing one."
        case let .replicaExists(path, replica):
            "a replica already exists at \(path) (replica \(replica)); nothing was changed. Use it as it is, or create another with --store PATH."
        case let .keyFileExposed(path, mode):
            "the private key \(path) can be read by others (mode \(String(mode, radix: 8))); FieldAudit refuses to use it. Run `chmod 600 \(path)` and try again."
        case let .keyFileUnreadable(path, reason):
            "cannot read the private key \(path): \(reason). Restore it from your backup; without it this replica cannot sign its work."
        case let .keyMismatch(path, store, key):
            "the private key \(path) belongs to replica \(key.short), but the store belongs to \(store.short). Put the store's own key file back."
        case let .invalidCard(path, reason):
            "\(path) is not a usable identity card: \(reason). Ask its owner to run `fieldaudit whoami --card -o FILE` again."
        case let .unsupportedVersion(what, path, found, supported):
            "\(path) is a \(what) of version \(found), but this fieldaudit reads up to version \(supported). Upgrade fieldaudit to read it."
        case let .io(path, reason):
            "cannot access \(path): \(reason)"
        case let .store(error):
            error.description
        }
    }
}
