import Replication

/// Turns frame payloads back into records, mirroring `FrameEncoder`'s delta and reference state,
/// and checks each record against the header and the format's rules.
struct FrameDecoder {
    private let header: BundleHeader
    private var previousSeq: [UInt64]
    private var previousStamp: [UInt64]
    private var previousEntityTime: UInt64 = 0
    private var names = ReferenceDecoder<String>(capacity: BundleLayout.nameTableCapacity)
    /// Entities, with the kind and engagement they entered the table with.
    private var entities = ReferenceDecoder<KnownEntity>(capacity: BundleLayout.entityTableCapacity)
    /// Each range's index, by origin: a checkpoint must sign an origin the header has a range for.
    private let rangeIndex: [ReplicaID: Int]
    /// The checkpoints read so far, per range (at most `BundleLayout.maximumCheckpointsPerOrigin`
    /// each): a copy of one already verified is not verified again.
    private var checkpoints: [[Checkpoint]]
    /// How many checkpoint signatures were verified, for the tests that bound the work.
    private(set) var signatureChecks = 0

    init(header: BundleHeader) {
        self.header = header
        previousSeq = header.ranges.map(\.after)
        previousStamp = Array(repeating: 0, count: header.ranges.count)
        rangeIndex = Dictionary(uniqueKeysWithValues: header.ranges.enumerated().map { ($1.origin, $0) })
        checkpoints = Array(repeating: [], count: header.ranges.count)
    }

    /// Reads a frame's origin index and seq delta (fields 1–2 of change and redacted frames),
    /// checks the seq against the origin's range and makes it the range's previous seq.
    private mutating func readPosition(_ cursor: inout ByteCursor, frame: Int) throws(BundleError) -> (origin: Int, id: ChangeID) {
        let originNumber = try cursor.varint("origin index")
        guard originNumber < UInt64(header.ranges.count) else {
            throw cursor.fail("origin index \(originNumber) names no range of the header's \(header.ranges.count)")
        }
        let origin = Int(originNumber)
        let range = header.ranges[origin]
        let seq = previousSeq[origin] &+ UInt64(bitPattern: try cursor.zigzag("seq delta"))
        let id = ChangeID(origin: range.origin, seq: seq)
        guard range.contains(seq) else {
            throw .outsideHeader(frame: frame, change: id, reason: "its seq is outside \(range)")
        }
        previousSeq[origin] = seq
        return (origin, id)
    }

    /// Decodes a redacted-change frame's payload.
    mutating func decodeRedacted(_ cursor: inout ByteCursor, frame: Int) throws(BundleError) -> (ChangeID, ContentDigest) {
        let (_, id) = try readPosition(&cursor, frame: frame)
        let content = try cursor.take(32, "redacted change's content digest", as: { try ContentDigest(bytes: $0) })
        try cursor.expectEnd("the redacted change")
        return (id, content)
    }

    /// Decodes a change frame's payload.
    mutating func decodeChange(_ cursor: inout ByteCursor, frame: Int) throws(BundleError) -> Change {
        let (origin, id) = try readPosition(&cursor, frame: frame)
        let range = header.ranges[origin]
        let seq = id.seq
        let stamp = try readStamp(&cursor, after: previousStamp[origin])
        previousStamp[origin] = stamp
        let transactionGap = try cursor.varint("transaction")
        guard transactionGap < seq else {
            throw .invalidChange(frame: frame, .invalidChange(id, reason: "its transaction lies below 1"))
        }
        let (entity, kind, engagement) = try readEntity(&cursor)
        let field = try readName(&cursor, "field name")
        let value = try readValue(&cursor)
        let supersedeCount = try cursor.length("supersedes count", limit: cursor.remaining / 2)
        var supersedes: [ChangeID] = []
        supersedes.reserveCapacity(supersedeCount)
        for _ in 0..<supersedeCount {
            let code = try cursor.varint("superseded origin")
            let rangeCount = UInt64(header.ranges.count)
            if code == 0 {
                supersedes.append(ChangeID(origin: range.origin, seq: seq &- UInt64(bitPattern: try cursor.zigzag("superseded seq"))))
            } else if code <= rangeCount {
                guard Int(code - 1) != origin else {
                    throw cursor.fail("superseded origin code \(code) names the change's own origin, which is written as code 0")
                }
                supersedes.append(ChangeID(origin: header.ranges[Int(code - 1)].origin, seq: try cursor.varint("superseded seq")))
            } else if code == rangeCount + 1 {
                let other = try cursor.take(ReplicaID.byteCount, "superseded origin", as: { try ReplicaID(bytes: $0) })
                guard rangeIndex[other] == nil else {
                    throw cursor.fail("superseded origin \(other) is written in full, but it has a range in the header, so it is written as its range code")
                }
                supersedes.append(ChangeID(origin: other, seq: try cursor.varint("superseded seq")))
            } else {
                throw cursor.fail("superseded origin code \(code) is undefined")
            }
        }
        for (earlier, later) in zip(supersedes, supersedes.dropFirst()) where !(earlier < later) {
            throw cursor.fail("superseded ids must be strictly ascending")
        }
        try cursor.expectEnd("the change")
        let change = Change(
            origin: range.origin, seq: seq, stamp: Timestamp(rawValue: stamp), transaction: seq - transactionGap,
            engagement: engagement, kind: kind, entity: entity, field: field, value: value,
            supersedes: supersedes)
        do {
            try change.validate()
        } catch {
            throw .invalidChange(frame: frame, error)
        }
        return change
    }

    private mutating func readName(_ cursor: inout ByteCursor, _ what: String) throws(BundleError) -> String {
        let reference = try cursor.varint(what)
        if reference > 0 {
            guard let name = names.value(at: reference) else { throw cursor.fail("\(what) reference \(reference) names nothing") }
            return name
        }
        let length = try cursor.length("length of \(what)", limit: BundleLayout.maximumNameLength)
        guard length > 0 else { throw cursor.fail("\(what) is empty") }
        let name = try cursor.utf8(length, what)
        names.insert(name)
        return name
    }

    /// Reads the entity, and its kind and engagement: written in full with a new entity, taken
    /// from the table for a known one unless the code's low bit says they follow.
    private mutating func readEntity(_ cursor: inout ByteCursor) throws(BundleError) -> (EntityID, String, EntityID) {
        let code = try cursor.varint("entity")
        if code == 0 {
            let time = previousEntityTime &+ UInt64(bitPattern: try cursor.zigzag("entity id time"))
            guard time <= Timestamp.maxMilliseconds else { throw cursor.fail("the entity id's time is above 2^48 − 1") }
            previousEntityTime = time
            var bytes = (0..<6).map { UInt8(truncatingIfNeeded: time >> (8 * (5 - UInt64($0)))) }
            bytes += try cursor.take(EntityID.byteCount - 6, "entity id")
            let entity = try! EntityID(bytes: bytes)
            let kind = try readName(&cursor, "entity kind")
            let engagement = try readEngagementIndex(&cursor)
            entities.insert(KnownEntity(entity: entity, kind: kind, engagement: engagement))
            return (entity, kind, header.engagements[Int(engagement)])
        }
        guard let known = entities.value(at: code / 2) else { throw cursor.fail("entity reference \(code / 2) names nothing") }
        let knownEngagement = header.engagements[Int(known.engagement)]
        guard code & 1 == 1 else { return (known.entity, known.kind, knownEngagement) }
        // The table entry keeps the kind and engagement it entered with (§13.4, field 6).
        let (kind, engagement) = (try readName(&cursor, "entity kind"), try readEngagement(&cursor))
        guard Array(kind.utf8) != Array(known.kind.utf8) || engagement != knownEngagement else {
            throw cursor.fail("entity code \(code) repeats the kind and engagement the entity entered the table with, which code \(code - 1) says")
        }
        return (known.entity, kind, engagement)
    }

    private func readEngagement(_ cursor: inout ByteCursor) throws(BundleError) -> EntityID {
        header.engagements[Int(try readEngagementIndex(&cursor))]
    }

    /// Reads an index into the header's engagements, checked.
    private func readEngagementIndex(_ cursor: inout ByteCursor) throws(BundleError) -> UInt32 {
        let index = try cursor.varint("engagement index")
        guard index < UInt64(header.engagements.count) else {
            throw cursor.fail("engagement index \(index) names none of the header's \(header.engagements.count) engagements")
        }
        return UInt32(index)
    }

    /// Reads a stamp written as a millisecond delta and a counter (see `FrameEncoder`).
    private func readStamp(_ cursor: inout ByteCursor, after previous: UInt64) throws(BundleError) -> UInt64 {
        let delta = try cursor.zigzag("stamp milliseconds")
        let milliseconds = (previous >> 16) &+ UInt64(bitPattern: delta)
        let counter = (delta == 0 ? Int64(previous & 0xffff) : 0) &+ (try cursor.zigzag("stamp counter"))
        guard milliseconds <= Timestamp.maxMilliseconds, (0...0xffff).contains(counter) else {
            throw cursor.fail("the stamp's milliseconds or counter are out of range")
        }
        return milliseconds << 16 | UInt64(counter)
    }

    private func readValue(_ cursor: inout ByteCursor) throws(BundleError) -> Value {
        let tagByte = try cursor.byte("value type")
        guard let tag = Value.Tag(rawValue: tagByte) else { throw cursor.fail("value type \(tagByte) is undefined") }
        switch tag {
        case .null:
            return .null
        case .integer:
            return .integer(try cursor.zigzag("integer value"))
        case .real:
            return .real(Double(bitPattern: try cursor.bigEndian(8, "real value")))
        case .text:
            return .text(try cursor.utf8(try cursor.length("text length", limit: BundleLayout.maximumFrameLength), "text value"))
        case .json:
            return .json(try cursor.utf8(try cursor.length("JSON length", limit: BundleLayout.maximumFrameLength), "JSON value"))
        case .bytes:
            return .bytes(Array(try cursor.take(try cursor.length("bytes length", limit: BundleLayout.maximumFrameLength), "bytes value")))
        case .blob:
            return .blob(try cursor.take(32, "blob digest", as: { try BlobDigest(bytes: $0) }))
        }
    }

    /// Decodes a blob chunk frame's payload.
    func decodeBlobChunk(_ cursor: inout ByteCursor) throws(BundleError) -> BlobChunk {
        guard header.includesEvidence else { throw cursor.fail("a blob chunk in a bundle whose header says it has no evidence") }
        let digest = try cursor.take(32, "blob digest", as: { try BlobDigest(bytes: $0) })
        let totalSize = try cursor.varint("blob size")
        let offset = try cursor.varint("chunk offset")
        let count = cursor.remaining
        guard count <= BundleLayout.maximumBlobChunkLength else {
            throw cursor.tooLarge("blob chunk length", found: UInt64(count), limit: BundleLayout.maximumBlobChunkLength)
        }
        let chunk = BlobChunk(digest: digest, totalSize: totalSize, offset: offset, bytes: Array(try cursor.take(count, "chunk bytes")))
        if let problem = chunk.problem { throw cursor.fail(problem) }
        return chunk
    }

    /// Decodes a checkpoint frame's payload and checks it (`Sync/PROTOCOL.md` §13.6, §15), cheap
    /// checks first: its origin has a range in the header and its seq is not beyond the range's
    /// `through`; the origin has no more than `BundleLayout.maximumCheckpointsPerOrigin`
    /// checkpoints in the bundle; then the signature, verified once per distinct checkpoint.
    mutating func decodeCheckpoint(_ cursor: inout ByteCursor, frame: Int) throws(BundleError) -> Checkpoint {
        let key = Array(try cursor.take(32, "signer public key"))
        let seq = try cursor.varint("checkpoint seq")
        let hash = try cursor.take(32, "checkpoint hash", as: { try ChangeHash(bytes: $0) })
        let signature = Array(try cursor.take(64, "checkpoint signature"))
        try cursor.expectEnd("the checkpoint")
        if let problem = Checkpoint.problem(signerPublicKey: key, seq: seq, signature: signature) { throw cursor.fail(problem) }
        let checkpoint = try! Checkpoint(signerPublicKey: key, seq: seq, hash: hash, signature: signature)
        guard let range = rangeIndex[checkpoint.origin] else {
            throw cursor.fail("the checkpoint signs origin \(checkpoint.origin), which has no range in the header")
        }
        guard seq <= header.ranges[range].through else {
            throw cursor.fail("the checkpoint signs seq \(seq), beyond the origin's range \(header.ranges[range])")
        }
        guard checkpoints[range].count < BundleLayout.maximumCheckpointsPerOrigin else {
            throw cursor.tooLarge(
                "the number of checkpoints signed by \(checkpoint.origin.short)", found: UInt64(checkpoints[range].count + 1),
                limit: BundleLayout.maximumCheckpointsPerOrigin)
        }
        if !checkpoints[range].contains(checkpoint) {
            signatureChecks += 1
            guard checkpoint.isValid else { throw .forgedCheckpoint(origin: checkpoint.origin, seq: seq, frame: frame) }
        }
        checkpoints[range].append(checkpoint)
        return checkpoint
    }

    /// Decodes the end frame's payload.
    static func decodeEnd(_ cursor: inout ByteCursor) throws(BundleError) -> BundleSummary {
        var summary = BundleSummary()
        summary.changes = try cursor.varint("change count")
        summary.blobChunks = try cursor.varint("blob chunk count")
        summary.blobBytes = try cursor.varint("blob byte count")
        summary.checkpoints = try cursor.varint("checkpoint count")
        try cursor.expectEnd("the end frame")
        return summary
    }
}

/// An entity in the decoder's reference table, with the kind and engagement it entered with: the
/// engagement as its index among the header's, so an entry takes 40 bytes rather than 48. A full
/// table (65,536 entities) takes 2.5 MiB, and an importer holds two tables at once while its
/// verification pass reads beside its apply pass.
private struct KnownEntity {
    let entity: EntityID
    let kind: String
    /// The engagement's index in the header's `engagements`.
    let engagement: UInt32
}
