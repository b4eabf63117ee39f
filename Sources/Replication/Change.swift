/// One change record: a write of one field of one entity, by one replica.
///
/// Changes are immutable facts. A replica's state is a function of the set of changes it holds
/// (see `Sync/PROTOCOL.md`, "Sync model"), so changes can arrive in any order, twice, or with gaps.
///
/// Invariants checked by `validate()`: `seq ≥ 1`; `1 ≤ transaction ≤ seq`; `kind` and `field` are
/// 1…255 bytes of UTF-8; `supersedes` is sorted, free of duplicates and does not name the change itself.
public struct Change: Hashable, Sendable {
    /// The replica that wrote the change.
    public var origin: ReplicaID
    /// Position in the origin's gap-free sequence, from 1.
    public var seq: UInt64
    /// Hybrid logical clock stamp at the origin when it wrote the change.
    public var stamp: Timestamp
    /// The seq of the first change of the same command at the same origin: one command, one transaction.
    public var transaction: UInt64
    /// The engagement the entity belongs to (an engagement's own changes name itself).
    public var engagement: EntityID
    /// The kind of entity: `engagement`, `interview`, `note`, `finding`, …
    public var kind: String
    /// The entity written.
    public var entity: EntityID
    /// The field written; `deleted` is the deletion flag.
    public var field: String
    /// The value written.
    public var value: Value
    /// The ids of the values of this field that the author saw when writing, sorted.
    public var supersedes: [ChangeID]

    /// Changes are equal when their canonical encodings are: names compare by UTF-8 bytes and
    /// values exactly (see `Value`), never by Unicode equivalence.
    public static func == (lhs: Change, rhs: Change) -> Bool {
        lhs.origin == rhs.origin && lhs.seq == rhs.seq && lhs.stamp == rhs.stamp && lhs.transaction == rhs.transaction
            && lhs.engagement == rhs.engagement && lhs.entity == rhs.entity && lhs.kind.utf8.elementsEqual(rhs.kind.utf8)
            && lhs.field.utf8.elementsEqual(rhs.field.utf8) && lhs.value == rhs.value && lhs.supersedes == rhs.supersedes
    }

    /// Hashes the change's id, entity, field (by UTF-8 bytes) and value: a subset of what `==`
    /// compares, so equal changes hash alike.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(origin)
        hasher.combine(seq)
        hasher.combine(entity)
        for byte in field.utf8 { hasher.combine(byte) }
        hasher.combine(value)
    }

    /// The field name that carries deletion: 1 deleted, 0 restored.
    public static let deletedField = "deleted"

    /// Makes a change; `supersedes` is sorted and deduplicated here.
    public init(
        origin: ReplicaID, seq: UInt64, stamp: Timestamp, transaction: UInt64,
        engagement: EntityID, kind: String, entity: EntityID, field: String,
        value: Value, supersedes: [ChangeID] = []
    ) {
        self.origin = origin
        self.seq = seq
        self.stamp = stamp
        self.transaction = transaction
        self.engagement = engagement
        self.kind = kind
        self.entity = entity
        self.field = field
        self.value = value
        self.supersedes = supersedes.count < 2 ? supersedes : Array(Set(supersedes)).sorted()
    }

    /// The change's id, `(origin, seq)`.
    public var id: ChangeID { ChangeID(origin: origin, seq: seq) }

    /// The field this change writes.
    public var fieldKey: FieldKey { FieldKey(entity: entity, field: field) }

    /// Checks the record's invariants.
    ///
    /// - Throws: `ReplicationError.invalidChange` naming the change and the broken rule.
    public func validate() throws(ReplicationError) {
        func fail(_ reason: String) -> ReplicationError { .invalidChange(id, reason: reason) }
        guard seq >= 1 else { throw fail("seq must start at 1") }
        guard seq <= UInt64(Int64.max) else { throw fail("seq must be below 2^63") }
        guard transaction >= 1, transaction <= seq else {
            throw fail("transaction \(transaction) must lie between 1 and its seq \(seq)")
        }
        guard (1...255).contains(kind.utf8.count) else { throw fail("entity kind must be 1 to 255 bytes") }
        guard (1...255).contains(field.utf8.count) else { throw fail("field name must be 1 to 255 bytes") }
        for (earlier, later) in zip(supersedes, supersedes.dropFirst()) where !(earlier < later) {
            throw fail("supersedes must be sorted without duplicates")
        }
        guard !supersedes.contains(id) else { throw fail("a change cannot supersede itself") }
        if let outside = supersedes.first(where: { $0.seq < 1 || $0.seq > UInt64(Int64.max) }) {
            throw fail("it supersedes \(outside), whose seq lies outside 1 ..< 2^63")
        }
    }
}

/// One field of one entity: the unit of the multi-value register.
///
/// Field names compare by their UTF-8 bytes, as SQLite compares them, never by Unicode equivalence.
public struct FieldKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The entity the field belongs to.
    public let entity: EntityID
    /// The field's name, compared by UTF-8 bytes.
    public let field: String

    /// Names the field `field` of `entity`.
    public init(entity: EntityID, field: String) {
        self.entity = entity
        self.field = field
    }

    /// Keys are equal when their entities are and their field names have the same UTF-8 bytes.
    public static func == (lhs: FieldKey, rhs: FieldKey) -> Bool {
        lhs.entity == rhs.entity && lhs.field.utf8.elementsEqual(rhs.field.utf8)
    }

    /// Hashes the entity and the field's UTF-8 bytes, as `==` compares them.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(entity)
        for byte in field.utf8 { hasher.combine(byte) }
    }

    /// Orders by entity bytes, then by the field's UTF-8 bytes (as SQLite's BINARY collation does).
    public static func < (lhs: FieldKey, rhs: FieldKey) -> Bool {
        if lhs.entity != rhs.entity { return lhs.entity < rhs.entity }
        return lhs.field.utf8.lexicographicallyPrecedes(rhs.field.utf8)
    }

    /// `entity-uuid.field`, for logs and errors.
    public var description: String { "\(entity).\(field)" }
}
