import GRDB
import Replication

/// One link of an origin's chain as the log holds it: a full change, or a redacted placeholder.
enum ChainLink {
    /// A change and the hash stored with it (nil while beyond a gap).
    case change(Change, stored: ChangeHash?)
    /// A change withheld from this replica: its id and chain hash.
    case redacted(ChangeID, ChangeHash)
    /// A log row that cannot be read back.
    case unreadable(origin: ReplicaID?, seq: UInt64, reason: String)

    var origin: ReplicaID? {
        switch self {
        case let .change(change, _): change.origin
        case let .redacted(id, _): id.origin
        case let .unreadable(origin, _, _): origin
        }
    }

    var seq: UInt64 {
        switch self {
        case let .change(change, _): change.seq
        case let .redacted(id, _): id.seq
        case let .unreadable(_, seq, _): seq
        }
    }
}

extension Store {
    /// Every link of every origin's chain, in (origin, seq) order: full changes and placeholders.
    static func forEachLink(_ db: Database, _ body: (ChainLink) throws -> Void) throws {
        let statement = try SQLiteStatement(db, """
            SELECT \(ChangeColumns.selectList), hash, 0 FROM change
            UNION ALL
            SELECT origin, seq, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, hash, 1 FROM redacted
            ORDER BY 1, 2
            """)
        defer { statement.reset() }
        while try statement.step() {
            let stored = statement.isNull(11) ? nil : try? ChangeHash(bytes: statement.blob(11))
            if statement.int64(12) == 1 {
                guard let origin = try? ReplicaID(bytes: statement.blob(0)), let stored else {
                    try body(.unreadable(origin: nil, seq: statement.uint64(1), reason: "a redacted placeholder is malformed"))
                    continue
                }
                try body(.redacted(ChangeID(origin: origin, seq: statement.uint64(1)), stored))
                continue
            }
            do {
                try body(.change(try ChangeColumns.read(statement), stored: stored))
            } catch let error as StoreError {
                try body(.unreadable(origin: try? ReplicaID(bytes: statement.blob(0)), seq: statement.uint64(1), reason: error.description))
            }
        }
    }

    /// Derives every origin's chain from the log: the gap-free prefix and its head (placeholders
    /// bring their own hashes).
    static func deriveChains(_ db: Database) throws -> [ReplicaID: OriginChain] {
        var chains: [ReplicaID: OriginChain] = [:]
        try forEachLink(db) { link in
            guard let origin = link.origin else { return }
            var chain = chains[origin] ?? OriginChain(origin: origin)
            defer { chains[origin] = chain }
            switch link {
            case let .change(change, _) where chain.isNext(change.id):
                _ = try chain.extend(by: change)
            case let .redacted(id, hash) where chain.isNext(id):
                try chain.adopt(id, recorded: hash)
            case .change, .redacted, .unreadable:
                return
            }
        }
        return chains
    }
}
