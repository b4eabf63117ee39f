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
    private var previousEntityTime: UInt64 = 0
    private var names = ReferenceEncoder<[UInt8], Void>(capacity: BundleLayout.nameTableCapacity)
    /// Entities, with the kind (UTF-8) and engagement they entered the table with.
    private var entities = ReferenceEncoder<EntityID, (kind: [UInt8], engagement: EntityID)>(
        capacity: BundleLayout.entityTableCapacity)

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

    /// Why a redacted change cannot go into this bundle, or `nil`.
    func problem(withRedacted id: ChangeID, header: BundleHeader) -> String? {
        guard let index = originIndex[id.origin], header.ranges[index].contains(id.seq) else {
            return "change \(id) lies outside the header's origin ranges"
        }
        return nil
    }

    /// The payload of a redacted-change frame: origin index, seq delta (as for changes), content digest.
    mutating func encodeRedacted(_ id: ChangeID, content: ContentDigest) -> [UInt8] {
        var out = ByteWriter(capacity: 48)
        let origin = originIndex[id.origin]!
        out.write(varint: UInt64(origin))
        out.write(zigzag: Int64(bitPattern: id.seq &- previousSeq[origin]))
        previousSeq[origin] = id.seq
        out.write(raw: content.bytes)
        return out.bytes
    }

    /// The payload of a change frame; `change` must have passed `problem(with:header:)`.
    mutating func encode(_ change: Change) -> [UInt8] {
        var out = ByteWriter(capacity: 96)
        let origin = originIndex[change.origin]!
        out.write(varint: UInt64(origin))
        out.write(zigzag: Int64(bitPattern: change.seq &- previousSeq[origin]))
        writeStamp(change.stamp.rawValue, after: previousStamp[origin], to: &out)
        previousSeq[origin] = change.seq
        previousStamp[origin] = change.stamp.rawValue
        out.write(varint: change.seq - change.transaction)
        let kind = Array(change.kind.utf8)
        if let (reference, context) = entities.lookup(change.entity) {
            let same = context.kind == kind && context.engagement == change.engagement
            out.write(varint: reference * 2 + (same ? 0 : 1))
            if !same {
                writeName(change.kind, to: &out)
                out.write(varint: UInt64(engagementIndex[change.engagement]!))
            }
        } else {
            out.write(varint: 0)
            // UUIDv7: the first 6 bytes are milliseconds, written as a change from the previous new entity's.
            let time = change.entity.milliseconds
            out.write(zigzag: Int64(bitPattern: time &- previousEntityTime))
            out.write(raw: change.entity.bytes[6...])
            previousEntityTime = time
            writeName(change.kind, to: &out)
            out.write(varint: UInt64(engagementIndex[change.engagement]!))
            entities.insert(change.entity, context: (kind, change.engagement))
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

    /// Writes a stamp as the change in milliseconds since the origin's previous stamp (zigzag),
    /// then the counter: as a change from the previous counter (zigzag) when the milliseconds are
    /// the same, else as itself.
    private func writeStamp(_ stamp: UInt64, after previous: UInt64, to out: inout ByteWriter) {
        let milliseconds = Int64(bitPattern: (stamp >> 16) &- (previous >> 16))
        out.write(zigzag: milliseconds)
        let counter = Int64(stamp & 0xffff), previousCounter = Int64(previous & 0xffff)
        out.write(zigzag: milliseconds == 0 ? counter - previousCounter : counter)
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
