import GRDB
import Replication

extension Store {
    /// Checks the store from its log up, changing nothing.
    ///
    /// 1. Re-derives every origin's hash chain from the log and compares it with the hashes and
    ///    heads recorded, naming each change whose content no longer matches.
    /// 2. Copies the store into a scratch database, rebuilds the state there from the log, and
    ///    compares digests; on a difference, names each entity, field and change that differs.
    ///
    /// - Complexity: a scan of the log and of the state, and a full copy of the database in memory.
    public func verify() throws(StoreError) -> VerificationReport {
        let scratch: DatabaseQueue
        do { scratch = try DatabaseQueue() } catch { throw .cannotOpen(path: ":memory:", reason: "\(error)") }
        var report = try readTransaction { db in
            var report = VerificationReport(
                digest: try Self.digest(db), rebuiltDigest: nil,
                changeCount: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM change") ?? 0,
                originCount: try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT origin) FROM change") ?? 0,
                problems: [])
            report.problems += try Self.checkChains(db)
            try scratch.writeWithoutTransaction { destination in try db.backup(to: destination) }
            return report
        }
        do {
            try scratch.write { db in try ChangeTransaction.rebuild(rows: SQLiteRows(db, path: ":memory:"), searchableFields: []) }
            let rebuilt = try scratch.read { db in try Self.digest(db) }
            report.rebuiltDigest = rebuilt
            if rebuilt != report.digest {
                let live = try readTransaction { db in try Self.stateRows(db) }
                let replayed = try scratch.read { db in try Self.stateRows(db) }
                report.problems += Self.differences(live: live, rebuilt: replayed)
            }
        } catch {
            report.problems.append(.rebuildFailed(reason: Self.reason(error)))
        }
        return report
    }

    /// Checks another backend's store the way `verify()` checks this one: `fill` copies its log
    /// (changes with their recorded hashes, placeholders) and its materialised state (origins,
    /// entities, visible values, superseded ids) through `StateRows` into a scratch store in
    /// memory, which is then verified. One home for what "sound" means, whatever the backend.
    ///
    /// - Throws: `StoreError` if the scratch store cannot be filled; what `fill` throws, as `StoreError`.
    public static func verifyCopy(_ fill: (any StateRows) throws -> Void) throws(StoreError) -> VerificationReport {
        let scratch = try Store.inMemory()
        try scratch.writeTransaction { db in try fill(SQLiteRows(db, path: ":memory:")) }
        return try scratch.verify()
    }

    private static func reason(_ error: any Error) -> String {
        (error as? StoreError)?.description ?? (error as? DatabaseError)?.message ?? "\(error)"
    }

    /// Re-derives each origin's chain. A change is checked against the hash recorded for its
    /// predecessor, so an altered change is named alone rather than with all that follow it.
    static func checkChains(_ db: Database) throws -> [VerificationReport.Problem] {
        var problems: [VerificationReport.Problem] = []
        // Each chain as recorded: a change's recorded hash (its derived one if none) is the head
        // its successor is checked against.
        var recordedChains: [ReplicaID: OriginChain] = [:]
        try forEachLink(db) { link in
            if case let .unreadable(_, seq, reason) = link {
                problems.append(.unreadableRow(table: "change", reason: "seq \(seq): \(reason)"))
                return
            }
            guard let origin = link.origin else { return }
            var chain = recordedChains[origin] ?? OriginChain(origin: origin)
            switch link {
            case let .change(change, recorded) where chain.isNext(change.id):
                var derived = chain
                let hash = try derived.extend(by: change)
                if recorded != hash {
                    problems.append(.brokenChain(
                        change: change.id, entity: change.entity, field: change.field,
                        recorded: recorded?.hex ?? "nothing", derived: hash.hex))
                }
                try chain.adopt(change.id, recorded: recorded ?? hash)
            case let .redacted(id, hash) where chain.isNext(id):
                try chain.adopt(id, recorded: hash)
            case .change, .redacted, .unreadable:
                return
            }
            recordedChains[origin] = chain
        }
        let derived = try deriveChains(db)
        try forEachRow(db, "SELECT replica, contiguous, head FROM origin ORDER BY replica", table: "origin") { row in
            let origin = try ReplicaID(bytes: row.blob(0))
            let recorded = "\(row.uint64(1)) changes, head \(Hex.encode(row.blob(2)).prefix(16))…"
            let chain = derived[origin] ?? OriginChain(origin: origin)
            let expected = "\(chain.seq) changes, head \(chain.head.hex.prefix(16))…"
            if row.uint64(1) != chain.seq || row.blob(2) != chain.head.bytes {
                problems.append(.originMismatch(origin: origin, recorded: recorded, derived: expected))
            }
        }
        return problems
    }

    /// One row of materialised state, reduced to what identifies it and its canonical bytes.
    struct StateRow: Hashable {
        var table: String
        var entity: EntityID?
        var field: String?
        var change: ChangeID?
        var bytes: [UInt8]
    }

    static func stateRows(_ db: Database) throws -> [StateRow] {
        var rows: [StateRow] = []
        try forEachRow(db, "SELECT id, kind, engagement, deleted FROM entity", table: "entity") { row in
            var writer = ByteWriter()
            writer.write(name: row.text(1))
            writer.write(raw: row.blob(2))
            writer.write(UInt64(bitPattern: row.int64(3)))
            rows.append(StateRow(table: "entity", entity: try EntityID(bytes: row.blob(0)), bytes: writer.bytes))
        }
        try forEachRow(db, "SELECT entity, field, origin, seq, stamp, type, value FROM field_value", table: "field_value") { row in
            var writer = ByteWriter()
            writer.write(row.uint64(4))
            writer.write(try ChangeColumns.readValue(row, typeAt: 5, valueAt: 6))
            rows.append(StateRow(
                table: "field_value", entity: try EntityID(bytes: row.blob(0)), field: row.text(1),
                change: ChangeID(origin: try ReplicaID(bytes: row.blob(2)), seq: row.uint64(3)), bytes: writer.bytes))
        }
        try forEachRow(db, "SELECT entity, field, origin, seq FROM superseded", table: "superseded") { row in
            rows.append(StateRow(
                table: "superseded", entity: try EntityID(bytes: row.blob(0)), field: row.text(1),
                change: ChangeID(origin: try ReplicaID(bytes: row.blob(2)), seq: row.uint64(3)), bytes: []))
        }
        try forEachRow(db, "SELECT replica, contiguous, head FROM origin", table: "origin") { row in
            var writer = ByteWriter()
            writer.write(row.uint64(1))
            writer.write(raw: row.blob(2))
            rows.append(StateRow(
                table: "origin", change: ChangeID(origin: try ReplicaID(bytes: row.blob(0)), seq: row.uint64(1)),
                bytes: writer.bytes))
        }
        return rows
    }

    static func differences(live: [StateRow], rebuilt: [StateRow]) -> [VerificationReport.Problem] {
        struct Identity: Hashable { var table: String; var entity: EntityID?; var field: String?; var change: ChangeID? }
        func identity(_ row: StateRow) -> Identity { Identity(table: row.table, entity: row.entity, field: row.field, change: row.change) }
        let liveSet = Set(live), rebuiltSet = Set(rebuilt)
        let extra = live.filter { !rebuiltSet.contains($0) }
        let missing = rebuilt.filter { !liveSet.contains($0) }
        let missingIdentities = Set(missing.map(identity))
        let extraIdentities = Set(extra.map(identity))
        func problem(_ row: StateRow, _ detail: String) -> VerificationReport.Problem {
            .stateMismatch(entity: row.entity, field: row.field, change: row.change, detail: "\(row.table) row \(detail)")
        }
        return extra.map { row in
            missingIdentities.contains(identity(row))
                ? problem(row, "holds other content than the log produces") : problem(row, "is stored but the log does not produce it")
        } + missing.filter { !extraIdentities.contains(identity($0)) }.map { problem($0, "follows from the log but is not stored") }
    }
}
