import AuditModel
import AuditStore
import Replication

/// Writes entities' fields inside one store transaction: one command, one transaction.
struct EntityWriter {
    var transaction: LocalTransaction
    let engagement: EntityID

    /// Writes fields of an entity of the engagement; each write supersedes the field's visible values.
    mutating func put(_ writes: FieldWrites, entity: EntityID, kind: EntityKind) throws {
        for (field, value) in writes {
            try transaction.set(value, field, of: entity, kind: kind.rawValue, engagement: engagement)
        }
    }

    /// Links evidence to targets (an entity id with its kind, or a requirement with the kind
    /// `requirement`); each pair's link has the id `EvidenceLink.id(evidence:target:)`.
    mutating func link(_ evidence: EntityID, to targets: [(target: String, kind: String)]) throws {
        for link in targets {
            try put(
                EvidenceLink.writes(evidence: evidence, target: link.target, targetKind: link.kind),
                entity: EvidenceLink.id(evidence: evidence, target: link.target), kind: .link)
        }
    }

    /// The visible values of a field, as this transaction sees them.
    func state(of entity: EntityID, _ field: String) throws -> FieldState? {
        try transaction.state(of: FieldKey(entity: entity, field: field))
    }

    /// Marks an entity deleted.
    mutating func delete(_ entity: EntityID, kind: EntityKind) throws {
        try transaction.delete(entity, kind: kind.rawValue, engagement: engagement)
    }

    /// Clears an entity's deletion mark.
    mutating func restore(_ entity: EntityID, kind: EntityKind) throws {
        try transaction.restore(entity, kind: kind.rawValue, engagement: engagement)
    }
}

extension Replica {
    /// Runs one command's writes in one durable transaction in `engagement`, and commits them
    /// only if the engagement's roster, as the transaction leaves it, allows every one of them
    /// (`Roster`): the rules peers apply on import, so nothing written here is refused elsewhere.
    ///
    /// A transaction that writes into an engagement nobody founded yet (no founder recorded, no
    /// engagement entity) founds it: this replica becomes its founder.
    ///
    /// - Throws: `.refused` naming the first change the roster refuses; `.noLeadLeft` when the
    ///   transaction changes the team and leaves it without a lead. Nothing is written then.
    func write<T>(in engagement: EntityID, _ body: (inout EntityWriter) throws -> T) throws(FieldAuditError) -> T {
        try write(in: engagement, reading: nil) { _, writer in try body(&writer) }
    }

    /// A capture command's reads and writes in ONE durable transaction: reads the engagement,
    /// its team and its entities of `kinds` inside the write transaction (refusing a closed
    /// engagement, as `capturing` does), runs `body` with that record, and commits as `write`
    /// does. One transaction instead of a read and a write, and the roster read once when the
    /// body changes neither the team nor the engagement.
    ///
    /// - Throws: `.notFound` for an engagement not held, `.engagementClosed`, and as `write`.
    func capture<T>(
        in engagement: EntityID, kinds: [EntityKind], _ body: (EngagementRecord, inout EntityWriter) throws -> T
    ) throws(FieldAuditError) -> T {
        try write(in: engagement, reading: kinds) { record, writer in
            guard let record else { throw FieldAuditError.notFound(kind: "engagement", id: engagement.description) }
            return try body(record, &writer)
        }
    }

    /// `write`, reading the engagement's record of `kinds` first inside the transaction when
    /// `kinds` is given (`nil` if the engagement is not held).
    private func write<T>(
        in engagement: EntityID, reading kinds: [EntityKind]?, _ body: (EngagementRecord?, inout EntityWriter) throws -> T
    ) throws(FieldAuditError) -> T {
        // Every writing command clears what killed ones left in the blob folder (`verify` lists it).
        blobs.removeAbandonedScratch()
        do {
            return try store.write(as: identity.id) { transaction in
                let founder = try transaction.founder(of: engagement)
                var record: EngagementRecord?
                var before: [EntitySnapshot]?
                if let kinds {
                    let snapshots = try transaction.snapshots(engagement: engagement, kinds: Roster.kinds + kinds.map(\.rawValue))
                    let directory = location.directory
                    record = EngagementRecord(engagement: engagement, snapshots: snapshots, catalogs: { Self.catalogs(in: directory) })
                    if let record { try refuseIfClosed(record) }
                    before = snapshots
                }
                // An engagement whose record was read exists: only an unread one may be founded here.
                let founding = try founder == nil && record == nil
                    && transaction.snapshots(engagement: engagement, kinds: [EntityKind.engagement.rawValue]).isEmpty
                var writer = EntityWriter(transaction: transaction, engagement: engagement)
                defer { transaction = writer.transaction }
                let result = try body(record, &writer)
                if founding { try writer.transaction.recordFounder(of: engagement) }
                // The roster read before the body is the one the transaction leaves when the body
                // wrote no engagement or member and founded nothing: then it is not read again.
                let unchanged = !founding && !writer.transaction.written.contains { Roster.kinds.contains($0.kind) }
                try authorize(writer.transaction, in: engagement, roster: unchanged ? before.map { (founder, $0) } : nil)
                return result
            }
        } catch let StoreError.behindOwnHistory(head, heldThrough, heldBy) {
            throw .behindOwnHistory(head: head, heldThrough: heldThrough, heldBy: displayName(of: heldBy))
        } catch {
            throw Self.wrap(error)
        }
    }

    /// Checks every change of a local transaction against its engagement's roster as the
    /// transaction leaves it, before it commits. `roster` is that roster's recorded founder and
    /// snapshots when the caller has read them in this transaction after the last change to them.
    private func authorize(_ transaction: LocalTransaction, in engagement: EntityID, roster read: (ReplicaID?, [EntitySnapshot])? = nil) throws {
        let written = transaction.written
        guard !written.isEmpty else { return }
        let roster = if let read {
            Roster(engagement: engagement, recordedFounder: read.0, snapshots: read.1)
        } else {
            Roster(
                engagement: engagement, recordedFounder: try transaction.founder(of: engagement),
                snapshots: try transaction.snapshots(engagement: engagement, kinds: Roster.kinds))
        }
        let changes = written.map {
            (id: $0.id, engagement: $0.engagement, kind: $0.kind, field: $0.field, entity: Optional($0.entity), supersedes: !$0.supersedes.isEmpty)
        }
        if let refusal = Roster.firstRefusal(among: changes, rosters: [engagement: roster]) {
            throw FieldAuditError.refused(refusal)
        }
        for change in written where change.field == Change.deletedField {
            let refusal = try roster.refusal(
                ofDeleting: change.id, kind: change.kind, entity: change.entity,
                authorWroteIt: try transaction.wrote(change.id.origin, entity: change.entity, before: change.id.seq))
            if let refusal { throw FieldAuditError.refused(refusal) }
        }
        if written.contains(where: { $0.kind == EntityKind.member.rawValue }), roster.leads.isEmpty {
            throw FieldAuditError.noLeadLeft(engagement: engagement)
        }
    }

    /// Refuses at once what the roster would refuse when the write commits, for a command that
    /// may end without writing (or should not do its work first): this replica's next change to
    /// `field` of an entity of `kind` in `engagement`.
    func requirePermission(toWrite kind: EntityKind, field: String, in engagement: EntityID) throws(FieldAuditError) {
        do {
            let next = ChangeID(origin: identity.id, seq: try store.vector()[identity.id] + 1)
            if let refusal = try roster(of: engagement).refusal(of: next, kind: kind.rawValue, field: field) {
                throw FieldAuditError.refused(refusal)
            }
        } catch {
            throw Self.wrap(error)
        }
    }

    /// Maps any error to `FieldAuditError`.
    static func wrap(_ error: any Error) -> FieldAuditError {
        switch error {
        case let error as FieldAuditError: error
        case let error as StoreError: .store(error)
        case let error as AuditModelError: .model(error)
        default: .store(.unexpected("\(error)"))
        }
    }

    /// Runs domain validation, wrapping its error.
    func validate<T>(_ body: () throws(AuditModelError) -> T) throws(FieldAuditError) -> T {
        do { return try body() } catch { throw .model(error) }
    }
}
