import AuditModel
import AuditStore
import BundleFormat
import Foundation
import Replication

/// What `rotateKey(exporting:to:newIdentity:)` did.
public struct KeyRotationSummary: Sendable, Encodable {
    /// The retired key's replica id, hex.
    public var retired: String
    /// The new key's replica id, hex.
    public var replica: String
    /// The new key's fingerprint, for the lead to compare.
    public var fingerprint: String
    /// Per engagement (id), the last seq of the retired key accepted there.
    public var retiredAfter: [String: UInt64]
    /// Where the retired key file was moved (kept, mode 0600).
    public var retiredKeyFile: String
    /// The rotation bundle, signed with the retired key.
    public var bundle: ExportSummary
    /// The engagements (ids) the retired key was the founder of: there the new key is the
    /// founder from the record on, with no `team rotate` (`Sync/PROTOCOL.md` §22.3).
    public var founderOf: [String] = []
}

/// What `rotateMember(_:to:keepingThrough:engagement:)` did.
public struct MemberRotation: Sendable, Encodable {
    /// The retired key's replica id, hex.
    public var retired: String
    /// The new key's replica id, hex.
    public var replica: String
    /// The new key's fingerprint, to compare with what its owner reads out (`fieldaudit whoami`).
    public var fingerprint: String
    /// The member's name and role, which continue under the new key.
    public var name: String
    /// The role that continues.
    public var role: String
    /// The last of the retired key's seqs accepted.
    public var retiredAfter: UInt64
    /// Whether the retirement point is the one the retired key's own rotation record states.
    public var fromRotationRecord: Bool
    /// The `keepingThrough` asked for when it lay beyond the retired key's own rotation record,
    /// which every replica enforces whatever the lead records: `retiredAfter` is the record's point.
    public var requestedAfter: UInt64? = nil
    /// The other engagements (ids) this replica founded where the old key is still on the team,
    /// not yet continued: a rotation is recorded one engagement at a time, so each needs its own
    /// `team rotate`.
    public var otherEngagements: [String] = []
}

extension Replica {
    /// The file a key rotation in progress keeps its new key in until it is done, so that a
    /// rotation interrupted after its records were written resumes with the same key.
    var nextKeyFile: String { location.directory + "/identity.next.key" }

    /// Replaces this replica's signing key by a new one for the same auditor, keeping the store.
    ///
    /// In one pass: in every engagement where this replica is a member or the current founder, the old
    /// key writes its own rotation record (`KeyRotation`) naming the new key, which retires it
    /// there from that change on for every replica (`Roster`); it exports `request` (for the lead:
    /// the records and everything the lead lacks), still signed with the old key, so the lead can
    /// read it; it signs a last checkpoint of its own chain, so its changes keep travelling; then
    /// the old key file is moved aside (kept, mode 0600) and the new one takes its place. The new
    /// key writes in an engagement once the founding lead has put it on the team (`team rotate`);
    /// where this replica was the founder, the new key is the founder from the record on (no one
    /// need trust it) and continues the old key's member entity at once (`continueFounder`).
    ///
    /// Interrupted before the key changed, it can be run again: it resumes with the same new key.
    ///
    /// - Returns: the replica under its new key, and what was done.
    /// - Throws: `.notPermitted` for a central on PostgreSQL, or when another entity holds the id
    ///   of a record to write (`checkRotationRecordIDsAreFree`: nothing is written then); export or
    ///   I/O errors, after which the old key is still this replica's.
    public func rotateKey(
        exporting request: ExportRequest, to output: OutputFile, newIdentity: ReplicaIdentity = .generate()
    ) throws(FieldAuditError) -> (replica: Replica, summary: KeyRotationSummary) {
        guard store is Store else {
            throw .notPermitted(action: "rotating the key of a central repository on PostgreSQL", role: "central", rule: "a central authors nothing in the engagements it keeps; key rotation is for team members' laptops")
        }
        var retiredAfter: [String: UInt64] = [:]
        var memberships: [(engagement: EntityID, name: String)] = []
        var founded: [EntityID] = []
        for engagement in try engagements() {
            let roster = try perform { () throws(StoreError) in
                Roster(engagement: engagement.id, recordedFounder: try store.founder(of: engagement.id),
                       snapshots: try store.snapshots(engagement: engagement.id, kinds: Roster.kinds))
            }
            // The founder's own record moves the founder authority to the new key (§22.3).
            if let link = roster.founders.first(where: { $0.replica == identity.id }) {
                if let done = link.through {
                    retiredAfter[engagement.id.description] = done
                } else {
                    let name = (try record(of: engagement.id, kinds: []).members.first { $0.replica == identity.id }?.name) ?? self.name
                    memberships.append((engagement.id, name))
                }
                founded.append(engagement.id)
                continue
            }
            guard let membership = roster.members[identity.id], membership.removedAfter == nil else { continue }
            if let done = membership.retiredAfter {
                retiredAfter[engagement.id.description] = done
                continue
            }
            let name = (try record(of: engagement.id, kinds: []).members.first { $0.replica == identity.id }?.name) ?? self.name
            memberships.append((engagement.id, name))
        }
        // Every record's id checked before any is written, so the rotation never stops partway.
        try checkRotationRecordIDsAreFree(in: memberships.map(\.engagement), founded: Set(founded))
        // The new key, kept beside the store until the rotation is done (a resumed one reuses it).
        let next: ReplicaIdentity
        if FileManager.default.fileExists(atPath: nextKeyFile) {
            next = try KeyFile.load(from: nextKeyFile)
        } else {
            try KeyFile.create(newIdentity, at: nextKeyFile)
            next = newIdentity
        }
        let nextCard = IdentityCard(name: name, identity: next)
        for (engagement, name) in memberships {
            try write(in: engagement) { writer in
                try writer.put(
                    KeyRotation.writes(replica: identity.id, successor: next.id, name: name, publicKey: nextCard.publicKey, agreementKey: nextCard.agreementKey),
                    entity: KeyRotation.id(engagement: engagement, replica: identity.id), kind: .keyRotation)
            }
            let roster: Roster
            do { roster = try self.roster(of: engagement) } catch { throw Self.wrap(error) }
            retiredAfter[engagement.description] = roster.members[identity.id]?.retiredAfter
                ?? roster.founders.first { $0.replica == identity.id }?.through
        }
        var exported = request
        if let key = nextCard.agreementKey.flatMap({ Data(base64Encoded: $0) }) { exported.extraRecipients.append([UInt8](key)) }
        let bundle = try export(exported, to: output)
        try keepLastCheckpoint()
        let retiredFile = try swapKey(for: next)
        let rotated = try Replica.open(at: location, clock: clock)
        for engagement in founded {
            try rotated.continueFounder(identity.id, in: engagement)
        }
        return (rotated, KeyRotationSummary(
            retired: identity.id.hex, replica: next.id.hex, fingerprint: next.fingerprint, retiredAfter: retiredAfter,
            retiredKeyFile: retiredFile, bundle: bundle, founderOf: founded.map(\.description)))
    }

    /// Refuses, before anything is written, a rotation whose record cannot be written in one of
    /// `engagements`: its id (`KeyRotation.id(engagement:replica:)`, derived from public ids) is
    /// held by an entity of another kind or engagement, which someone wrote on purpose (§22.3,
    /// "Limits of version 1"); writing the records elsewhere first would leave the old key retired
    /// in some engagements and not swapped.
    ///
    /// - Throws: `.notPermitted` naming the engagement, the squatting entity's kind and its author,
    ///   and what to do instead.
    private func checkRotationRecordIDsAreFree(in engagements: [EntityID], founded: Set<EntityID>) throws(FieldAuditError) {
        for engagement in engagements {
            let id = KeyRotation.id(engagement: engagement, replica: identity.id)
            guard let held = try perform({ () throws(StoreError) in try store.snapshot(id) }),
                  held.kind != EntityKind.keyRotation.rawValue || held.engagement != engagement
            else { continue }
            let authors = Set(held.fields.values.flatMap { $0.values.map(\.id.origin) }).map(\.short).sorted().joined(separator: ", ")
            let next = founded.contains(engagement)
                ? "as its founding lead, start a new engagement under the new key (README, \"A lost or broken laptop\") and report replica \(authors) to your certification body"
                : "ask the founding lead to retire this key there with `fieldaudit team rotate \(identity.id.short) --to NEW-CARD` and to remove replica \(authors) from the team"
            throw .notPermitted(
                action: "rotating your key",
                role: founded.contains(engagement) ? "founder" : "member",
                rule: "in engagement \(engagement) the id of your key's rotation record is already taken by a \(DisplayText.shown(held.kind)) entity written by replica \(authors) (made on purpose: the id is derived from public ids), so the record cannot be written there; no record was written in any engagement and your key is unchanged. To retire it, \(next)")
        }
    }

    /// The new founder key's continuation of the old one's member entity (§22.3): the new key joins
    /// with the old member's name and role and `succeeds` = the old key, and the old member is
    /// removed after its own record's point, in one transaction. Nothing is written when done.
    func continueFounder(_ old: ReplicaID, in engagement: EntityID) throws(FieldAuditError) {
        let roster: Roster
        do { roster = try self.roster(of: engagement) } catch { throw Self.wrap(error) }
        guard roster.founder == identity.id, roster.members[identity.id]?.succeeds != old,
              let through = roster.founders.first(where: { $0.replica == old })?.through
        else { return }
        let record = try record(of: engagement, kinds: [])
        let oldMembership = roster.members[old]
        let name = record.members.first { $0.replica == old }?.name ?? self.name
        let card = IdentityCard(name: name, identity: identity)
        try write(in: engagement) { writer in
            try writer.put(
                TeamMember.writes(replica: identity.id, name: name, publicKey: card.publicKey, agreementKey: card.agreementKey, role: oldMembership?.role ?? .lead)
                    + [(TeamMember.Field.succeeds.rawValue, .text(old.hex))],
                entity: TeamMember.id(engagement: engagement, replica: identity.id), kind: .member)
            if let oldMembership, oldMembership.removedAfter == nil {
                let oldMember = TeamMember.id(engagement: engagement, replica: old)
                try writer.put([(TeamMember.Field.removedAfter.rawValue, .integer(Int64(through)))], entity: oldMember, kind: .member)
                try writer.delete(oldMember, kind: .member)
            }
        }
    }

    /// Signs and keeps a checkpoint of this replica's own chain at its head, so that exports made
    /// under the next key relay the old key's changes like any other origin's.
    private func keepLastCheckpoint() throws(FieldAuditError) {
        do {
            guard let head = try store.originHeads().first(where: { $0.origin == identity.id }), head.contiguous > 0 else { return }
            let checkpoint = Checkpoint.sign(seq: head.contiguous, hash: head.head, by: identity)
            let stored = StoredCheckpoint(
                origin: identity.id, seq: checkpoint.seq, hash: checkpoint.hash,
                publicKey: checkpoint.signerPublicKey, signature: checkpoint.signature)
            try store.importLinks({ nil }, bookkeeping: ImportBookkeeping(exporter: identity.id, exporterHolds: VersionVector(), checkpoints: [stored])) { _ in }
        } catch {
            throw Self.wrap(error)
        }
    }

    /// Moves the key file aside (`identity-<old id>.retired.key`, still 0600), puts the next key
    /// in its place and records the new replica id in the store. Returns where the old key went.
    private func swapKey(for next: ReplicaIdentity) throws(FieldAuditError) -> String {
        let files = FileManager.default
        var retired = location.directory + "/identity-\(identity.id.hex).retired.key"
        var suffix = 2
        while files.fileExists(atPath: retired) {
            retired = location.directory + "/identity-\(identity.id.hex)-\(suffix).retired.key"
            suffix += 1
        }
        guard link(location.keyFile, retired) == 0 else {
            throw .io(path: retired, reason: String(cString: strerror(errno)))
        }
        do {
            try store.setMetadata("retired_replica_id", to: identity.id.hex)
            try store.setMetadata("replica_id", to: next.id.hex)
            // The new key has exported nothing yet (`status` counts its changes from here).
            try store.setMetadata(Self.exportedSeqKey, to: "0")
        } catch {
            unlink(retired)
            throw .store(error)
        }
        guard rename(nextKeyFile, location.keyFile) == 0 else {
            let reason = String(cString: strerror(errno))
            try? store.setMetadata("replica_id", to: identity.id.hex)
            unlink(retired)
            throw .io(path: location.keyFile, reason: reason)
        }
        return retired
    }

    /// Continues a team member under a new key (the founding lead only): the new key joins with
    /// the member's name and role and `succeeds` = the old key, so the auditor's standing and
    /// authorship continue (`Roster.identities(of:)`); the old key is retired after a stated
    /// seq (`removedAfter`), in the same transaction.
    ///
    /// A `keepingThrough` beyond the old key's own rotation record is not recorded: the record
    /// retires the key on every replica, so its point is recorded and `requestedAfter` says so.
    ///
    /// The new key is the card's (`to`), else the one the old key's own rotation record names.
    /// The retirement point is `keepingThrough`, else the record's (the old key's last change:
    /// nothing its owner did is lost) when it names the same new key, else the last of the old
    /// key's changes this replica holds (a stolen laptop: work that never left it cannot be told
    /// from a thief's).
    ///
    /// - Throws: `.refused` unless this replica founded the engagement; `.notFound` if `old` is
    ///   not on the team; `.invalidInput` when neither a card nor a record names the new key, the
    ///   old key is the founder's or the central's, or `keepingThrough` is below what this
    ///   replica holds of the old key.
    public func rotateMember(
        _ old: ReplicaID, to card: IdentityCard?, keepingThrough: UInt64? = nil, engagement reference: String?
    ) throws(FieldAuditError) -> MemberRotation {
        let record = try capturing(in: reference)
        let engagement = record.engagement.id
        let roster: Roster
        do { roster = try self.roster(of: engagement) } catch { throw Self.wrap(error) }
        guard let membership = roster.members[old] else { throw .notFound(kind: "team member", id: old.hex) }
        guard !roster.isFounderKey(old), membership.role != .central else {
            throw .invalidInput(source: old.short, reason: "a founding lead's key is rotated by its own laptop (`fieldaudit key rotate`: its record names the new founder), and the central repository's is the engagement's filing, not rotated by the team")
        }
        let role = membership.role
        let rotation = try perform { () throws(StoreError) in try store.snapshot(KeyRotation.id(engagement: engagement, replica: old)) }
            .flatMap(KeyRotation.init)
        let successor: (id: ReplicaID, name: String, publicKey: String, agreementKey: String?)
        if let card {
            let key = try card.verifiedKey()
            successor = (ReplicaID(publicKey: key), card.name, card.publicKey, card.agreementKey)
        } else if let rotation {
            guard let raw = Data(base64Encoded: rotation.publicKey), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
                  ReplicaID(publicKey: key) == rotation.successor
            else { throw .invalidInput(source: "the rotation record of \(old.short)", reason: "its public key does not match the replica it names; give the new key's card with --to") }
            // Only the retiring key's own values count (`KeyRotation`); the agreement key, which no
            // id proves, must at least be a key.
            if let agreementKey = rotation.agreementKey {
                guard let raw = Data(base64Encoded: agreementKey), (try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: raw)) != nil else {
                    throw .invalidInput(source: "the rotation record of \(old.short)", reason: "its agreement key is not a base64 X25519 key; give the new key's card with --to")
                }
            }
            successor = (rotation.successor, rotation.name, rotation.publicKey, rotation.agreementKey)
        } else {
            throw .invalidInput(
                source: old.short,
                reason: "no rotation record of this key is held and no new card was given: import the bundle its owner's `fieldaudit key rotate` wrote, or give the new key's card with --to CARD")
        }
        guard successor.id != old, !roster.isFounderKey(successor.id) else {
            throw .invalidInput(source: successor.id.short, reason: "the new key must be another replica than the old one and the founder")
        }
        let recordNamesSuccessor = rotation?.successor == successor.id
        let publicKey = Data(base64Encoded: successor.publicKey).flatMap { try? Curve25519.Signing.PublicKey(rawRepresentation: $0) }
        let fingerprint = publicKey.map(ReplicaIdentity.fingerprint(of:)) ?? ""
        // Run again: the member continues under that key already; nothing is written.
        if roster.members[successor.id]?.succeeds == old, let done = membership.removedAfter,
           keepingThrough == nil || min(keepingThrough!, membership.retiredAfter ?? .max) == done {
            return MemberRotation(
                retired: old.hex, replica: successor.id.hex, fingerprint: fingerprint,
                name: record.members.first { $0.replica == successor.id }?.name ?? successor.name, role: role.rawValue,
                retiredAfter: done, fromRotationRecord: rotation.map { $0.successor == successor.id && $0.retiredAfter == done } ?? false,
                requestedAfter: keepingThrough.flatMap { $0 > done ? $0 : nil }, otherEngagements: try engagements(whereStillOnTheTeam: old, besides: engagement))
        }
        let held = try perform { () throws(StoreError) in try store.vector() }[old]
        // The key's own rotation record bounds it everywhere (`Roster`): a later point is not recorded.
        let selfRetired = membership.retiredAfter ?? .max
        let requestedAfter = keepingThrough.flatMap { $0 > selfRetired ? $0 : nil }
        let retiredAfter = min(keepingThrough ?? (recordNamesSuccessor ? rotation!.retiredAfter : max(held, membership.removedAfter ?? 0)), selfRetired)
        let fromRecord = recordNamesSuccessor && rotation?.retiredAfter == retiredAfter
        // Never below a change of the old key held in this engagement (its later seqs may be its
        // work, or its rotation records, in other engagements).
        if let heldHere = try lastSeq(of: old, in: engagement, after: retiredAfter) {
            throw .invalidInput(source: "--after \(retiredAfter)", reason: "this replica holds \(old.short)'s changes in this engagement up to seq \(heldHere) already; keep at least those (--after \(heldHere) or more)")
        }
        let name = (record.members.first { $0.replica == old }?.name) ?? successor.name
        let newMember = TeamMember.id(engagement: engagement, replica: successor.id)
        let wasRemoved = try perform { () throws(StoreError) in try store.snapshot(newMember) }?.deleted ?? false
        try write(in: engagement) { writer in
            try writer.put(
                TeamMember.writes(replica: successor.id, name: name, publicKey: successor.publicKey, agreementKey: successor.agreementKey, role: role)
                    + [(TeamMember.Field.succeeds.rawValue, .text(old.hex))],
                entity: newMember, kind: .member)
            if wasRemoved { try writer.restore(newMember, kind: .member) }
            let oldMember = TeamMember.id(engagement: engagement, replica: old)
            if membership.removedAfter != retiredAfter {
                try writer.put([(TeamMember.Field.removedAfter.rawValue, .integer(Int64(retiredAfter)))], entity: oldMember, kind: .member)
            }
            if membership.removedAfter == nil { try writer.delete(oldMember, kind: .member) }
        }
        return MemberRotation(
            retired: old.hex, replica: successor.id.hex, fingerprint: fingerprint,
            name: name, role: role.rawValue, retiredAfter: retiredAfter, fromRotationRecord: fromRecord, requestedAfter: requestedAfter,
            otherEngagements: try engagements(whereStillOnTheTeam: old, besides: engagement))
    }

    /// The greatest seq of `origin`'s changes in `engagement` that this replica holds beyond
    /// `seq`, if any; read from `origin`'s chain after `seq`, a page at a time.
    private func lastSeq(of origin: ReplicaID, in engagement: EntityID, after seq: UInt64) throws(FieldAuditError) -> UInt64? {
        var last: UInt64?
        var after = seq
        while true {
            let page = try perform { () throws(StoreError) in try store.changes(of: origin, after: after, limit: 4096) }
            guard let end = page.last?.id.seq else { return last }
            last = page.last { $0.engagement == engagement }?.id.seq ?? last
            after = end
        }
    }

    /// The engagements (ids, sorted) other than `engagement` that this replica founded and where
    /// `old` is on the team, neither removed nor continued under another key.
    private func engagements(whereStillOnTheTeam old: ReplicaID, besides engagement: EntityID) throws(FieldAuditError) -> [String] {
        var found: [String] = []
        for other in try engagements() where other.id != engagement {
            let roster: Roster
            do { roster = try self.roster(of: other.id) } catch { throw Self.wrap(error) }
            guard roster.founder == identity.id, let membership = roster.members[old], membership.removedAfter == nil,
                  roster.successor(of: old) == nil
            else { continue }
            found.append(other.id.description)
        }
        return found.sorted()
    }
}

import Crypto
