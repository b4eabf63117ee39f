import Replication

/// How a change maps onto the columns of the `change` table, and back.
///
/// The select list is shared by every reader of the log so one decoder serves them all.
enum ChangeColumns {
    /// The columns, in the order `read(_:)` expects them.
    static let selectList = "origin, seq, stamp, txn, engagement, kind, entity, field, type, value, supersedes"

    /// Binds a change's eleven columns to parameters 1…11, in `selectList` order.
    static func bind(_ change: Change, to statement: SQLiteStatement) {
        statement.bind(change.origin, at: 1)
        statement.bind(change.seq, at: 2)
        statement.bind(change.stamp.rawValue, at: 3)
        statement.bind(change.transaction, at: 4)
        statement.bind(change.engagement, at: 5)
        statement.bind(change.kind, at: 6)
        statement.bind(change.entity, at: 7)
        statement.bind(change.field, at: 8)
        bind(change.value, typeAt: 9, valueAt: 10, to: statement)
        if change.supersedes.isEmpty {
            statement.bindNull(at: 11)
        } else {
            statement.bind(blob: encode(change.supersedes), at: 11)
        }
    }

    /// Binds a value as its type tag and its SQLite-typed payload.
    static func bind(_ value: Value, typeAt typeIndex: Int32, valueAt valueIndex: Int32, to statement: SQLiteStatement) {
        statement.bind(Int64(value.tag.rawValue), at: typeIndex)
        switch value {
        case .null: statement.bindNull(at: valueIndex)
        case let .integer(integer): statement.bind(integer, at: valueIndex)
        case let .real(real): statement.bind(real, at: valueIndex)
        case let .text(text), let .json(text): statement.bind(text, at: valueIndex)
        case let .bytes(bytes): statement.bind(blob: bytes, at: valueIndex)
        case let .blob(digest): statement.bind(blob: digest.bytes, at: valueIndex)
        }
    }

    /// Reads a change from the current row, whose columns start at `first` in `selectList` order.
    ///
    /// - Throws: `StoreError.corruptRow` if a column does not hold what the schema promises.
    static func read(_ statement: SQLiteStatement, from first: Int32 = 0) throws(StoreError) -> Change {
        do {
            return Change(
                origin: try ReplicaID(bytes: statement.blob(first)),
                seq: statement.uint64(first + 1),
                stamp: Timestamp(rawValue: statement.uint64(first + 2)),
                transaction: statement.uint64(first + 3),
                engagement: try EntityID(bytes: statement.blob(first + 4)),
                kind: statement.text(first + 5),
                entity: try EntityID(bytes: statement.blob(first + 6)),
                field: statement.text(first + 7),
                value: try readValue(statement, typeAt: first + 8, valueAt: first + 9),
                supersedes: try decode(statement.isNull(first + 10) ? [] : statement.blob(first + 10)))
        } catch {
            throw .corruptRow(table: "change", reason: error.description)
        }
    }

    /// Reads a value from its type-tag and payload columns.
    static func readValue(_ statement: SQLiteStatement, typeAt typeIndex: Int32, valueAt valueIndex: Int32) throws(ReplicationError) -> Value {
        guard let tag = Value.Tag(rawValue: UInt8(truncatingIfNeeded: statement.int64(typeIndex))),
              statement.int64(typeIndex) == Int64(tag.rawValue)
        else {
            throw .malformed(what: "value", reason: "unknown type tag \(statement.int64(typeIndex))")
        }
        switch tag {
        case .null: return .null
        case .integer: return .integer(statement.int64(valueIndex))
        case .real: return .real(statement.double(valueIndex))
        case .text: return .text(statement.text(valueIndex))
        case .bytes: return .bytes(statement.blob(valueIndex))
        case .blob: return .blob(try BlobDigest(bytes: statement.blob(valueIndex)))
        case .json: return .json(statement.text(valueIndex))
        }
    }

    /// `supersedes` as consecutive 24-byte entries: origin (16 bytes), seq (8 bytes big-endian).
    static func encode(_ ids: [ChangeID]) -> [UInt8] {
        var writer = ByteWriter(capacity: ids.count * 24)
        for id in ids {
            writer.write(id: id.origin)
            writer.write(id.seq)
        }
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(ReplicationError) -> [ChangeID] {
        guard bytes.count.isMultiple(of: 24) else {
            throw .malformed(what: "supersedes list", reason: "\(bytes.count) bytes is not a multiple of 24")
        }
        var ids: [ChangeID] = []
        ids.reserveCapacity(bytes.count / 24)
        var offset = 0
        while offset < bytes.count {
            let origin = try ReplicaID(bytes: bytes[offset..<offset + 16])
            let seq = bytes[offset + 16..<offset + 24].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            ids.append(ChangeID(origin: origin, seq: seq))
            offset += 24
        }
        return ids
    }
}

/// How every backend stores a change's `supersedes` list: the same bytes in every store.
public enum SupersedesColumn {
    /// The list as consecutive 24-byte entries: origin (16 bytes), seq (8 bytes big-endian).
    public static func encode(_ ids: [ChangeID]) -> [UInt8] { ChangeColumns.encode(ids) }

    /// Reads the list back.
    ///
    /// - Throws: `ReplicationError.malformed` if the bytes are not whole entries.
    public static func decode(_ bytes: [UInt8]) throws(ReplicationError) -> [ChangeID] { try ChangeColumns.decode(bytes) }
}
