import AuditModel
import AuditStore
import AuditStorePostgres
import Foundation
import Replication

/// A local replica: the front door through which the command line and other programs capture,
/// query and verify an audit.
///
/// A replica owns a directory (`StoreLocation`) with its SQLite store and its private key. Every
/// write goes through the store's change log as one transaction authored by this replica.
public final class Replica: Sendable {
    /// Where the replica's files are.
    public let location: StoreLocation
    /// The signing identity; its id is the origin of every change written here.
    public let identity: ReplicaIdentity
    /// The owner's name, as given to `init`.
    public let name: String
    /// The store (SQLite, or a central's PostgreSQL): internal, so every caller goes through the
    /// replica's use cases.
    let store: any ChangeStorage
    /// The evidence files: internal, as the store.
    let blobs: BlobStore
    let clock: any WallClock
    /// Where a test runs code inside a use case (`ReplicaProbes`); none is set otherwise.
    let probes = ReplicaProbes()

    private init(location: StoreLocation, identity: ReplicaIdentity, name: String, store: any ChangeStorage, clock: any WallClock) {
        self.location = location
        self.identity = identity
        self.name = name
        self.store = store
        self.blobs = BlobStore(directory: location.blobs)
        self.clock = clock
    }

    /// Creates a new replica: the directory, a new Ed25519 key (file mode 0600) and an empty store,
    /// in the directory or, given `database` (`postgres://USER@HOST/DB`), in that PostgreSQL
    /// database (the directory then keeps the key and the evidence files).
    ///
    /// - Throws: `FieldAuditError.replicaExists` if a store or key is already there (nothing is
    ///   touched then); `FieldAuditError.io` or `.store` if the files cannot be written.
    public static func create(
        at location: StoreLocation, name: String, identity: ReplicaIdentity = .generate(),
        clock: any WallClock = SystemClock(), database: String? = nil
    ) throws(FieldAuditError) -> Replica {
        let files = FileManager.default
        if (database == nil && files.fileExists(atPath: location.database)) || files.fileExists(atPath: location.keyFile) {
            let existing = (try? open(at: location, clock: clock, database: database))?.identity.id.hex ?? "unknown"
            throw .replicaExists(path: location.directory, replica: existing)
        }
        var opened: (any ChangeStorage)?
        if let database {
            // A database that already holds a replica is left alone, before any file is written.
            do {
                let store = try PostgresStore.open(url: database, clock: clock, searchableFields: Searchable.fields)
                if let existing = try store.metadata("replica_id") {
                    store.close()
                    throw FieldAuditError.replicaExists(path: store.path, replica: existing)
                }
                opened = store
            } catch {
                throw wrap(error)
            }
        }
        do {
            try files.createDirectory(atPath: location.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try files.createDirectory(atPath: location.blobs, withIntermediateDirectories: true)
        } catch {
            throw .io(path: location.directory, reason: (error as NSError).localizedDescription)
        }
        try KeyFile.create(identity, at: location.keyFile)
        do {
            let store = try opened ?? Store.open(at: location.database, clock: clock, searchableFields: Searchable.fields)
            try store.setMetadata("name", to: name)
            try store.setMetadata("replica_id", to: identity.id.hex)
            return Replica(location: location, identity: identity, name: name, store: store, clock: clock)
        } catch {
            for path in [location.keyFile] + (database == nil ? [location.database, location.database + "-wal", location.database + "-shm"] : []) {
                try? files.removeItem(atPath: path)
            }
            throw wrap(error)
        }
    }

    /// Opens an existing replica: its store in the directory or, given `database`
    /// (`postgres://USER@HOST/DB`), in that PostgreSQL database.
    ///
    /// A store this process cannot write is opened read-only (see `Store.open`): read commands
    /// work, and a write fails with `StoreError.readOnly`. `concurrentReads` (the central service)
    /// gives a SQLite store a pool of read connections beside its writer, so exports and queries
    /// never wait for an import in progress; a PostgreSQL store always has one.
    ///
    /// - Throws: `FieldAuditError.noReplica` if there is none; `.keyFileExposed` if the key file
    ///   is readable by others; `.keyMismatch` if the key belongs to another replica; `.store` if
    ///   the store cannot be opened (`StoreError.damaged` for a damaged or emptied file).
    public static func open(
        at location: StoreLocation, clock: any WallClock = SystemClock(), database: String? = nil, concurrentReads: Bool = false
    ) throws(FieldAuditError) -> Replica {
        let file = database == nil ? location.database : location.keyFile
        guard FileManager.default.fileExists(atPath: file) else { throw .noReplica(path: location.directory) }
        let identity = try KeyFile.load(from: location.keyFile)
        // SQLite would take an empty file for a new store and write a fresh schema into it.
        if database == nil, (try? FileManager.default.attributesOfItem(atPath: location.database)[.size] as? Int) == 0 {
            throw .store(.damaged(path: location.database, reason: "the file is empty: it was truncated"))
        }
        let store: any ChangeStorage
        let name: String
        do {
            if let database {
                store = try PostgresStore.open(url: database, clock: clock, searchableFields: Searchable.fields)
            } else {
                store = try Store.open(at: location.database, clock: clock, searchableFields: Searchable.fields, concurrentReads: concurrentReads)
            }
            let recorded = try store.metadata("replica_id")
            if database != nil, recorded == nil { throw FieldAuditError.noReplica(path: store.path) }
            if let recorded, recorded != identity.id.hex {
                throw FieldAuditError.keyMismatch(
                    path: location.keyFile, store: (try? ReplicaID(hex: recorded)) ?? identity.id, key: identity.id)
            }
            name = try store.metadata("name") ?? ""
        } catch let error as FieldAuditError {
            throw error
        } catch {
            throw .store(error as? StoreError ?? .unexpected("\(error)"))
        }
        return Replica(location: location, identity: identity, name: name, store: store, clock: clock)
    }

    /// Whether writes to this replica's store may run at once on several threads, each in its own
    /// transaction, the store keeping them apart (PostgreSQL: writers lock only the origins,
    /// engagements and peers they touch); `false` for SQLite, whose writes take turns.
    public var writesConcurrently: Bool { store is PostgresStore }

    /// Whether reads of this replica's store run beside a write in progress, each in a snapshot
    /// of its own (PostgreSQL, and SQLite opened with `concurrentReads`).
    public var readsConcurrently: Bool { store is PostgresStore || (store as? Store)?.readsConcurrently == true }

    /// This replica's public identity card.
    public var card: IdentityCard { IdentityCard(name: name, identity: identity) }

    /// Runs a store operation, wrapping its error.
    func perform<T>(_ body: () throws(StoreError) -> T) throws(FieldAuditError) -> T {
        do { return try body() } catch { throw .store(error) }
    }

    /// The wall clock's time, Unix milliseconds.
    var now: Int64 { Int64(clock.now()) }
}
