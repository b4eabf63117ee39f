import Replication

/// Reads the fields of a header or a frame payload, held whole in memory, and says where a
/// malformed field is.
///
/// Every length read from the bytes is checked against what remains before anything is taken or
/// allocated for it.
struct ByteCursor {
    /// What is being read, for errors.
    enum Place {
        /// The header fields, which start at byte `offset` of the file.
        case header(offset: Int)
        /// Frame `number`, whose payload starts at `offset` in the decompressed body.
        case frame(number: Int, offset: Int)
    }

    let bytes: [UInt8]
    let place: Place
    private(set) var index = 0

    init(_ bytes: [UInt8], place: Place) {
        self.bytes = bytes
        self.place = place
    }

    var remaining: Int { bytes.count - index }
    var isAtEnd: Bool { index == bytes.count }

    /// An error naming `reason` at the current position.
    func fail(_ reason: String) -> BundleError {
        switch place {
        case let .header(offset):
            .malformedHeader(reason: reason, offset: offset + index)
        case let .frame(number, offset):
            .malformedFrame(frame: number, offset: offset, reason: "\(reason) (at byte \(index) of the frame)")
        }
    }

    /// An error naming a length or count above its limit.
    func tooLarge(_ what: String, found: UInt64, limit: Int) -> BundleError {
        switch place {
        case let .header(offset):
            .malformedHeader(reason: "\(what) is \(found), above the limit of \(limit)", offset: offset + index)
        case let .frame(number, offset):
            .limitExceeded(what: what, found: found, limit: limit, frame: number, offset: offset)
        }
    }

    mutating func byte(_ what: @autoclosure () -> String) throws(BundleError) -> UInt8 {
        guard index < bytes.count else { throw fail("\(what()) is missing") }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func take(_ count: Int, _ what: @autoclosure () -> String) throws(BundleError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw fail("\(what()) needs \(count) bytes but only \(remaining) remain")
        }
        defer { index += count }
        return bytes[index..<index + count]
    }

    /// Reads `count` bytes and makes a fixed-size value of them (an id, a digest, a hash).
    ///
    /// Only `make` runs under `try!`: it cannot fail on exactly `count` bytes, whereas a short input
    /// must end in the `fail` error of `take`, never in a trap (a `try!` around `take` traps).
    mutating func take<Value>(
        _ count: Int, _ what: @autoclosure () -> String, as make: (ArraySlice<UInt8>) throws -> Value
    ) throws(BundleError) -> Value {
        let bytes = try take(count, what())
        return try! make(bytes)
    }

    /// Reads a big-endian unsigned integer of `byteCount` bytes.
    mutating func bigEndian(_ byteCount: Int, _ what: @autoclosure () -> String) throws(BundleError) -> UInt64 {
        try take(byteCount, what()).reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func varint(_ what: @autoclosure () -> String) throws(BundleError) -> UInt64 {
        var value: UInt64 = 0
        for position in 0..<Varint.maximumLength {
            guard index < bytes.count else { throw fail("\(what()): varint is cut short") }
            let byte = bytes[index]
            index += 1
            if position == Varint.maximumLength - 1, byte > 1 {
                throw fail("\(what()): varint overflows 64 bits")
            }
            value |= UInt64(byte & 0x7f) << UInt64(7 * position)
            if byte & 0x80 == 0 {
                if byte == 0, position > 0 { throw fail("\(what()): varint is not minimal") }
                return value
            }
        }
        throw fail("\(what()): varint is longer than 10 bytes")
    }

    mutating func zigzag(_ what: @autoclosure () -> String) throws(BundleError) -> Int64 {
        Varint.unzigzag(try varint(what()))
    }

    /// Reads a varint length, checked against `limit` and against the bytes that remain.
    mutating func length(_ what: @autoclosure () -> String, limit: Int) throws(BundleError) -> Int {
        let found = try varint(what())
        guard found <= UInt64(limit) else { throw tooLarge(what(), found: found, limit: limit) }
        guard found <= UInt64(remaining) else {
            throw fail("\(what()) is \(found) but only \(remaining) bytes remain")
        }
        return Int(found)
    }

    /// Reads a u32 count of elements of `elementSize` bytes each, checked against `limit` and
    /// against the bytes that remain.
    mutating func count(_ what: @autoclosure () -> String, elementSize: Int, limit: Int) throws(BundleError) -> Int {
        let found = try bigEndian(4, what())
        let fits = min(limit, remaining / elementSize)
        guard found <= UInt64(fits) else { throw tooLarge(what(), found: found, limit: fits) }
        return Int(found)
    }

    /// Reads `count` bytes of UTF-8.
    mutating func utf8(_ count: Int, _ what: @autoclosure () -> String) throws(BundleError) -> String {
        let slice = try take(count, what())
        guard let text = String(validating: slice, as: UTF8.self) else { throw fail("\(what()) is not valid UTF-8") }
        return text
    }

    /// Fails unless every byte has been read.
    func expectEnd(_ what: String) throws(BundleError) {
        guard isAtEnd else { throw fail("\(remaining) unexpected bytes after \(what)") }
    }
}
