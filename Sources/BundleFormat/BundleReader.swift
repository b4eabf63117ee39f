import Crypto
import Replication

/// Reads one bundle from a source, record by record, in bounded memory.
///
/// `init` reads and checks the header (the format version first of all); `next()` returns the
/// body's records in the order they were written and, after the last, checks the end frame, the
/// trailer's digest and the exporter's signature before returning `nil`. Records are therefore
/// unverified until `next()` has returned `nil`: a consumer that wants all or nothing reads the
/// bundle once to verify it, then a second time to apply it.
///
/// The reader holds at most one frame (≤ 16 MiB, and usually far less), a few 64 KiB buffers and
/// its bounded reference tables, whatever the bundle's size. Every failure is a `BundleError`;
/// once `next()` has thrown, it throws the same error again.
///
/// ```swift
/// let reader = try BundleReader(source: FileHandleSource(handle))
/// while let record = try reader.next() { … }
/// ```
public final class BundleReader<Source: ByteSource> {
    /// The header, as read from the file (trusted only once `next()` has returned `nil`).
    public let header: BundleHeader
    /// The counts, digest and size, once `next()` has returned `nil`.
    public private(set) var summary: BundleSummary?

    private var input: RawInput<Source>
    private let inflater: Inflater
    private var decoder: FrameDecoder
    private let headerDigest: [UInt8]
    private let agreementKey: AgreementKey?
    private var opener: Opener?
    private var body: [UInt8] = []
    private var bodyStart = 0
    private var bodyOffset = 0
    private var compressedEnded = false
    private var frameNumber = 0
    private var counts = BundleSummary()
    /// The redacted change frames read so far.
    public private(set) var redactedChanges: UInt64 = 0
    private var failure: BundleError?
    /// The most decompressed bytes buffered at once, for the memory-bound tests.
    private(set) var peakBufferedBytes = 0
    /// How many checkpoint signatures were verified, for the tests that bound the work.
    var checkpointSignatureChecks: Int { decoder.signatureChecks }

    private struct Opener {
        let key: SymmetricKey
        var plaintext: [UInt8] = []
        var position = 0
        var index: UInt64 = 0
        var sawLast = false
    }

    /// Reads the header from `source`.
    ///
    /// - Parameters:
    ///   - source: the bundle's bytes.
    ///   - agreementKey: the key that opens a sealed body; not needed for plain bundles, nor for
    ///     reading a sealed bundle's header.
    /// - Throws: `notABundle`, `unsupportedVersion` (before anything after the version is read),
    ///   `truncated`, `malformedHeader`, `exporterMismatch`, `unsupportedCapability`, `io`.
    public init(source: Source, agreementKey: AgreementKey? = nil) throws(BundleError) {
        var input = RawInput(source: source)
        let magic = try input.read(upTo: BundleLayout.magic.count)
        guard magic == Array(BundleLayout.magic.prefix(magic.count)) else { throw .notABundle(found: magic) }
        guard magic.count == BundleLayout.magic.count else { throw .truncated(what: "the magic", offset: magic.count) }
        let version = UInt16(try input.readBigEndian(2, what: "the format version"))
        guard version == BundleLayout.formatVersion else {
            throw .unsupportedVersion(found: version, newestSupported: BundleLayout.formatVersion)
        }
        let length = try input.readBigEndian(4, what: "the header length")
        guard length <= UInt64(BundleLayout.maximumHeaderLength) else {
            throw .malformedHeader(
                reason: "the header length \(length) is above the limit of \(BundleLayout.maximumHeaderLength)", offset: 10)
        }
        let fields = try input.readExactly(Int(length), what: "the header")
        self.header = try BundleHeader.decode(fields: fields, offset: 14)
        var headerBytes = ByteWriter(capacity: 14 + fields.count)
        headerBytes.write(raw: BundleLayout.magic)
        headerBytes.write(version)
        headerBytes.write(UInt32(length))
        headerBytes.write(raw: fields)
        self.headerDigest = Array(SHA256.hash(data: headerBytes.bytes))
        self.input = input
        self.inflater = try Inflater()
        self.decoder = FrameDecoder(header: header)
        self.agreementKey = agreementKey
    }

    /// The next record, or `nil` after the last one once the whole bundle has been verified.
    ///
    /// - Throws: any `BundleError` for a damaged, truncated, tampered or unreadable bundle, naming
    ///   the frame or byte where it was found; `sealed` or `notARecipient` for a sealed body this
    ///   reader cannot open.
    public func next() throws(BundleError) -> BundleRecord? {
        if let failure { throw failure }
        if summary != nil { return nil }
        do {
            return try readRecord()
        } catch {
            failure = error
            throw error
        }
    }

    /// The bytes of the file read so far, for progress reports.
    public var bytesRead: Int { input.offset }

    // MARK: - Frames

    private func readRecord() throws(BundleError) -> BundleRecord? {
        if let seal = header.seal, opener == nil {
            guard let agreementKey else { throw .sealed(recipients: seal.recipients.count) }
            let key = try seal.contentKey(for: agreementKey, exporterPublicKey: header.exporterPublicKey, headerOffset: 14)
            opener = Opener(key: key)
        }
        while true {
            frameNumber += 1
            let frameOffset = bodyOffset
            guard try ensure(1) else {
                throw .incompleteBody(afterFrame: frameNumber - 1, reason: "the body ends without an end frame")
            }
            let typeByte = body[bodyStart]
            guard let type = FrameType(rawValue: typeByte) else {
                throw .unknownFrameType(typeByte, frame: frameNumber, offset: frameOffset)
            }
            let (length, headerLength) = try readFrameLength(frameOffset: frameOffset)
            guard try ensure(headerLength + length) else {
                throw .incompleteBody(afterFrame: frameNumber - 1, reason: "frame \(frameNumber) is cut short")
            }
            let payload = Array(body[(bodyStart + headerLength)..<(bodyStart + headerLength + length)])
            advance(headerLength + length)
            var cursor = ByteCursor(payload, place: .frame(number: frameNumber, offset: frameOffset))
            switch type {
            case .change:
                let change = try decoder.decodeChange(&cursor, frame: frameNumber)
                counts.changes += 1
                return .change(change)
            case .blobChunk:
                let chunk = try decoder.decodeBlobChunk(&cursor)
                counts.blobChunks += 1
                counts.blobBytes += UInt64(chunk.bytes.count)
                return .blobChunk(chunk)
            case .checkpoint:
                let checkpoint = try decoder.decodeCheckpoint(&cursor, frame: frameNumber)
                counts.checkpoints += 1
                return .checkpoint(checkpoint)
            case .redacted:
                let (id, content) = try decoder.decodeRedacted(&cursor, frame: frameNumber)
                counts.changes += 1
                redactedChanges += 1
                return .redacted(id, content)
            case .end:
                let recorded = try FrameDecoder.decodeEnd(&cursor)
                try finishBody(recorded: recorded)
                return nil
            }
        }
    }

    /// Reads a frame's varint length after its type byte; returns it and the bytes type + length take.
    private func readFrameLength(frameOffset: Int) throws(BundleError) -> (length: Int, headerLength: Int) {
        var length: UInt64 = 0
        for position in 0..<4 {
            guard try ensure(2 + position) else {
                throw .incompleteBody(afterFrame: frameNumber - 1, reason: "frame \(frameNumber)'s length is cut short")
            }
            let byte = body[bodyStart + 1 + position]
            length |= UInt64(byte & 0x7f) << UInt64(7 * position)
            if byte & 0x80 == 0 {
                guard byte != 0 || position == 0 else {
                    throw .malformedFrame(frame: frameNumber, offset: frameOffset, reason: "the frame length varint is not minimal")
                }
                guard length <= UInt64(BundleLayout.maximumFrameLength) else {
                    throw .limitExceeded(
                        what: "frame length", found: length, limit: BundleLayout.maximumFrameLength, frame: frameNumber, offset: frameOffset)
                }
                return (Int(length), 2 + position)
            }
        }
        throw .malformedFrame(
            frame: frameNumber, offset: frameOffset,
            reason: "the frame length varint goes on past 4 bytes, the most a length up to \(BundleLayout.maximumFrameLength) takes")
    }

    /// After the end frame: checks its counts, that the body ends there, and the trailer.
    private func finishBody(recorded: BundleSummary) throws(BundleError) {
        guard recorded == counts else {
            throw .incompleteBody(
                afterFrame: frameNumber,
                reason: "the end frame counts \(recorded.changes) changes, \(recorded.blobChunks) blob chunks and \(recorded.checkpoints) checkpoints, but the body held \(counts.changes), \(counts.blobChunks) and \(counts.checkpoints)")
        }
        guard try !ensure(1) else {
            throw .incompleteBody(afterFrame: frameNumber, reason: "data follows the end frame")
        }
        if let opener, opener.position < opener.plaintext.count || !opener.sawLast {
            throw .incompleteBody(afterFrame: frameNumber, reason: "sealed data follows the end of the compressed body")
        }
        let trailerOffset = input.offset
        let trailer = try input.readExactly(BundleLayout.trailerLength, what: "the trailer", hashed: false)
        let computed = Array(input.hasher.finalize())
        let recordedDigest = Array(trailer.prefix(32))
        guard recordedDigest == computed else { throw .digestMismatch(recorded: recordedDigest, computed: computed) }
        let key = try! Curve25519.Signing.PublicKey(rawRepresentation: header.exporterPublicKey)
        guard key.isValidSignature(trailer.suffix(64), for: BundleLayout.bundleSignatureDomain + computed) else {
            throw .badSignature(exporter: header.exporter)
        }
        guard try input.isAtEnd() else { throw .trailingBytes(offset: input.offset) }
        let byteCount = UInt64(trailerOffset + BundleLayout.trailerLength)
        let limit = BundleLayout.maximumRedactedChanges(inBundleOf: byteCount)
        guard redactedChanges <= limit else {
            throw .tooManyRedactedChanges(found: redactedChanges, limit: limit, bundleBytes: byteCount)
        }
        var summary = counts
        summary.digest = computed
        summary.byteCount = byteCount
        self.summary = summary
    }

    // MARK: - Decompressed body

    /// Makes at least `count` decompressed bytes available; `false` if the compressed body ends first.
    private func ensure(_ count: Int) throws(BundleError) -> Bool {
        while body.count - bodyStart < count {
            if compressedEnded { return false }
            if bodyStart > 0, bodyStart >= body.count / 2 {
                body.removeSubrange(0..<bodyStart)
                bodyStart = 0
            }
            try inflateMore()
            peakBufferedBytes = max(peakBufferedBytes, body.count)
        }
        return true
    }

    private func advance(_ count: Int) {
        bodyStart += count
        bodyOffset += count
    }

    private func inflateMore() throws(BundleError) {
        guard let compressed = try compressedInput() else {
            throw .truncated(what: "the compressed body", offset: input.offset)
        }
        let before = body.count
        let result: (consumed: Int, ended: Bool)
        do {
            result = try inflater.decompress(compressed, into: &body)
        } catch {
            throw .corruptBody(reason: error.reason, offset: input.offset)
        }
        try consumeCompressed(result.consumed)
        compressedEnded = result.ended
        if result.consumed == 0, body.count == before, !result.ended {
            throw .corruptBody(reason: "zlib made no progress", offset: input.offset)
        }
    }

    /// The compressed bytes at hand: the raw input's buffer, or the current sealed chunk's
    /// plaintext; `nil` at the end of the input.
    private func compressedInput() throws(BundleError) -> ArraySlice<UInt8>? {
        guard var opener else { return try input.available() }
        if opener.position == opener.plaintext.count {
            if opener.sawLast { return nil }
            try openChunk(&opener)
        }
        self.opener = opener
        return opener.plaintext[opener.position...]
    }

    private func consumeCompressed(_ count: Int) throws(BundleError) {
        if opener != nil {
            opener!.position += count
        } else {
            input.consume(count, hashed: true)
        }
    }

    /// Reads, authenticates and decrypts the next sealed chunk.
    private func openChunk(_ opener: inout Opener) throws(BundleError) {
        let offset = input.offset
        let marker = UInt32(try input.readBigEndian(4, what: "a sealed chunk's marker"))
        let isLast = marker & SealedChunk.lastBit != 0
        let length = Int(marker & ~SealedChunk.lastBit)
        let chunk = Int(opener.index) + 1
        guard isLast ? (1...BundleLayout.sealedChunkLength).contains(length) : length == BundleLayout.sealedChunkLength else {
            throw .corruptBody(reason: "sealed chunk \(chunk) claims \(length) bytes", offset: offset)
        }
        let sealed = try input.readExactly(length + 16, what: "sealed chunk \(chunk)")
        guard let plaintext = SealedChunk.open(sealed, index: opener.index, isLast: isLast, key: opener.key, headerDigest: headerDigest) else {
            throw .sealedChunkRejected(chunk: chunk, offset: offset)
        }
        opener.plaintext = plaintext
        opener.position = 0
        opener.index += 1
        opener.sawLast = isLast
    }
}

/// The raw bytes of a bundle: buffered reads from the source, the file offset, and the running
/// SHA-256 of every byte consumed before the trailer.
struct RawInput<Source: ByteSource> {
    private var source: Source
    private var buffer: [UInt8] = []
    private var position = 0
    private var ended = false
    /// Bytes consumed from the start of the file.
    private(set) var offset = 0
    /// The digest of the bytes consumed with `hashed: true`.
    var hasher = SHA256()

    init(source: Source) {
        self.source = source
    }

    /// The buffered bytes not yet consumed, reading more if none are; `nil` at the end of the input.
    mutating func available() throws(BundleError) -> ArraySlice<UInt8>? {
        while position == buffer.count {
            if ended { return nil }
            let chunk = try source.read(upTo: BundleLayout.streamChunkLength)
            if chunk.isEmpty {
                ended = true
            } else {
                buffer = chunk
                position = 0
            }
        }
        return buffer[position...]
    }

    /// Marks `count` available bytes as read.
    mutating func consume(_ count: Int, hashed: Bool) {
        if hashed { buffer[position..<position + count].withUnsafeBytes { hasher.update(bufferPointer: $0) } }
        position += count
        offset += count
    }

    /// Reads up to `count` bytes, fewer only at the end of the input.
    mutating func read(upTo count: Int, hashed: Bool = true) throws(BundleError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count, let bytes = try available() {
            let take = min(bytes.count, count - out.count)
            out.append(contentsOf: bytes.prefix(take))
            consume(take, hashed: hashed)
        }
        return out
    }

    /// Reads exactly `count` bytes.
    ///
    /// - Throws: `truncated` naming `what` if the input ends first.
    mutating func readExactly(_ count: Int, what: String, hashed: Bool = true) throws(BundleError) -> [UInt8] {
        let bytes = try read(upTo: count, hashed: hashed)
        guard bytes.count == count else { throw .truncated(what: what, offset: offset) }
        return bytes
    }

    /// Reads a big-endian unsigned integer of `count` bytes.
    mutating func readBigEndian(_ count: Int, what: String) throws(BundleError) -> UInt64 {
        try readExactly(count, what: what).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Whether the input has ended.
    mutating func isAtEnd() throws(BundleError) -> Bool {
        try available() == nil
    }
}
