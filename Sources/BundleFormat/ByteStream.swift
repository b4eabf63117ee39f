/// Where a `BundleWriter` puts the bytes of a bundle: a file, a pipe, memory.
///
/// The writer hands over bytes in pieces of at most a few tens of KiB as it produces them and keeps
/// nothing it has handed over, so writing needs bounded memory whatever the bundle's size.
public protocol ByteSink {
    /// Appends `bytes`.
    ///
    /// - Throws: `BundleError.io` if the bytes could not be written.
    mutating func write(_ bytes: ArraySlice<UInt8>) throws(BundleError)
}

/// Where a `BundleReader` takes the bytes of a bundle from: a file, a pipe, memory.
public protocol ByteSource {
    /// Reads up to `count` bytes (`count` ≥ 1); an empty result means the end of the input.
    ///
    /// A source may return fewer bytes than asked even before its end (as a pipe does); the reader
    /// asks again.
    ///
    /// - Throws: `BundleError.io` if the bytes could not be read.
    mutating func read(upTo count: Int) throws(BundleError) -> [UInt8]
}

/// A sink that keeps every byte in memory, for tests.
struct MemorySink: ByteSink, Sendable {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []

    /// An empty sink.
    init() {}

    /// Appends `bytes`; never throws.
    mutating func write(_ bytes: ArraySlice<UInt8>) throws(BundleError) {
        self.bytes.append(contentsOf: bytes)
    }
}

/// A source that reads from bytes held in memory.
public struct MemorySource: ByteSource, Sendable {
    private let bytes: [UInt8]
    private var position = 0

    /// A source that yields `bytes`, then ends.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Returns the next `count` bytes, fewer at the end, none after it; never throws.
    public mutating func read(upTo count: Int) throws(BundleError) -> [UInt8] {
        let end = min(bytes.count, position + max(count, 0))
        defer { position = end }
        return Array(bytes[position..<end])
    }
}
