/// A value of a field that no known change supersedes.
public struct VisibleValue: Hashable, Sendable {
    /// The change that wrote it.
    public let id: ChangeID
    /// That change's stamp.
    public let stamp: Timestamp
    /// The value written.
    public let value: Value

    /// A visible value written by change `id` at `stamp`.
    public init(id: ChangeID, stamp: Timestamp, value: Value) {
        self.id = id
        self.stamp = stamp
        self.value = value
    }

    /// The display order: greater `(stamp, origin, seq)` first. A total order that never looks at
    /// which replica is local and never compares values.
    public static func displayPrecedes(_ lhs: VisibleValue, _ rhs: VisibleValue) -> Bool {
        if lhs.stamp != rhs.stamp { return lhs.stamp > rhs.stamp }
        if lhs.id.origin != rhs.id.origin { return lhs.id.origin > rhs.id.origin }
        return lhs.id.seq > rhs.id.seq
    }
}

/// The state of one field under the multi-value register: every visible value, winner first.
///
/// One visible value is the field's value. Several are a conflict: all are kept and shown, and
/// the winner is only the one displayed first. A write that supersedes every visible value
/// resolves the conflict on every replica that learns of it.
public struct FieldState: Hashable, Sendable {
    /// The visible values in display order; never empty.
    public let values: [VisibleValue]

    /// Orders `values` for display; `nil` when there is none.
    public init?<Values: Sequence<VisibleValue>>(_ values: Values) {
        let ordered = values.sorted(by: VisibleValue.displayPrecedes)
        guard !ordered.isEmpty else { return nil }
        self.values = ordered
    }

    /// The displayed value: the greatest `(stamp, origin, seq)`.
    public var winner: VisibleValue { values[0] }

    /// Whether concurrent writes left more than one visible value.
    public var isConflict: Bool { values.count > 1 }

    /// The ids a write must supersede to replace every visible value.
    public var supersedableIDs: [ChangeID] { values.map(\.id).sorted() }
}
