import Crypto

/// The SHA-256 of a replica's whole materialised state, in the canonical order of
/// `Sync/PROTOCOL.md`, "State digest". Two replicas holding the same set of changes have the same digest.
public struct StateDigest: Hashable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// 64 lowercase hex digits, as `verify` prints them for replicas to compare.
    public var hex: String { Hex.encode(bytes) }
    /// The 64 hex digits, as `hex`.
    public var description: String { hex }

    /// Feeds the state's rows, section by section, each section sorted as the protocol says.
    ///
    /// Sections must come in order: entities, visible values, superseded ids, origins.
    public struct Builder {
        private var hasher = SHA256()
        private var writer = ByteWriter(capacity: 256)

        /// A builder that has fed nothing yet.
        public init() {}

        private mutating func flush() {
            hasher.update(data: writer.bytes)
            writer = ByteWriter(capacity: 256)
        }

        /// An entity, sorted by id: its kind, engagement, and whether its `deleted` field's winner is true.
        public mutating func addEntity(_ entity: EntityID, kind: String, engagement: EntityID, deleted: Bool) {
            writer.write(UInt8(1))
            writer.write(id: entity)
            writer.write(name: kind)
            writer.write(id: engagement)
            writer.write(UInt8(deleted ? 1 : 0))
            flush()
        }

        /// A visible value of a field, sorted by (entity, field, origin, seq).
        public mutating func addVisible(_ key: FieldKey, _ value: VisibleValue) {
            writer.write(UInt8(2))
            writer.write(id: key.entity)
            writer.write(name: key.field)
            writer.write(id: value.id.origin)
            writer.write(value.id.seq)
            writer.write(value.stamp.rawValue)
            writer.write(value.value)
            flush()
        }

        /// A change id some held change supersedes, sorted by (entity, field, origin, seq).
        public mutating func addSuperseded(_ key: FieldKey, _ id: ChangeID) {
            writer.write(UInt8(3))
            writer.write(id: key.entity)
            writer.write(name: key.field)
            writer.write(id: id.origin)
            writer.write(id.seq)
            flush()
        }

        /// An origin's gap-free prefix and the hash of its last change, sorted by origin.
        public mutating func addOrigin(_ origin: ReplicaID, contiguous: UInt64, head: ChangeHash) {
            writer.write(UInt8(4))
            writer.write(id: origin)
            writer.write(contiguous)
            writer.write(raw: head.bytes)
            flush()
        }

        /// The digest of everything fed so far.
        public func finalize() -> StateDigest {
            StateDigest(bytes: Array(hasher.finalize()))
        }
    }
}
