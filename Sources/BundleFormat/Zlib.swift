import CZlib

/// A zlib (RFC 1950) compressor over the system's `libz`: `deflateInit2`, `deflate`, `deflateEnd`.
///
/// The `z_stream` lives at a fixed heap address, as zlib requires; a class owns it so it is
/// released exactly once.
final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var output = [UInt8](repeating: 0, count: BundleLayout.streamChunkLength)

    /// A compressor at `level` (0–9) with zlib's default strategy: by default a zlib wrapper, a
    /// 32 KiB window and the largest memory level (`windowBits` 31 gives gzip's wrapper instead).
    init(level: Int32, windowBits: Int32 = 15, memoryLevel: Int32 = 9) throws(BundleError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = czlib_deflateInit2(stream, level, Z_DEFLATED, windowBits, memoryLevel, Z_DEFAULT_STRATEGY)
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw .refused(reason: "zlib could not start compressing at level \(level) (status \(status))")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses all of `input`, handing each piece of output (at most 64 KiB) to `emit`; with
    /// `finish`, also ends the zlib stream.
    func compress(
        _ input: [UInt8], finish: Bool, emit: (ArraySlice<UInt8>) throws(BundleError) -> Void
    ) throws(BundleError) {
        var consumedTotal = 0
        while true {
            var status: Int32 = Z_OK
            var consumed = 0, produced = 0
            input.withUnsafeBufferPointer { inputBuffer in
                output.withUnsafeMutableBufferPointer { outputBuffer in
                    let available = inputBuffer.count - consumedTotal
                    stream.pointee.next_in = available > 0
                        ? UnsafeMutablePointer(mutating: inputBuffer.baseAddress! + consumedTotal) : nil
                    stream.pointee.avail_in = UInt32(available)
                    stream.pointee.next_out = outputBuffer.baseAddress
                    stream.pointee.avail_out = UInt32(outputBuffer.count)
                    status = deflate(stream, finish ? Z_FINISH : Z_NO_FLUSH)
                    consumed = available - Int(stream.pointee.avail_in)
                    produced = outputBuffer.count - Int(stream.pointee.avail_out)
                    stream.pointee.next_in = nil
                    stream.pointee.next_out = nil
                }
            }
            consumedTotal += consumed
            guard status == Z_OK || status == Z_BUF_ERROR || status == Z_STREAM_END else {
                throw .refused(reason: "zlib failed while compressing (status \(status))")
            }
            if produced > 0 { try emit(output[0..<produced]) }
            let outputFull = produced == output.count
            if finish ? status == Z_STREAM_END : (consumedTotal == input.count && !outputFull) { return }
        }
    }
}

/// A zlib (RFC 1950) decompressor over the system's `libz`: `inflateInit2`, `inflate`, `inflateEnd`.
final class Inflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var output = [UInt8](repeating: 0, count: BundleLayout.streamChunkLength)

    /// Why decompression stopped, with zlib's own message.
    struct Failure: Error {
        var reason: String
    }

    /// A decompressor for a zlib-wrapped stream with a window of up to 32 KiB.
    init() throws(BundleError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = czlib_inflateInit2(stream, 15)
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw .corruptBody(reason: "zlib could not start decompressing (status \(status))", offset: 0)
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Decompresses from the start of `input`, appending at most 64 KiB of output to `into`.
    ///
    /// - Returns: how many input bytes were used, and whether the zlib stream ended (its checksum verified).
    /// - Throws: `Failure` if the input is not a valid zlib stream.
    func decompress(
        _ input: ArraySlice<UInt8>, into destination: inout [UInt8]
    ) throws(Failure) -> (consumed: Int, ended: Bool) {
        var status: Int32 = Z_OK
        var consumed = 0, produced = 0
        input.withUnsafeBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.pointee.next_in = inputBuffer.isEmpty ? nil : UnsafeMutablePointer(mutating: inputBuffer.baseAddress!)
                stream.pointee.avail_in = UInt32(inputBuffer.count)
                stream.pointee.next_out = outputBuffer.baseAddress
                stream.pointee.avail_out = UInt32(outputBuffer.count)
                status = inflate(stream, Z_NO_FLUSH)
                consumed = inputBuffer.count - Int(stream.pointee.avail_in)
                produced = outputBuffer.count - Int(stream.pointee.avail_out)
                stream.pointee.next_in = nil
                stream.pointee.next_out = nil
            }
        }
        destination.append(contentsOf: output[0..<produced])
        switch status {
        case Z_OK, Z_BUF_ERROR:
            return (consumed, false)
        case Z_STREAM_END:
            return (consumed, true)
        case Z_NEED_DICT:
            throw Failure(reason: "the stream asks for a preset dictionary")
        default:
            let message = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
            throw Failure(reason: message)
        }
    }
}
