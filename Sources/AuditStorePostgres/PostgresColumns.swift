import AuditStore
import NIOCore
import PostgresNIO
import Replication

/// A statement's parameters, `$1`, `$2`, … in the order appended.
struct Binds {
    var bindings = PostgresBindings()

    mutating func bytes(_ bytes: [UInt8]) { bindings.append(ByteBuffer(bytes: bytes)) }
    mutating func int(_ value: Int64) { bindings.append(value) }
    /// An unsigned value as the signed 64-bit pattern SQLite stores too, so both order alike.
    mutating func uint(_ value: UInt64) { bindings.append(Int64(bitPattern: value)) }
    mutating func text(_ text: String) { bindings.append(text) }
    mutating func texts(_ texts: [String]) { bindings.append(texts) }
    mutating func null() { bindings.appendNull() }
    /// A `bytea[]` parameter.
    mutating func bytesArray(_ values: [[UInt8]]) { bindings.append(values.map { ByteBuffer(bytes: $0) }) }
    /// A `bytea[]` parameter whose elements may be NULL.
    mutating func optionalBytesArray(_ values: [[UInt8]?]) { bindings.append(OptionalBytesArray(elements: values)) }
    /// A `bigint[]` parameter.
    mutating func ints(_ values: [Int64]) { bindings.append(values) }
    /// A `bigint[]` parameter of unsigned values, each as `uint` binds it.
    mutating func uints(_ values: [UInt64]) { bindings.append(values.map { Int64(bitPattern: $0) }) }

    /// A change id as two parameters: origin, seq.
    mutating func id(_ id: ChangeID) {
        bytes(id.origin.bytes)
        uint(id.seq)
    }

    /// Binds starting with `first`.
    static func with(_ fill: (inout Binds) -> Void) -> Binds {
        var binds = Binds()
        fill(&binds)
        return binds
    }
}

/// A `bytea[]` parameter with NULL elements, in PostgreSQL's binary array format (postgres-nio
/// encodes arrays of non-optional elements only): a column of nullable bytes sent in one array.
struct OptionalBytesArray: PostgresNonThrowingEncodable {
    let elements: [[UInt8]?]

    static var psqlType: PostgresDataType { .byteaArray }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        // Dimensions, whether any element is NULL, the elements' type; then the one dimension's
        // length and lower bound; then each element as its length (-1: NULL) and bytes.
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(elements.contains { $0 == nil } ? 1 : 0, as: Int32.self)
        buffer.writeInteger(PostgresDataType.bytea.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)
        for element in elements {
            if let element {
                buffer.writeInteger(Int32(element.count))
                buffer.writeBytes(element)
            } else {
                buffer.writeInteger(-1, as: Int32.self)
            }
        }
    }
}

/// One row of a result, read by column index.
struct Cells {
    let row: PostgresRandomAccessRow

    func isNull(_ column: Int) -> Bool { row[column].bytes == nil }

    func int64(_ column: Int) throws(StoreError) -> Int64 {
        do { return try row[column].decode(Int64.self) } catch {
            throw .corruptRow(table: row[column].columnName, reason: "column \(column) is not an integer")
        }
    }

    func uint64(_ column: Int) throws(StoreError) -> UInt64 { UInt64(bitPattern: try int64(column)) }

    func text(_ column: Int) throws(StoreError) -> String {
        do { return try row[column].decode(String.self) } catch {
            throw .corruptRow(table: row[column].columnName, reason: "column \(column) is not text")
        }
    }

    func bytes(_ column: Int) -> [UInt8] { row[column].bytes.map { Array($0.readableBytesView) } ?? [] }

    /// Reads a core value, turning a malformed one into `corruptRow` of `table`.
    func read<T>(_ table: String, _ body: () throws(ReplicationError) -> T) throws(StoreError) -> T {
        do { return try body() } catch { throw .corruptRow(table: table, reason: error.description) }
    }

    func replica(_ column: Int, table: String) throws(StoreError) -> ReplicaID {
        try read(table) { () throws(ReplicationError) in try ReplicaID(bytes: bytes(column)) }
    }

    func entity(_ column: Int, table: String) throws(StoreError) -> EntityID {
        try read(table) { () throws(ReplicationError) in try EntityID(bytes: bytes(column)) }
    }

    func hash(_ column: Int, table: String) throws(StoreError) -> ChangeHash {
        try read(table) { () throws(ReplicationError) in try ChangeHash(bytes: bytes(column)) }
    }

    func changeID(_ column: Int, table: String) throws(StoreError) -> ChangeID {
        ChangeID(origin: try replica(column, table: table), seq: try uint64(column + 1))
    }

    /// A value from its type-tag and bytes columns.
    func value(typeAt typeColumn: Int, table: String) throws(StoreError) -> Value {
        let tag = try int64(typeColumn)
        let payload = isNull(typeColumn + 1) ? nil : bytes(typeColumn + 1)
        return try read(table) { () throws(ReplicationError) in try PostgresColumns.decode(tag: tag, payload) }
    }

    /// A visible value from (origin, seq, stamp, type, value) columns starting at `first`.
    func visibleValue(at first: Int, table: String) throws(StoreError) -> VisibleValue {
        VisibleValue(
            id: try changeID(first, table: table), stamp: Timestamp(rawValue: try uint64(first + 2)),
            value: try value(typeAt: first + 3, table: table))
    }

    /// A change from the columns of `PostgresColumns.changeList`, starting at `first`.
    func change(at first: Int = 0) throws(StoreError) -> Change {
        let table = "change"
        return Change(
            origin: try replica(first, table: table),
            seq: try uint64(first + 1),
            stamp: Timestamp(rawValue: try uint64(first + 2)),
            transaction: try uint64(first + 3),
            engagement: try entity(first + 4, table: table),
            kind: try text(first + 5),
            entity: try entity(first + 6, table: table),
            field: try text(first + 7),
            value: try value(typeAt: first + 8, table: table),
            supersedes: try read(table) { () throws(ReplicationError) in
                try SupersedesColumn.decode(isNull(first + 10) ? [] : bytes(first + 10))
            })
    }
}

/// How values and changes map onto PostgreSQL columns: every value is a type tag and bytes.
enum PostgresColumns {
    /// The change columns, in the order `Cells.change` reads them.
    static let changeList = "origin, seq, stamp, txn, engagement, kind, entity, field, type, value, supersedes"

    /// The arrays `bind(_:to:)` binds as `$1`…`$11`, typed for `unnest`, in `changeList` order.
    static let changeArrays = """
        $1::bytea[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bytea[], $6::text[], $7::bytea[], $8::text[], \
        $9::bigint[], $10::bytea[], $11::bytea[]
        """

    /// Many changes' eleven columns as eleven array parameters, in `changeList` order (a value as
    /// its type tag and bytes, `encode`; no supersedes as NULL).
    static func bind(_ changes: [Change], to binds: inout Binds) {
        binds.bytesArray(changes.map(\.origin.bytes))
        binds.uints(changes.map(\.seq))
        binds.uints(changes.map(\.stamp.rawValue))
        binds.uints(changes.map(\.transaction))
        binds.bytesArray(changes.map(\.engagement.bytes))
        binds.texts(changes.map(\.kind))
        binds.bytesArray(changes.map(\.entity.bytes))
        binds.texts(changes.map(\.field))
        binds.ints(changes.map { Int64($0.value.tag.rawValue) })
        binds.optionalBytesArray(changes.map { encode($0.value) })
        binds.optionalBytesArray(changes.map { $0.supersedes.isEmpty ? nil : SupersedesColumn.encode($0.supersedes) })
    }

    /// A value's bytes: big-endian 64-bit integers and IEEE bit patterns, UTF-8 text, raw bytes;
    /// `nil` for null.
    static func encode(_ value: Value) -> [UInt8]? {
        switch value {
        case .null: nil
        case let .integer(integer): bigEndian(UInt64(bitPattern: integer))
        case let .real(real): bigEndian(real.bitPattern)
        case let .text(text), let .json(text): Array(text.utf8)
        case let .bytes(bytes): bytes
        case let .blob(digest): digest.bytes
        }
    }

    /// Reads a value back from its tag and bytes.
    static func decode(tag rawTag: Int64, _ payload: [UInt8]?) throws(ReplicationError) -> Value {
        guard let tag = Value.Tag(rawValue: UInt8(truncatingIfNeeded: rawTag)), Int64(tag.rawValue) == rawTag else {
            throw .malformed(what: "value", reason: "unknown type tag \(rawTag)")
        }
        let bytes = payload ?? []
        switch tag {
        case .null: return .null
        case .integer: return .integer(Int64(bitPattern: try word(bytes)))
        case .real: return .real(Double(bitPattern: try word(bytes)))
        case .text: return .text(String(decoding: bytes, as: UTF8.self))
        case .bytes: return .bytes(bytes)
        case .blob: return .blob(try BlobDigest(bytes: bytes))
        case .json: return .json(String(decoding: bytes, as: UTF8.self))
        }
    }

    private static func bigEndian(_ word: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: word >> (56 - 8 * $0)) }
    }

    private static func word(_ bytes: [UInt8]) throws(ReplicationError) -> UInt64 {
        guard bytes.count == 8 else { throw .malformed(what: "value", reason: "expected 8 bytes, found \(bytes.count)") }
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
