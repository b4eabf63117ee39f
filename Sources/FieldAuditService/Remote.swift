import FieldAudit
import Foundation
import Replication

/// A central repository this replica syncs with, its key pinned when it was added.
public struct Remote: Codable, Sendable, Equatable {
    /// The name the user gave it (`central`, `cb-leeds`, …).
    public var name: String
    /// Its base address, `http://` or `https://`, without a trailing slash.
    public var url: String
    /// Its replica id, 32 hex digits: a sync with a server presenting another is refused.
    public var replicaID: String
    /// Its Ed25519 public key, base64.
    public var publicKey: String
    /// Its key's fingerprint, as shown when it was pinned.
    public var fingerprint: String
    /// The name on its identity card.
    public var serverName: String

    /// The remote for a central whose card was fetched from `url`.
    public init(name: String, url: String, card: IdentityCard) {
        self.name = name
        self.url = CentralClient.normalized(url)
        self.replicaID = card.replicaID
        self.publicKey = card.publicKey
        self.fingerprint = card.fingerprint
        self.serverName = card.name
    }

    /// The pinned replica id.
    public var replica: ReplicaID {
        get throws(ServiceError) {
            guard let id = try? ReplicaID(hex: replicaID) else {
                throw .remotesFile(path: "remotes.json", reason: "remote '\(name)' has no valid replica id")
            }
            return id
        }
    }

    /// Checks that a remote's name is 1 to 64 letters, digits, `.`, `_` or `-` (it names files).
    public static func validate(name: String) throws(ServiceError) {
        guard (1...64).contains(name.utf8.count), name.first != ".",
              name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) })
        else { throw .invalidRemoteName(name) }
    }

    /// Checks that `text` is an `http://` or `https://` address with a host.
    public static func validate(url text: String) throws(ServiceError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil
        else { throw .invalidURL(text) }
    }
}
