import Replication

/// The changes a batched `ChangeApplier` holds back before it writes their state, packed: about
/// a third of the memory of the `Change` values themselves, so a batch can be several times
/// larger within the same memory.
///
/// Each change is a 24-byte sort key (its entity's 16 bytes as two big-endian words, its field,
/// its place among the records) and a record in `chunks`: its origin, engagement and kind as indices of
/// tables interned for the batch, its seq, transaction and stamp, its value (tag, then the
/// payload: zigzag varint, 8 bytes of a real's bit pattern, or a length and the exact bytes) and
/// its supersedes (origin index and seq each). A change with a 60-byte text value takes about
/// 110 bytes. `drain` decodes the changes again one at a time, each `==` to the one appended.
///
/// Names are interned by their UTF-8 bytes (never by Unicode equivalence), so a decoded name has
/// the bytes of the appended one.
struct PendingChanges {
    /// One held change: its entity as two big-endian words, then `tail`: its field's index (in
    /// `fields` while held, its rank in byte order once `drain` sorts) in the top 16 bits and its
    /// record's place in the low 48 (`chunk << 16 | position`), which grows with arrival.
    private struct Key {
        var high: UInt64
        var low: UInt64
        var tail: UInt64
    }

    private var keys: [Key] = []
    /// The records, in chunks of `chunkSize` bytes (a record longer than that alone in its own),
    /// so the buffer grows without copying and without holding twice its size while it does.
    private var chunks: [[UInt8]] = []
    private var byteCount = 0
    private var scratch = ByteWriter()
    private var origins = Interned<ReplicaID>()
    private var engagements = Interned<EntityID>()
    private var kinds = Interned<ExactName>()
    private var fields = Interned<ExactName>()

    private static let chunkSize = 1 << 16
    private static let positionBits: UInt64 = 16
    private static let placeBits: UInt64 = 48
    private static let placeMask: UInt64 = (1 << placeBits) - 1
    /// The most fields a batch can name: its field index is 16 bits of the key.
    static let fieldLimit = 1 << 16

    /// How many changes are held.
    var count: Int { keys.count }

    /// Whether nothing is held.
    var isEmpty: Bool { keys.isEmpty }

    /// The bytes the records take (the keys take 24 bytes a change besides).
    var recordBytes: Int { byteCount }

    /// Whether the batch cannot take another change whose field it does not name yet.
    var isFull: Bool { fields.count >= Self.fieldLimit }

    /// Holds `change`; the caller drains first when `isFull`.
    mutating func append(_ change: Change) {
        if keys.capacity == 0 { keys.reserveCapacity(1024) }
        scratch.removeAll()
        scratch.write(varint: UInt64(origins.index(of: change.origin)))
        scratch.write(varint: change.seq)
        scratch.write(varint: change.seq &- change.transaction)
        scratch.write(change.stamp.rawValue)
        scratch.write(varint: UInt64(engagements.index(of: change.engagement)))
        scratch.write(varint: UInt64(kinds.index(of: ExactName(change.kind))))
        Self.write(change.value, to: &scratch)
        scratch.write(varint: UInt64(change.supersedes.count))
        for id in change.supersedes {
            scratch.write(varint: UInt64(origins.index(of: id.origin)))
            scratch.write(varint: id.seq)
        }
        let place = store(scratch.bytes)
        let field = UInt64(fields.index(of: ExactName(change.field)))
        // The field's slot in `Key.tail` holds fieldLimit ranks: the caller drains at `isFull`.
        precondition(field < UInt64(Self.fieldLimit), "PendingChanges holds at most \(Self.fieldLimit) distinct fields; drain at isFull")
        let entity = change.entity.words
        keys.append(Key(high: entity.high, low: entity.low, tail: field << Self.placeBits | place))
    }

    /// Hands every held change to `body`, decoded, sorted by entity (its bytes), field (its
    /// UTF-8 bytes), then arrival; then holds nothing, also when `body` throws.
    mutating func drain(_ body: (Change) throws(StoreError) -> Void) throws(StoreError) {
        defer { removeAll() }
        guard !keys.isEmpty else { return }
        // Fields are ranked in byte order, so the sort compares integers only.
        let byName = fields.values.indices.sorted { fields.values[$0].bytesPrecede(fields.values[$1]) }
        var rank = [UInt64](repeating: 0, count: byName.count)
        for (position, index) in byName.enumerated() { rank[index] = UInt64(position) }
        for index in keys.indices {
            let tail = keys[index].tail
            keys[index].tail = rank[Int(tail >> Self.placeBits)] << Self.placeBits | tail & Self.placeMask
        }
        keys.sort { a, b in
            if a.high != b.high { return a.high < b.high }
            if a.low != b.low { return a.low < b.low }
            return a.tail < b.tail
        }
        for key in keys {
            try body(decode(key, field: fields.values[byName[Int(key.tail >> Self.placeBits)]].text))
        }
    }

    /// Holds nothing, keeping the key array's capacity for the next batch.
    private mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        chunks.removeAll()
        byteCount = 0
        origins.removeAll()
        engagements.removeAll()
        kinds.removeAll()
        fields.removeAll()
    }

    // MARK: - Records

    /// Copies a record into the chunks; returns its place (`chunk << 16 | position`).
    private mutating func store(_ record: [UInt8]) -> UInt64 {
        byteCount += record.count
        // A long record's chunk holds more than `chunkSize` bytes, so nothing joins it.
        if let last = chunks.indices.last, chunks[last].count + record.count <= Self.chunkSize {
            let position = chunks[last].count
            chunks[last].append(contentsOf: record)
            return UInt64(last) << Self.positionBits | UInt64(position)
        }
        var chunk: [UInt8] = []
        chunk.reserveCapacity(max(record.count, Self.chunkSize))
        chunk.append(contentsOf: record)
        chunks.append(chunk)
        return UInt64(chunks.count - 1) << Self.positionBits
    }

    private func decode(_ key: Key, field: String) -> Change {
        let place = key.tail & Self.placeMask
        let position = Int(place & (1 << Self.positionBits - 1))
        return chunks[Int(place >> Self.positionBits)].withUnsafeBufferPointer { chunk in
            var reader = RecordReader(bytes: chunk, at: position)
            let origin = origins.values[Int(reader.varint())]
            let seq = reader.varint()
            let transaction = seq &- reader.varint()
            let stamp = Timestamp(rawValue: reader.fixed())
            let engagement = engagements.values[Int(reader.varint())]
            let kind = kinds.values[Int(reader.varint())].text
            let value = reader.value()
            let supersedes = (0..<Int(reader.varint())).map { _ in
                ChangeID(origin: origins.values[Int(reader.varint())], seq: reader.varint())
            }
            var change = Change(
                origin: origin, seq: seq, stamp: stamp, transaction: transaction, engagement: engagement,
                kind: kind, entity: EntityID(words: (key.high, key.low)), field: field, value: value)
            // Held sorted as the change had them: no sorting again.
            change.supersedes = supersedes
            return change
        }
    }

    /// A value as its tag, then its payload: a zigzag varint, a real's 8 bytes, or a varint
    /// length and the exact bytes.
    private static func write(_ value: Value, to out: inout ByteWriter) {
        out.write(value.tag.rawValue)
        switch value {
        case .null: break
        case let .integer(integer): out.write(zigzag: integer)
        case let .real(real): out.write(real.bitPattern)
        case let .text(text), let .json(text): out.write(varintPrefixed: text.utf8)
        case let .bytes(bytes): out.write(varintPrefixed: bytes)
        case let .blob(digest): out.write(raw: digest.bytes)
        }
    }
}

/// Reads one record of `PendingChanges` back, as `PendingChanges` wrote it, from its chunk:
/// unchecked, as the bytes never left this process (varints as `ByteWriter.write(varint:)`).
private struct RecordReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var at: Int

    mutating func varint() -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = bytes[at]
            at += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// 8 bytes, most significant first, as `ByteWriter.write(_: UInt64)` wrote them.
    mutating func fixed() -> UInt64 {
        var value: UInt64 = 0
        for _ in 0..<8 {
            value = value << 8 | UInt64(bytes[at])
            at += 1
        }
        return value
    }

    mutating func slice(_ count: Int) -> UnsafeBufferPointer<UInt8> {
        precondition(at + count <= bytes.count, "a pending record ends inside its chunk")
        defer { at += count }
        return UnsafeBufferPointer(rebasing: bytes[at..<(at + count)])
    }

    mutating func value() -> Value {
        let tag = bytes[at]
        at += 1
        switch Value.Tag(rawValue: tag)! {
        case .null: return .null
        case .integer: return .integer(Varint.unzigzag(varint()))
        case .real: return .real(Double(bitPattern: fixed()))
        case .text: return .text(String(decoding: slice(Int(varint())), as: UTF8.self))
        case .json: return .json(String(decoding: slice(Int(varint())), as: UTF8.self))
        case .bytes: return .bytes(Array(slice(Int(varint()))))
        case .blob: return .blob(try! BlobDigest(bytes: slice(32)))
        }
    }
}

/// A name keyed by its UTF-8 bytes: Swift's `String ==` would take two spellings of one accent
/// for the same name, and a decoded change would carry the other spelling.
private struct ExactName: Hashable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (lhs: ExactName, rhs: ExactName) -> Bool { lhs.text.utf8.elementsEqual(rhs.text.utf8) }

    func hash(into hasher: inout Hasher) {
        for byte in text.utf8 { hasher.combine(byte) }
    }

    /// Whether this name's bytes sort before `other`'s.
    func bytesPrecede(_ other: ExactName) -> Bool { text.utf8.lexicographicallyPrecedes(other.text.utf8) }
}

/// Values numbered in order of first sight, for one batch.
private struct Interned<Element: Hashable> {
    private(set) var values: [Element] = []
    private var numbers: [Element: Int] = [:]
    /// The number handed out last: runs of one origin or engagement skip the hashing.
    private var last = -1

    var count: Int { values.count }

    mutating func index(of element: Element) -> Int {
        if last >= 0, values[last] == element { return last }
        if let number = numbers[element] {
            last = number
            return number
        }
        last = values.count
        numbers[element] = last
        values.append(element)
        return last
    }

    mutating func removeAll() {
        values.removeAll(keepingCapacity: true)
        numbers.removeAll(keepingCapacity: true)
        last = -1
    }
}
