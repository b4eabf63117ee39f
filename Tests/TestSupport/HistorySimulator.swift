import Replication

/// Random concurrent histories for the convergence properties.
///
/// 3–5 replicas, each with its own skewed clock, edit a handful of entities (sets of every value
/// type, deletes, restores, and writes that resolve conflicts), and now and then pass a random
/// subset of what they hold to another replica, in random order with duplicates.
public struct HistorySimulator {
    /// One simulated replica: its identity, clock and state.
    public struct Peer {
        public let identity: ReplicaIdentity
        public var clock: HybridLogicalClock
        public var state = ReplicatedState()
        public var lastSeq: UInt64 = 0
        public var skew: Int64
    }

    public private(set) var peers: [Peer]
    public private(set) var generator: SeededGenerator
    private var now: UInt64 = 1_764_000_000_000
    public let engagement: EntityID
    private let entities: [(EntityID, String)]
    private static let fields = ["title", "statement", "grade", Change.deletedField]

    public init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
        let count = Int.random(in: 3...5, using: &generator)
        peers = (0..<count).map { index in
            Peer(identity: testIdentity(seed &* 31 &+ UInt64(index)), clock: HybridLogicalClock(), skew: 0)
        }
        for index in peers.indices { peers[index].skew = Int64.random(in: -50...50, using: &generator) }
        engagement = testEntity(seed ^ 0xE)
        entities = (0..<4).map { index in
            (testEntity(seed &+ 100 &+ UInt64(index)), index == 0 ? "finding" : "note")
        }
    }

    /// Every change any replica wrote.
    public var allChanges: [Change] {
        var all: [ChangeID: Change] = [:]
        for peer in peers { all.merge(peer.state.changes) { first, _ in first } }
        return all.values.sorted { $0.id < $1.id }
    }

    /// The state the reference (`ReplicatedState`) reaches from every change any replica wrote:
    /// what a store holding them all must hold.
    public func referenceState() throws -> ReplicatedState {
        var state = ReplicatedState()
        for change in allChanges { try state.apply(change) }
        return state
    }

    /// Runs `steps` random steps.
    public mutating func run(steps: Int) {
        for _ in 0..<steps {
            now += UInt64.random(in: 0...3, using: &generator)
            let index = Int.random(in: peers.indices, using: &generator)
            if generator.chance(0.7) {
                edit(at: index)
            } else {
                var target = Int.random(in: peers.indices, using: &generator)
                if target == index { target = (target + 1) % peers.count }
                let sent = shuffledWithDuplicates(subset(of: Array(peers[index].state.changes.values)))
                for change in sent { try! peers[target].state.apply(change) }
            }
        }
    }

    private mutating func edit(at index: Int) {
        var peer = peers[index]
        let wall = UInt64(Int64(now) + peer.skew)
        var writer = ChangeWriter(origin: peer.identity.id, lastSeq: peer.lastSeq, clock: peer.clock, now: wall)
        for _ in 0..<Int.random(in: 1...3, using: &generator) {
            let (entity, kind) = entities.randomElement(using: &generator)!
            let field = Self.fields.randomElement(using: &generator)!
            let key = FieldKey(entity: entity, field: field)
            let value = field == Change.deletedField ? .bool(generator.chance(0.6)) : randomValue()
            let change = writer.write(value, to: key, kind: kind, engagement: engagement, over: peer.state.state(of: key))
            try! peer.state.apply(change)
        }
        peer.clock = writer.clock
        peer.lastSeq += UInt64(writer.written.count)
        peers[index] = peer
    }

    /// A random value of any type.
    public mutating func randomValue() -> Value {
        switch Int.random(in: 0..<7, using: &generator) {
        case 0: .null
        case 1: .integer(Int64.random(in: -1000...1000, using: &generator))
        case 2: .real(Double.random(in: -1...1, using: &generator))
        case 3: .text(["conforming", "major", "Risk register incomplete", "é 漢字 ✓", ""].randomElement(using: &generator)!)
        case 4: .bytes(generator.bytes(Int.random(in: 0...8, using: &generator)))
        case 5: .blob(try! BlobDigest(bytes: generator.bytes(32)))
        default: .json(#"{"sample":\#(Int.random(in: 1...9, using: &generator))}"#)
        }
    }

    /// A random subset of `changes`.
    public mutating func subset(of changes: [Change]) -> [Change] {
        changes.filter { _ in generator.chance(0.6) }
    }

    /// `changes` in random order, about a fifth of them twice.
    public mutating func shuffledWithDuplicates(_ changes: [Change]) -> [Change] {
        var out = changes
        for change in changes where generator.chance(0.2) { out.append(change) }
        out.shuffle(using: &generator)
        return out
    }

    /// `changes` cut into random consecutive batches (so a batch may leave gaps another fills).
    public mutating func batches(_ changes: [Change]) -> [[Change]] {
        var batches: [[Change]] = []
        var rest = changes[...]
        while !rest.isEmpty {
            let size = Int.random(in: 1...max(1, rest.count), using: &generator)
            batches.append(Array(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        return batches
    }
}
