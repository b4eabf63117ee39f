import Foundation
import Replication

/// A replica's version vector written to a file (`fieldaudit vector -o FILE`), for a peer to
/// export against (`fieldaudit export --since FILE`).
public struct VectorFile: Codable, Sendable {
    /// The version this build writes and reads.
    public static let currentVersion = 1
    static let formatName = "fieldaudit-vector"

    /// The vector file format's name, checked when a file is read.
    public var format = VectorFile.formatName
    /// The format's version; a newer one is refused with `unsupportedVersion`.
    public var version = VectorFile.currentVersion
    /// The replica whose holdings these are.
    public var replica: String
    /// Per origin (32 hex digits), the highest seq held without gaps.
    public var vector: [String: UInt64]

    /// The vector file of `replica`, holding `vector`.
    public init(replica: ReplicaID, vector: VersionVector) {
        self.replica = replica.hex
        self.vector = Dictionary(uniqueKeysWithValues: vector.sorted.map { ($0.origin.hex, $0.seq) })
    }

    /// The vector as a value.
    public func versionVector(path: String) throws(FieldAuditError) -> VersionVector {
        var vector = VersionVector()
        for (origin, seq) in self.vector {
            guard let id = try? ReplicaID(hex: origin) else { throw .invalidVectorFile(path: path, reason: "'\(origin)' is not a replica id") }
            vector[id] = seq
        }
        return vector
    }

    /// The JSON, pretty-printed with sorted keys.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try! encoder.encode(self)) + Data("\n".utf8)
    }

    /// Reads a vector file.
    public static func load(from path: String) throws(FieldAuditError) -> VectorFile {
        let data = try InputFile.contents(of: path)
        return try decode(data, source: path)
    }

    /// Reads a vector file's JSON, received from `source` (a file or a request).
    public static func decode(_ data: Data, source path: String) throws(FieldAuditError) -> VectorFile {
        struct Header: Decodable { var format: String?; var version: Int? }
        guard let header = try? JSONDecoder().decode(Header.self, from: data), header.format == formatName else {
            throw .invalidVectorFile(path: path, reason: "it is not a FieldAudit vector file")
        }
        if let version = header.version, version > currentVersion {
            throw .unsupportedVersion(what: "vector file", path: path, found: version, supported: currentVersion)
        }
        guard let file = try? JSONDecoder().decode(VectorFile.self, from: data) else {
            throw .invalidVectorFile(path: path, reason: "a field is missing or has the wrong type")
        }
        return file
    }
}
