import Foundation

/// A sink that writes to an open file or pipe.
///
/// The handle stays the caller's: the sink neither opens, syncs nor closes it.
public struct FileHandleSink: ByteSink {
    /// The handle written to.
    public let handle: FileHandle

    /// A sink writing to `handle` at its current position.
    public init(_ handle: FileHandle) {
        self.handle = handle
    }

    /// Writes `bytes` at the handle's position.
    ///
    /// - Throws: `BundleError.io` with the system's reason (a full disk, a closed pipe).
    public mutating func write(_ bytes: ArraySlice<UInt8>) throws(BundleError) {
        do {
            try handle.write(contentsOf: Data(bytes))
        } catch {
            throw .io("writing \(bytes.count) bytes failed: \(error.localizedDescription)")
        }
    }
}

/// A source that reads from an open file or pipe.
///
/// The handle stays the caller's: the source neither opens nor closes it.
public struct FileHandleSource: ByteSource {
    /// The handle read from.
    public let handle: FileHandle

    /// A source reading `handle` from its current position.
    public init(_ handle: FileHandle) {
        self.handle = handle
    }

    /// Reads up to `count` bytes from the handle; an empty result is the end of the file or pipe.
    ///
    /// - Throws: `BundleError.io` with the system's reason.
    public mutating func read(upTo count: Int) throws(BundleError) -> [UInt8] {
        do {
            guard let data = try handle.read(upToCount: max(count, 1)) else { return [] }
            return [UInt8](data)
        } catch {
            throw .io("reading failed: \(error.localizedDescription)")
        }
    }
}
