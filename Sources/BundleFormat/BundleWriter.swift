import Crypto
import Replication

/// Writes one bundle to a sink, record by record, in bounded memory.
///
/// The writer writes the header at once, then buffers frames up to 64 KiB, compresses them with
/// zlib, seals the compressed pieces if the bundle is sealed, and hands the result to the sink;
/// `finish()` writes the end frame and the signed trailer. It never holds more than one frame and
/// a few 64 KiB buffers, whatever the bundle's size.
///
/// Records are checked before anything of them is written: a refused record
/// (`BundleError.refused`) leaves the bundle as it was, and writing can go on. An error from the
/// sink leaves the bundle unfinished: discard it.
///
/// ```swift
/// let writer = try BundleWriter(header: header, exporter: identity, sink: FileHandleSink(handle))
/// for change in changes { try writer.append(change) }
/// try writer.append(Checkpoint.sign(seq: last.seq, hash: lastHash, by: identity))
/// let summary = try writer.finish()
/// ```
public final class BundleWriter<Sink: ByteSink> {
    /// The header as written (with its seal, when sealed).
    public let header: BundleHeader
    /// The sink, holding what has been written so far.
    public private(set) var sink: Sink

    private let exporter: ReplicaIdentity
    private let deflater: Deflater
    private var encoder: FrameEncoder
    private var hasher = SHA256()
    private var summary = BundleSummary()
    private var pending: [UInt8] = []
    private var sealer: Sealer?
    private var state = State.open

    private enum State { case open, finished, failed }

    private struct Sealer {
        let key: SymmetricKey
        let headerDigest: [UInt8]
        var buffer: [UInt8] = []
        var index: UInt64 = 0
    }

    /// Starts a bundle: checks the header and writes it to `sink`.
    ///
    /// - Parameters:
    ///   - header: what the bundle covers; its exporter key must be `exporter`'s.
    ///   - exporter: the identity that signs the trailer.
    ///   - sink: where the bytes go.
    ///   - sealing: seal the body for these recipients; `nil` writes a plain body.
    ///   - compressionLevel: zlib's level, 1 (fastest) to 9 (smallest); 6 is zlib's default.
    /// - Throws: `BundleError.refused` for a header that breaks the format's rules, `io` from the sink.
    public init(
        header: BundleHeader, exporter: ReplicaIdentity, sink: Sink, sealing: BundleSealing? = nil,
        compressionLevel: Int = 6
    ) throws(BundleError) {
        guard header.exporterPublicKey == Array(exporter.publicKey.rawRepresentation) else {
            throw .refused(reason: "the header names exporter \(header.exporter), not the signing identity \(exporter.id)")
        }
        guard (1...9).contains(compressionLevel) else { throw .refused(reason: "compression level must be 1 to 9") }
        var header = header
        // A header read from a sealed bundle carries that bundle's seal: never reuse it.
        header.seal = nil
        header.capabilities.removeAll { $0.name == BundleCapability.sealedBody.name }
        if let sealing {
            header.capabilities.append(.sealedBody)
            header.seal = try sealing.seal(exporterPublicKey: header.exporterPublicKey)
        }
        if let problem = header.problemForWriting() { throw .refused(reason: problem) }
        self.header = header
        self.sink = sink
        self.exporter = exporter
        self.deflater = try Deflater(level: Int32(compressionLevel))
        self.encoder = FrameEncoder(header: header)
        let headerBytes = header.encoded()
        guard headerBytes.count - 14 <= BundleLayout.maximumHeaderLength else {
            throw .refused(reason: "the header takes \(headerBytes.count) bytes, above the limit of \(BundleLayout.maximumHeaderLength)")
        }
        if let sealing {
            sealer = Sealer(key: sealing.contentKey, headerDigest: Array(SHA256.hash(data: headerBytes)))
        }
        pending.reserveCapacity(BundleLayout.streamChunkLength * 2)
        try emit(headerBytes[...])
    }

    // MARK: - Records

    /// Appends a change.
    ///
    /// - Throws: `refused` if the change is invalid (`Change.validate()`), belongs to an engagement
    ///   the header does not list, lies outside the header's origin ranges, or is larger than a frame.
    public func append(_ change: Change) throws(BundleError) {
        try checkOpen()
        if let problem = encoder.problem(with: change, header: header) { throw .refused(reason: problem) }
        try writeFrame(.change, encoder.encode(change))
        summary.changes += 1
    }

    /// Appends a change withheld from the receiving peer: its id and content digest only.
    ///
    /// - Throws: `refused` if the id lies outside the header's origin ranges.
    public func appendRedacted(_ id: ChangeID, content: ContentDigest) throws(BundleError) {
        try checkOpen()
        if let problem = encoder.problem(withRedacted: id, header: header) { throw .refused(reason: problem) }
        try writeFrame(.redacted, encoder.encodeRedacted(id, content: content))
        summary.changes += 1
    }

    /// Appends a piece of an evidence file: `bytes` are the file's bytes from `offset`.
    ///
    /// Split a file into chunks of at most `BundleLayout.maximumBlobChunkLength` bytes.
    ///
    /// - Throws: `refused` if the header says the bundle has no evidence, or the chunk is too large
    ///   or lies beyond `totalSize`.
    public func appendBlobChunk(digest: BlobDigest, totalSize: UInt64, offset: UInt64, bytes: [UInt8]) throws(BundleError) {
        try checkOpen()
        guard header.includesEvidence else { throw .refused(reason: "the header says the bundle carries no evidence") }
        let chunk = BlobChunk(digest: digest, totalSize: totalSize, offset: offset, bytes: bytes)
        if let problem = chunk.problem { throw .refused(reason: problem) }
        try writeFrame(.blobChunk, FrameEncoder.encode(chunk))
        summary.blobChunks += 1
        summary.blobBytes += UInt64(bytes.count)
    }

    /// Appends an origin's checkpoint.
    ///
    /// - Throws: `refused` if its signature does not verify.
    public func append(_ checkpoint: Checkpoint) throws(BundleError) {
        try checkOpen()
        guard checkpoint.isValid else { throw .refused(reason: "checkpoint \(checkpoint) is not validly signed") }
        try writeFrame(.checkpoint, FrameEncoder.encode(checkpoint))
        summary.checkpoints += 1
    }

    /// Writes the end frame, ends the compressed body and writes the trailer: the SHA-256 of every
    /// byte before it and the exporter's signature of that digest.
    ///
    /// - Returns: the counts, digest and size of the bundle.
    @discardableResult
    public func finish() throws(BundleError) -> BundleSummary {
        try checkOpen()
        try writeFrame(.end, FrameEncoder.encodeEnd(summary))
        try endBodyAndSign()
        return summary
    }

    /// The bytes written so far, for progress reports.
    public var bytesWritten: UInt64 { summary.byteCount }

    // MARK: - Internals for hostile-bundle tests

    /// Writes a frame of any type and payload, unchecked: only tests make malformed bundles.
    func appendRawFrame(type: UInt8, payload: [UInt8]) throws(BundleError) {
        var frame = ByteWriter(capacity: payload.count + 6)
        frame.write(type)
        frame.write(varint: UInt64(payload.count))
        frame.write(raw: payload)
        try appendRawBody(frame.bytes)
    }

    /// Writes any bytes into the body before compression, unchecked: only tests make malformed bundles.
    func appendRawBody(_ bytes: [UInt8]) throws(BundleError) {
        try checkOpen()
        try guarded { () throws(BundleError) in
            pending.append(contentsOf: bytes)
            if pending.count >= BundleLayout.streamChunkLength { try compressPending(finish: false) }
        }
    }

    /// Ends the body and signs it without writing an end frame: only tests make malformed bundles.
    func finishWithoutEndFrame() throws(BundleError) {
        try checkOpen()
        try endBodyAndSign()
    }

    // MARK: - Private

    /// Ends the compressed stream, seals its last chunk, and writes the trailer.
    private func endBodyAndSign() throws(BundleError) {
        try guarded { () throws(BundleError) in
            try compressPending(finish: true)
            if let sealer {
                try emit(SealedChunk.seal(sealer.buffer[...], index: sealer.index, isLast: true, key: sealer.key, headerDigest: sealer.headerDigest)[...])
                self.sealer = nil
            }
            let digest = Array(hasher.finalize())
            let signature = exporter.sign(BundleLayout.bundleSignatureDomain + digest)
            summary.digest = digest
            summary.byteCount += UInt64(BundleLayout.trailerLength)
            try sink.write((digest + signature)[...])
        }
        state = .finished
    }

    private func checkOpen() throws(BundleError) {
        switch state {
        case .open: return
        case .finished: throw .refused(reason: "the bundle is already finished")
        case .failed: throw .refused(reason: "an earlier write failed; the bundle is incomplete and must be discarded")
        }
    }

    /// Runs `body`, marking the writer failed if it throws.
    private func guarded(_ body: () throws(BundleError) -> Void) throws(BundleError) {
        do {
            try body()
        } catch {
            state = .failed
            throw error
        }
    }

    private func writeFrame(_ type: FrameType, _ payload: [UInt8]) throws(BundleError) {
        try appendRawFrame(type: type.rawValue, payload: payload)
    }

    private func compressPending(finish: Bool) throws(BundleError) {
        try deflater.compress(pending, finish: finish) { (piece) throws(BundleError) in try emitCompressed(piece) }
        pending.removeAll(keepingCapacity: true)
    }

    /// Passes compressed bytes on: straight to the output, or through the sealer's 64 KiB chunks.
    private func emitCompressed(_ piece: ArraySlice<UInt8>) throws(BundleError) {
        guard var sealer else { return try emit(piece) }
        // Take the buffer out of `self` while it grows, so it is not copied on write.
        self.sealer = nil
        defer { self.sealer = sealer }
        var rest = piece
        while !rest.isEmpty {
            // A chunk is sealed only once more bytes follow it, so the last chunk is never empty.
            if sealer.buffer.count == BundleLayout.sealedChunkLength {
                try emit(SealedChunk.seal(sealer.buffer[...], index: sealer.index, isLast: false, key: sealer.key, headerDigest: sealer.headerDigest)[...])
                sealer.buffer.removeAll(keepingCapacity: true)
                sealer.index += 1
            }
            let take = min(rest.count, BundleLayout.sealedChunkLength - sealer.buffer.count)
            sealer.buffer.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
        }
    }

    /// Writes bytes that the trailer's digest covers.
    private func emit(_ bytes: ArraySlice<UInt8>) throws(BundleError) {
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        summary.byteCount += UInt64(bytes.count)
        try sink.write(bytes)
    }
}
