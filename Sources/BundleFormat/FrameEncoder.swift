import Replication

/// Turns records into frame payloads (`Sync/PROTOCOL.md` §13), keeping the state that delta and
/// reference coding need: per origin the previous seq and stamp, and the reference tables.
///
/// The writer checks a record against the header before encoding it, since encoding updates that state.
struct FrameEncoder {
    private let originIndex: [ReplicaID: Int]
    private let engagementIndex: [EntityID: Int]
    private var previousSeq: [UInt64]
    private var previousStamp: [UInt64]
    private var names = ReferenceEncoder<[UInt8]>(capacity: BundleLayout.nameTableCapacity)
    private var entities = ReferenceEncoder<EntityID>(capacity: BundleLayout.entityTableCapacity)

    init(header: BundleHeader) {
        originIndex = Dictionary(uniqueKeysWithValues: header.ranges.enumerated().map { ($1.origin, $0) })
        engagementIndex = Dictionary(uniqueKeysWithValues: header.engagements.enumerated().map { ($1, $0) })
        previousSeq = header.ranges.map(\.after)
        previousStamp = Array(repeating: 0, count: header.ranges.count)
    }

    /// Why `change` cannot go into this bundle, or `nil`.
    func problem(with change: Change, header: BundleHeader) -> String? {
        do {
            try change.validate()
        } catch {
            return error.description
        }
        guard engagementIndex[change.engagement] != nil else {
            return "change \(change.id) belongs to engagement \(change.engagement), which the header does not list"
        }
        guard let index = originIndex[change.origin], header.ranges[index].contains(change.seq) else {
            return "change \(change.id) lies outside the header's origin ranges"
        }
        // A generous bound on the encoded size: small fields take at most ~600 bytes.
        let payload = switch change.value {
        case let .text(text), let .json(text): text.utf8.count
        case let .bytes(bytes): bytes.count
        default: 32
        }
        guard payload + change.supersedes.count * 30 + 600 <= BundleLayout.maximumFrameLength else {
            return "change \(change.id) is too large for one frame (\(BundleLayout.maximumFrameLength) bytes)"
        }
        return nil
    }

    /// The payload of a change frame; `change` must have passed `problem(with:header:)`.
    mutating func encode(_ change: Change) -> [UInt8] {
        var out = ByteWriter(capacity: 96)
        let origin = originIndex[change.origin]!
        out.write(varint: UInt64(origin))
        out.write(zigzag: Int64(bitPattern: change.seq &- previousSeq[origin]))
        out.write(zigzag: Int64(bitPattern: change.stamp.rawValue &- previousStamp[origin]))
        previousSeq[origin] = change.seq
        previousStamp[origin] = change.stamp.rawValue
        out.write(varint: change.seq - change.transaction)
        out.write(varint: UInt64(engagementIndex[change.engagement]!))
        writeName(change.kind, to: &out)
        if let reference = entities.reference(for: change.entity) {
            out.write(varint: reference)
        } else {
            out.write(varint: 0)
            out.write(raw: change.entity.bytes)
        }
        writeName(change.field, to: &out)
        out.write(change.value.tag.rawValue)
        switch change.value {
        case .null: break
        case let .integer(integer): out.write(zigzag: integer)
        case let .real(real): out.write(real.bitPattern)
        case let .text(text), let .json(text): out.write(varintPrefixed: text.utf8)
        case let .bytes(bytes): out.write(varintPrefixed: bytes)
        case let .blob(digest): out.write(raw: digest.bytes)
        }
        out.write(varint: UInt64(change.supersedes.count))
        for id in change.supersedes {
            if id.origin == change.origin {
                out.write(varint: 0)
                out.write(zigzag: Int64(bitPattern: change.seq &- id.seq))
            } else if let index = originIndex[id.origin] {
                out.write(varint: UInt64(index) + 1)
                out.write(varint: id.seq)
            } else {
                out.write(varint: UInt64(originIndex.count) + 1)
                out.write(raw: id.origin.bytes)
                out.write(varint: id.seq)
            }
        }
        return out.bytes
    }

    private mutating func writeName(_ name: String, to out: inout ByteWriter) {
        let utf8 = Array(name.utf8)
        if let reference = names.reference(for: utf8) {
            out.write(varint: reference)
        } else {
            out.write(varint: 0)
            out.write(varintPrefixed: utf8)
        }
    }

    /// The payload of a blob chunk frame.
    static func encode(_ chunk: BlobChunk) -> [UInt8] {
        var out = ByteWriter(capacity: 48 + chunk.bytes.count)
        out.write(raw: chunk.digest.bytes)
        out.write(varint: chunk.totalSize)
        out.write(varint: chunk.offset)
        out.write(raw: chunk.bytes)
        return out.bytes
    }

    /// The payload of a checkpoint frame.
    static func encode(_ checkpoint: Checkpoint) -> [UInt8] {
        var out = ByteWriter(capacity: 140)
        out.write(raw: checkpoint.signerPublicKey)
        out.write(varint: checkpoint.seq)
        out.write(raw: checkpoint.hash.bytes)
        out.write(raw: checkpoint.signature)
        return out.bytes
    }

    /// The payload of the end frame.
    static func encodeEnd(_ summary: BundleSummary) -> [UInt8] {
        var out = ByteWriter(capacity: 40)
        out.write(varint: summary.changes)
        out.write(varint: summary.blobChunks)
        out.write(varint: summary.blobBytes)
        out.write(varint: summary.checkpoints)
        return out.bytes
    }
}
