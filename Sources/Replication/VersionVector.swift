/// For each origin, the highest seq this replica holds together with every seq below it.
///
/// Changes held beyond a gap are applied (the merge laws make that safe) but not advertised, so a
/// peer exporting against this vector sends them again; import ignores the duplicates.
public struct VersionVector: Hashable, Sendable, Sequence {
    /// The gap-free prefix length per origin; origins with nothing held are absent.
    public private(set) var entries: [ReplicaID: UInt64]

    /// A vector holding `entries`; origins with seq 0 are dropped, so equal holdings make equal vectors.
    public init(_ entries: [ReplicaID: UInt64] = [:]) {
        self.entries = entries.filter { $0.value > 0 }
    }

    /// The highest gap-free seq held for `origin` (0 when none).
    public subscript(origin: ReplicaID) -> UInt64 {
        get { entries[origin] ?? 0 }
        set { entries[origin] = newValue > 0 ? newValue : nil }
    }

    /// Whether this vector says the change is held.
    public func contains(_ id: ChangeID) -> Bool { id.seq <= self[id.origin] }

    /// The pointwise maximum of two vectors.
    public func merging(_ other: VersionVector) -> VersionVector {
        VersionVector(entries.merging(other.entries, uniquingKeysWith: { Swift.max($0, $1) }))
    }

    /// Whether every entry of `other` is at or below this vector's.
    public func dominates(_ other: VersionVector) -> Bool {
        other.entries.allSatisfy { self[$0.key] >= $0.value }
    }

    /// Entries sorted by origin, the order in which they are encoded and shown.
    public var sorted: [(origin: ReplicaID, seq: UInt64)] {
        entries.sorted { $0.key < $1.key }.map { (origin: $0.key, seq: $0.value) }
    }

    /// Iterates the entries sorted by origin, as `sorted` lists them.
    public func makeIterator() -> some IteratorProtocol<(origin: ReplicaID, seq: UInt64)> {
        sorted.makeIterator()
    }
}
