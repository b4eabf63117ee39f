/// An origin's hash chain up to its head: the seq and hash of its last link (`Sync/PROTOCOL.md` §3.1).
///
/// The one home of the chain law. A link — a change, or the id and content digest of a change
/// withheld from this replica — extends the chain only if its seq is the head's plus one, and the
/// new head is `ChangeHash.link(head, content digest)`. Every path that advances or checks a chain
/// (the reference state, the store's apply, rebuild and verify, a bundle's verification) extends
/// an `OriginChain`; none computes a link itself.
public struct OriginChain: Hashable, Sendable {
    /// The replica whose changes the chain links.
    public let origin: ReplicaID
    /// The seq of the last link: the length of the gap-free prefix, 0 for an empty chain.
    public private(set) var seq: UInt64
    /// The hash of the last link; `ChangeHash.genesis` for an empty chain.
    public private(set) var head: ChangeHash

    /// The empty chain of `origin`: nothing linked yet, its head the genesis hash.
    public init(origin: ReplicaID) {
        self.init(origin: origin, seq: 0, head: .genesis)
    }

    /// A chain whose last link is `seq` with hash `head`, as a replica holds it or a checkpoint signs it.
    public init(origin: ReplicaID, seq: UInt64, head: ChangeHash) {
        self.origin = origin
        self.seq = seq
        self.head = head
    }

    /// The chain just before `id`, ready to take it as its next link: the empty chain when `id`
    /// is its origin's first change, else the chain ending at its predecessor, whose hash
    /// `hashOf` looks up; `nil` when `hashOf` does not know the predecessor.
    ///
    /// - Throws: whatever `hashOf` throws.
    public static func before<Failure: Error>(
        _ id: ChangeID, hashOf: (ChangeID) throws(Failure) -> ChangeHash?
    ) throws(Failure) -> OriginChain? {
        guard id.seq > 1 else { return OriginChain(origin: id.origin) }
        let previous = ChangeID(origin: id.origin, seq: id.seq - 1)
        return try hashOf(previous).map { OriginChain(origin: id.origin, seq: previous.seq, head: $0) }
    }

    /// The id the next link must have.
    public var next: ChangeID { ChangeID(origin: origin, seq: seq + 1) }

    /// Whether `id` is the next link of this chain.
    public func isNext(_ id: ChangeID) -> Bool { id == next }

    /// Extends the chain by the link `id` whose content digest is `content`.
    ///
    /// - Returns: the link's hash, the new head.
    /// - Throws: `ReplicationError.notNextLink` if `id` is not `next`; the chain is then unchanged.
    @discardableResult
    public mutating func extend(by id: ChangeID, content: ContentDigest) throws(ReplicationError) -> ChangeHash {
        guard isNext(id) else { throw .notNextLink(id, expected: next) }
        head = ChangeHash.link(head, content)
        seq = id.seq
        return head
    }

    /// Extends the chain by a change.
    ///
    /// - Returns: the change's hash, the new head.
    /// - Throws: `ReplicationError.notNextLink` if the change is not next; the chain is then unchanged.
    @discardableResult
    public mutating func extend(by change: Change) throws(ReplicationError) -> ChangeHash {
        try extend(by: change.id, content: change.contentDigest)
    }

    /// Extends the chain by the link `id` and checks its hash against one recorded for it
    /// elsewhere (a placeholder held, a change's stored hash).
    ///
    /// - Returns: the link's hash, the new head.
    /// - Throws: `ReplicationError.notNextLink` if `id` is not `next`,
    ///   `ReplicationError.chainHashMismatch` if the derived hash is not `recorded`; the chain is
    ///   then unchanged.
    @discardableResult
    public mutating func extend(by id: ChangeID, content: ContentDigest, recorded: ChangeHash) throws(ReplicationError) -> ChangeHash {
        var extended = self
        let derived = try extended.extend(by: id, content: content)
        guard derived == recorded else { throw .chainHashMismatch(id, recorded: recorded, derived: derived) }
        self = extended
        return derived
    }

    /// Takes the next link with the hash recorded for it, without deriving it: for a change
    /// withheld from this replica and held as a placeholder, whose hash was derived when it
    /// arrived and whose content is not read again.
    ///
    /// - Throws: `ReplicationError.notNextLink` if `id` is not `next`; the chain is then unchanged.
    public mutating func adopt(_ id: ChangeID, recorded: ChangeHash) throws(ReplicationError) {
        guard isNext(id) else { throw .notNextLink(id, expected: next) }
        head = recorded
        seq = id.seq
    }
}
