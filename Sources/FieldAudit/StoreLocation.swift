/// Where a replica keeps its files: a directory holding the SQLite store, the private key and the
/// evidence blobs.
///
/// Resolved in this order: an explicit path (`--store`), `FIELDAUDIT_STORE`,
/// `$XDG_DATA_HOME/fieldaudit`, then `~/.local/share/fieldaudit`.
public struct StoreLocation: Hashable, Sendable, CustomStringConvertible {
    /// The directory.
    public let directory: String

    /// The location of a replica in `directory`.
    public init(directory: String) {
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    }

    /// Resolves the location from an explicit path and the environment.
    public static func resolve(explicit: String?, environment: [String: String]) -> StoreLocation {
        if let explicit, !explicit.isEmpty { return StoreLocation(directory: explicit) }
        if let configured = environment["FIELDAUDIT_STORE"], !configured.isEmpty { return StoreLocation(directory: configured) }
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") { return StoreLocation(directory: data + "/fieldaudit") }
        return StoreLocation(directory: (environment["HOME"] ?? ".") + "/.local/share/fieldaudit")
    }

    /// The SQLite database.
    public var database: String { directory + "/replica.sqlite" }
    /// The Ed25519 private key, mode 0600.
    public var keyFile: String { directory + "/identity.key" }
    /// The content-addressed evidence files.
    public var blobs: String { directory + "/blobs" }

    /// The directory.
    public var description: String { directory }
}
