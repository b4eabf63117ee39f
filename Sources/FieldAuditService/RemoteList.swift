import FieldAudit
import Foundation

/// The remotes of a replica: `remotes.json` in its store directory, written atomically (a new
/// file renamed over the old one), so an interrupted write leaves the old list whole.
public struct RemoteList: Codable, Sendable, Equatable {
    /// The file format's version this build writes and reads.
    public static let currentVersion = 1
    static let formatName = "fieldaudit-remotes"

    /// The file's format name, `fieldaudit-remotes`.
    public var format = RemoteList.formatName
    /// The version the file was written in.
    public var version = RemoteList.currentVersion
    /// The remotes, in the order they were added.
    public var remotes: [Remote] = []

    /// A list of `remotes`.
    public init(remotes: [Remote] = []) {
        self.remotes = remotes
    }

    /// The file of a replica's remotes.
    public static func path(of location: StoreLocation) -> String {
        location.directory + "/remotes.json"
    }

    /// Reads a replica's remotes; none if the file does not exist.
    ///
    /// - Throws: `ServiceError.remotesFile` if it exists but is not a remotes file this build reads.
    public static func load(for location: StoreLocation) throws(ServiceError) -> RemoteList {
        let path = path(of: location)
        guard FileManager.default.fileExists(atPath: path) else { return RemoteList() }
        guard let data = FileManager.default.contents(atPath: path) else { throw .remotesFile(path: path, reason: "it cannot be read") }
        guard let list = try? JSONDecoder().decode(RemoteList.self, from: data), list.format == formatName else {
            throw .remotesFile(path: path, reason: "it is not a FieldAudit remotes file")
        }
        guard list.version <= currentVersion else {
            throw .remotesFile(path: path, reason: "it is of version \(list.version), but this fieldaudit reads up to \(currentVersion); upgrade fieldaudit")
        }
        return list
    }

    /// Writes the list atomically.
    public func save(for location: StoreLocation) throws(ServiceError) {
        let path = Self.path(of: location)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try (try encoder.encode(self) + Data("\n".utf8)).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .remotesFile(path: path, reason: error.localizedDescription)
        }
    }

    /// Adds a remote.
    ///
    /// - Throws: `ServiceError.remoteExists` if the name is taken; `.invalidRemoteName`.
    public mutating func add(_ remote: Remote) throws(ServiceError) {
        try Remote.validate(name: remote.name)
        if let existing = remotes.first(where: { $0.name == remote.name }) { throw .remoteExists(name: remote.name, url: existing.url) }
        remotes.append(remote)
    }

    /// Removes the remote named `name` and returns it.
    ///
    /// - Throws: `ServiceError.unknownRemote`.
    public mutating func remove(named name: String) throws(ServiceError) -> Remote {
        guard let index = remotes.firstIndex(where: { $0.name == name }) else { throw .unknownRemote(name: name, known: remotes.map(\.name)) }
        return remotes.remove(at: index)
    }

    /// The remote named `name`; without a name, the only one, or the one named `central`.
    public func remote(named name: String?) throws(ServiceError) -> Remote {
        if let name {
            guard let remote = remotes.first(where: { $0.name == name }) else { throw .unknownRemote(name: name, known: remotes.map(\.name)) }
            return remote
        }
        if remotes.count == 1 { return remotes[0] }
        if let central = remotes.first(where: { $0.name == "central" }) { return central }
        throw .whichRemote(known: remotes.map(\.name))
    }
}
