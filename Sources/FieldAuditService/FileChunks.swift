import Foundation
import NIOCore

/// A file read as a sequence of 64 KiB buffers, for a request body that streams; reports the bytes
/// read so far after each.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String
    let progress: @Sendable (UInt64) -> Void

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle?
        let progress: @Sendable (UInt64) -> Void
        var read: UInt64 = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let handle, let data = try handle.read(upToCount: 1 << 16), !data.isEmpty else {
                try? handle?.close()
                return nil
            }
            read += UInt64(data.count)
            progress(read)
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(handle: FileHandle(forReadingAtPath: path), progress: progress)
    }
}
