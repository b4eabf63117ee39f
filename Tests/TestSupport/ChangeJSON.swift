import Foundation
import Replication

/// The JSON spelling of changes used by the vectors in `Sync/vectors/`: every field explicit,
/// integers as decimal strings, bytes as hex, so a reader in any language can check them.
public struct ChangeJSON: Codable, Equatable, Sendable {
    public struct ValueJSON: Codable, Equatable, Sendable {
        public var type: String
        /// Text, JSON text, a decimal integer, a real's IEEE-754 bits as 16 hex digits, or hex bytes.
        public var value: String?
    }

    public struct IDJSON: Codable, Equatable, Sendable {
        public var origin: String
        public var seq: String
    }

    public var origin: String
    public var seq: String
    public var stamp: String
    public var transaction: String
    public var engagement: String
    public var kind: String
    public var entity: String
    public var field: String
    public var value: ValueJSON
    public var supersedes: [IDJSON]
    /// The canonical encoding, hex (see PROTOCOL.md §3.1).
    public var canonical: String?
    /// The content digest: SHA-256 of the canonical encoding, hex.
    public var content: String?
    /// The chain hash, hex.
    public var hash: String?

    public init(_ change: Change, previous: ChangeHash?) {
        origin = change.origin.hex
        seq = String(change.seq)
        stamp = String(change.stamp.rawValue)
        transaction = String(change.transaction)
        engagement = change.engagement.description
        kind = change.kind
        entity = change.entity.description
        field = change.field
        value = switch change.value {
        case .null: ValueJSON(type: "null")
        case let .integer(integer): ValueJSON(type: "integer", value: String(integer))
        case let .real(real): ValueJSON(type: "real", value: Hex.encode(withUnsafeBytes(of: real.bitPattern.bigEndian, Array.init)))
        case let .text(text): ValueJSON(type: "text", value: text)
        case let .bytes(bytes): ValueJSON(type: "bytes", value: Hex.encode(bytes))
        case let .blob(digest): ValueJSON(type: "blob", value: digest.hex)
        case let .json(text): ValueJSON(type: "json", value: text)
        }
        supersedes = change.supersedes.map { IDJSON(origin: $0.origin.hex, seq: String($0.seq)) }
        if let previous {
            canonical = Hex.encode(change.canonicalEncoding())
            content = change.contentDigest.hex
            hash = ChangeHash.of(change, after: previous).hex
        }
    }

    /// The change this JSON describes.
    public func change() throws -> Change {
        struct Bad: Error, CustomStringConvertible { var description: String }
        func number(_ text: String) throws -> UInt64 {
            guard let value = UInt64(text) else { throw Bad(description: "'\(text)' is not a decimal number") }
            return value
        }
        let decoded: Value
        switch value.type {
        case "null": decoded = .null
        case "integer": decoded = .integer(Int64(value.value ?? "") ?? 0)
        case "real": decoded = .real(Double(bitPattern: (Hex.decode(value.value ?? "") ?? []).reduce(0) { $0 << 8 | UInt64($1) }))
        case "text": decoded = .text(value.value ?? "")
        case "bytes": decoded = .bytes(Hex.decode(value.value ?? "") ?? [])
        case "blob": decoded = .blob(try BlobDigest(hex: value.value ?? ""))
        case "json": decoded = .json(value.value ?? "")
        default: throw Bad(description: "unknown value type \(value.type)")
        }
        return Change(
            origin: try ReplicaID(hex: origin), seq: try number(seq), stamp: Timestamp(rawValue: try number(stamp)),
            transaction: try number(transaction), engagement: try EntityID(engagement), kind: kind,
            entity: try EntityID(entity), field: field, value: decoded,
            supersedes: try supersedes.map { ChangeID(origin: try ReplicaID(hex: $0.origin), seq: try number($0.seq)) })
    }
}

/// The root of the package, found from this file's path.
public let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// Whether golden files should be re-recorded rather than compared (`RECORD_SNAPSHOTS=1`).
public var isRecordingSnapshots: Bool { ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" }
