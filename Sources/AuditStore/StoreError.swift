import Replication

/// What can go wrong in the store; each case says what happened and what to do next.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The store file could not be opened or created.
    case cannotOpen(path: String, reason: String)
    /// The store was written by a newer FieldAudit whose schema this build does not know.
    case newerSchema(path: String, unknownMigrations: [String])
    /// The store file is damaged (`SQLITE_CORRUPT`, `SQLITE_NOTADB`, or an empty file where a
    /// store was): nothing was changed, and `export --all` may still rescue its change log.
    case damaged(path: String, reason: String)
    /// The store cannot be written (`SQLITE_READONLY`: its file or folder is read-only); read
    /// commands still work on it.
    case readOnly(path: String)
    /// The disk is full (`SQLITE_FULL`); the transaction was rolled back.
    case diskFull(path: String)
    /// Another process held the store longer than the busy timeout allows.
    case busy(path: String)
    /// A change was refused; the transaction was rolled back and the store is unchanged.
    case rejected(ReplicationError)
    /// A row of the log cannot be read back as a change: the file was altered outside FieldAudit.
    case corruptRow(table: String, reason: String)
    /// SQLite reported an error.
    case sqlite(code: Int32, message: String, sql: String)
    /// The connection is closed.
    case closed
    /// A file to store as evidence cannot be read.
    case blobUnreadable(path: String, reason: String)
    /// An evidence blob cannot be written.
    case blobUnwritable(path: String, reason: String)
    /// An evidence blob is not in the store.
    case blobMissing(digest: String)
    /// An evidence blob's bytes no longer match its SHA-256.
    case blobCorrupt(digest: String)
    /// Something failed that FieldAudit did not expect; the message says what.
    case unexpected(String)
    /// A local write was refused: a peer is known to hold this replica's own changes up to
    /// `heldThrough`, beyond the `head` this store holds (it was restored from an older backup), so
    /// writing would number changes again and fork its own history (`Sync/PROTOCOL.md` §21.2).
    case behindOwnHistory(head: UInt64, heldThrough: UInt64, heldBy: ReplicaID)

    /// Whether this is a condition of the store itself (full disk, lock, read-only, damaged)
    /// rather than a failure of one statement.
    var isStoreCondition: Bool {
        switch self {
        case .diskFull, .busy, .readOnly, .damaged: true
        default: false
        }
    }

    /// What happened and what to do next, naming the file or value involved.
    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            path.hasPrefix("postgres://")
                ? "cannot open the store at \(path): \(reason). Check the URL, that the server is running and takes this user, and its TLS parameters (README: Central on PostgreSQL)."
                : "cannot open the store at \(path): \(reason). Check the path and its permissions, or pass another with --store."
        case let .newerSchema(path, migrations):
            "the store at \(path) was written by a newer FieldAudit (unknown schema steps: \(migrations.joined(separator: ", "))). Upgrade fieldaudit to open it; nothing was changed."
        case let .damaged(path, reason):
            "the store at \(path) is damaged (\(reason)); nothing was changed. Rescue what it still holds with `fieldaudit export --all --no-encrypt -o rescue.fabundle` and import that bundle into a new replica or a teammate's (`fieldaudit import rescue.fabundle`), or restore the store's folder from a backup."
        case let .readOnly(path):
            "the store at \(path) cannot be written (it or its folder is read-only); nothing was written. Read commands (status, search, log, report, verify) still work; to write, make it writable again (`chmod -R u+w` its folder) or work as its owner."
        case let .diskFull(path):
            "the disk holding \(path) is full; nothing was written. Free some space and run the command again."
        case let .busy(path):
            "the store at \(path) stayed locked by another fieldaudit process; nothing was written. Run the command again when the other one has finished."
        case let .rejected(error):
            "\(error); nothing was written."
        case let .corruptRow(table, reason):
            "the store's \(table) table holds a row FieldAudit cannot read (\(reason)); the file was changed outside FieldAudit. Run `fieldaudit verify` for details."
        case let .sqlite(code, message, sql):
            "SQLite error \(code): \(message)\(sql.isEmpty ? "" : " (in: \(sql.prefix(80)))")"
        case .closed:
            "the store is closed"
        case let .blobUnreadable(path, reason):
            "cannot read \(path): \(reason). Check the path; nothing was recorded."
        case let .blobUnwritable(path, reason):
            "cannot write the evidence file \(path): \(reason); nothing was recorded."
        case let .blobMissing(digest):
            "the evidence file \(digest.prefix(16))… is not in this store yet; import a bundle that carries it."
        case let .blobCorrupt(digest):
            "the stored evidence file \(digest.prefix(16))… no longer matches its SHA-256; restore it from another replica's bundle."
        case let .unexpected(message):
            "unexpected error: \(message)"
        case let .behindOwnHistory(head, heldThrough, heldBy):
            "this replica is behind its own history: replica \(heldBy.short) holds your changes up to seq \(heldThrough), this store only up to \(head) (was it restored from an older backup?); nothing was written, as writing now would fork your history. Run `fieldaudit sync`, or import a bundle that holds your later changes (`fieldaudit export --for YOUR-CARD --all` on a teammate's laptop) first."
        }
    }
}
