import AuditModel
import AuditStore
import AuditStorePostgres
import BundleFormat
import Foundation
import Replication

/// What an import did.
public struct ImportSummary: Sendable, Encodable {
    /// The bundle as the caller named it (the caller may set it, as the command line does for standard input).
    public var path: String
    /// The exporting replica's id, in hex.
    public var exporter: String
    /// Changes new to this replica.
    public var newChanges = 0
    /// Changes already held.
    public var knownChanges = 0
    /// Changes withheld from this replica, kept as chain placeholders.
    public var withheld = 0
    /// Entities seen for the first time, net: a fork's quarantine (`newForks`) can take out of
    /// the state entities only its set-aside changes made, and the count is then never below zero.
    public var newEntities = 0
    /// Evidence files stored for the first time.
    public var newEvidence = 0
    /// Fields in conflict that were not before.
    public var newConflicts = 0
    /// Remote stamps too far ahead of this replica's clock.
    public var flaggedStamps = 0
    /// Links of forked origins, from their fork on, that the bundle carried and that were not
    /// applied (kept as evidence when they are new versions at a fork).
    public var setAside = 0
    /// Origins this bundle proved forked (replica ids in hex): quarantined from the fork on.
    public var newForks: [String] = []
    /// When the bundle's header carried a checkpoint of this replica's own history, signed with
    /// its key, beyond what this store holds: why this replica now writes nothing until it
    /// catches up (`Sync/PROTOCOL.md` §21.2). The bundle itself was imported.
    public var behindOwnHistory: String?
}

extension Replica {
    /// Imports one bundle file: verifies everything first (format, digest, signatures, each
    /// origin's chain up to its signed checkpoint, evidence hashes), then applies the changes in
    /// one transaction that commits only if the signer is known and every change was its author's
    /// to make, then files the evidence. Importing the same bundle again changes nothing.
    /// `beforeCommit` runs inside the transaction once every check has passed, just before it
    /// commits (a test holds an import open there; again on each attempt PostgreSQL retries).
    ///
    /// - Throws: `FieldAuditError` naming what failed; the store is then exactly as it was.
    public func importBundle(
        at path: String, progress: (Int) -> Void = { _ in }, beforeCommit: () -> Void = {}
    ) throws(FieldAuditError) -> ImportSummary {
        blobs.removeAbandonedScratch()
        let incoming = location.blobs + "/" + BlobStore.scratchName()
        defer { try? FileManager.default.removeItem(atPath: incoming) }
        do {
            let (opened, handle) = try openBundle(path)
            defer { try? handle.close() }
            let header = opened.header
            // Read once: the exporter check on the header here, and the commit check of either path.
            let trusted = Set(try store.trustedReplicas().keys)
            let signerKnown = try isKnownSigner(header.exporter, trusted: trusted)
            guard try signerKnown || mayJoinARoster(header, trusted: trusted) else {
                throw FieldAuditError.untrustedSigner(header.exporter, path: path)
            }
            let bundleBytes = Self.regularFileSize(handle)
            // Held only by the pass that reads it, so its reference tables go when that pass ends.
            let reader = Handover(consume opened)
            let verified: BundleVerifier.VerifiedBundle, ownCheckpoint: Checkpoint?
            var summary: ImportSummary
            if let second = secondConnection(forBundleOf: bundleBytes) {
                (verified, ownCheckpoint, summary) = try importOverlapped(
                    reader, header: header, reading: second, from: path, bundleBytes: bundleBytes, stagingEvidenceIn: incoming,
                    trusted: trusted, signerKnown: signerKnown, progress: progress, beforeCommit: beforeCommit)
            } else {
                verified = try verify(reader, header: header, from: path, bundleBytes: bundleBytes, stagingEvidenceIn: incoming, progress: progress)
                ownCheckpoint = try self.ownCheckpoint(in: verified.header)
                summary = try applyRetryingDeadlocks(verified, from: path, trusted: trusted, signerKnown: signerKnown, beforeCommit: beforeCommit)
            }
            summary.newEvidence = try file(verified.evidence, stagedIn: incoming)
            if let ownCheckpoint {
                summary.behindOwnHistory = try learnOwnHistory(from: ownCheckpoint, exporter: verified.header.exporter)
            }
            return summary
        } catch let error as BundleError {
            throw .bundle(error, path: path)
        } catch StoreError.rejected(.equivocation(let id)) where id.origin == identity.id {
            throw .ownHistoryForked(seq: id.seq, path: path)
        } catch {
            throw Self.wrap(error)
        }
    }

    // MARK: - Verify

    /// Opens a bundle for reading with this replica's agreement key.
    func openBundle(_ path: String) throws -> (BundleReader<FileHandleSource>, FileHandle) {
        let handle = try InputFile.open(path)
        return (try BundleReader(source: FileHandleSource(handle), agreementKey: AgreementKey.derive(from: identity)), handle)
    }

    /// Pass one: reads the whole bundle and verifies it against what this replica holds (see
    /// `BundleVerifier`), staging its evidence files hash-checked. The caller has refused already
    /// an exporter whose bundle could not be accepted whatever the body holds (`mayBeAccepted`),
    /// before reading any of the body, so an unknown key cannot make this replica work for nothing.
    private func verify(
        _ reader: Handover<BundleReader<FileHandleSource>>, header: BundleHeader, from path: String, bundleBytes: UInt64?,
        stagingEvidenceIn staging: String, progress: (Int) -> Void
    ) throws -> BundleVerifier.VerifiedBundle {
        do {
            return try verifyBody(reader, against: store, from: path, bundleBytes: bundleBytes, stagingEvidenceIn: staging, progress: progress)
        } catch {
            try throwPassOneRefusal(error, exporter: header.exporter)
        }
    }

    /// Pass one proper, by either path: takes the bundle's reader and verifies the bundle against
    /// what `storage` holds (the store itself, or the overlapped path's read-only connection).
    private func verifyBody(
        _ reader: Handover<BundleReader<FileHandleSource>>, against storage: any ChangeStorage, from path: String, bundleBytes: UInt64?,
        stagingEvidenceIn staging: String, progress: (Int) -> Void = { _ in }
    ) throws -> BundleVerifier.VerifiedBundle {
        guard let reader = reader.take() else { throw StoreError.unexpected("pass one of \(path) started without its reader") }
        let verifier = BundleVerifier(held: StoredChains(storage: storage), hashFile: blobs.hash(of:), own: identity.id)
        return try verifier.verify(reader, from: path, bundleBytes: bundleBytes, stagingEvidenceIn: staging, progress: progress)
    }

    /// Throws pass one's `error` as the import reports it: a bundle proving this store behind its
    /// own history is remembered first, so that this store writes nothing until it catches up
    /// (§21.2), and names its exporter. Call it outside any write transaction of the store.
    private func throwPassOneRefusal(_ error: any Error, exporter: ReplicaID) throws -> Never {
        guard let refusal = error as? FieldAuditError, case let .aheadOfOwnHistory(head, heldThrough, _, path) = refusal else { throw error }
        try store.recordPeerHolds(heldThrough, of: exporter, origin: identity.id)
        throw FieldAuditError.aheadOfOwnHistory(head: head, heldThrough: heldThrough, exporter: displayName(of: exporter), path: path)
    }

    /// Whether a bundle with this header could pass the exporter check at the end of its import
    /// (`Sync/PROTOCOL.md` §21, step 0), decided from the header alone: the exporter is known
    /// (`isKnownSigner`), the founder or on the roster of an engagement the header lists, or
    /// could join a roster in this very bundle, which needs a change by someone who may write
    /// one: an origin with a range in the header that is this replica, a trusted key, or the
    /// recorded founder of an engagement the header lists. `false` means the bundle would be
    /// refused whatever its body holds.
    func mayBeAccepted(_ header: BundleHeader, trusted: Set<ReplicaID>) throws -> Bool {
        try isKnownSigner(header.exporter, trusted: trusted) || mayJoinARoster(header, trusted: trusted)
    }

    /// `mayBeAccepted` for an exporter not known before the import: whether it is the founder or
    /// on the roster of an engagement the header lists, or could join a roster in this bundle.
    private func mayJoinARoster(_ header: BundleHeader, trusted: Set<ReplicaID>) throws -> Bool {
        var rosterWriters = trusted.union([identity.id])
        for engagement in header.engagements {
            let roster = try roster(of: engagement)
            if roster.isKnownSigner(header.exporter) { return true }
            rosterWriters.formUnion(roster.founders.map(\.replica))
            if let founder = try store.founder(of: engagement) {
                if founder == header.exporter { return true }
                rosterWriters.insert(founder)
            }
        }
        return header.ranges.contains { rosterWriters.contains($0.origin) }
    }

    /// The size of the regular file open at `handle`; `nil` for a pipe or device.
    private static func regularFileSize(_ handle: FileHandle) -> UInt64? {
        var info = stat()
        guard fstat(handle.fileDescriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return UInt64(info.st_size)
    }

    // MARK: - Pass one beside pass two

    /// Bundles of at least this many bytes are imported with pass one on a thread of its own
    /// beside pass two (`importOverlapped`) into a SQLite store; smaller ones, a bundle read from
    /// a pipe, and every import into PostgreSQL run the passes one after the other. Pass two reads
    /// such a bundle ahead on a thread of its own (`BundleReadAhead`) in either case. Below about
    /// 1 MiB a thread costs more (memory: its own heap) than it saves. A test binds it to
    /// 0 (`$overlapFromBytes.withValue(0)`) to overlap every import it makes, whatever its size;
    /// task-local, so tests running beside it keep the default.
    @TaskLocal static var overlapFromBytes: UInt64 = 1 << 20

    /// The second, read-only connection to the store pass one reads through when a bundle of
    /// `bytes` is imported with its passes overlapped; `nil` to run them one after the other
    /// (also when the second connection cannot be opened: the import does not need it).
    private func secondConnection(forBundleOf bytes: UInt64?) -> Store? {
        guard let sqlite = store as? Store, let bytes, bytes >= Self.overlapFromBytes else { return nil }
        return try? sqlite.readOnlyConnection()
    }

    /// Both passes at once: pass one (`BundleVerifier`, reading the store as it was before the
    /// import through `second`, in one read transaction) on a thread of its own, while pass two
    /// applies the bundle on this thread in its write transaction. The transaction commits only
    /// after pass one has succeeded; its bookkeeping (checkpoints, what the exporter holds) and
    /// the roster check wait for pass one's result, inside the transaction.
    ///
    /// Pass two applies its links speculatively, setting aside only the links of origins the store
    /// has quarantined already. If pass one finds a fork (or sets aside other links than those),
    /// the transaction rolls back and today's sequential pass two (`applyRetryingDeadlocks`) runs
    /// with the verified bundle. If pass one fails, pass two stops at its next link and rolls
    /// back, and pass one's error is thrown; if pass two fails first, pass one is waited for and
    /// its error, if any, wins (the order of the checks of the sequential import); else pass
    /// two's. The store is exactly as before after any failure.
    ///
    /// `progress` is called on this thread with the bytes pass two has read, so the caller's
    /// progress display needs no lock of its own and reaches its end when the links are applied.
    ///
    /// Returns pass one's result, the recipient's checkpoint and the summary.
    private func importOverlapped(
        _ handover: Handover<BundleReader<FileHandleSource>>, header: BundleHeader, reading second: Store, from path: String, bundleBytes: UInt64?,
        stagingEvidenceIn staging: String, trusted: Set<ReplicaID>, signerKnown: Bool, progress: (Int) -> Void, beforeCommit: () -> Void
    ) throws -> (BundleVerifier.VerifiedBundle, Checkpoint?, ImportSummary) {
        // What pass two needs of the store and the file first: if any of it fails, no thread has
        // started, and the error is the import's.
        let quarantined = try store.forkSeqs()
        let entitiesBefore = try store.entityCount()
        let conflictsBefore = try store.conflictCount()
        let opened = try openBundle(path)
        defer { try? opened.1.close() }

        let pauseAfter = probes.passTwoPausesAfter
        let passOne = PassOne(held: pauseAfter != nil)
        let thread = Thread { [self] in
            passOne.waitForRelease()
            let result = Result { () throws -> BundleVerifier.VerifiedBundle in
                try second.withPinnedRead {
                    try verifyBody(handover, against: second, from: path, bundleBytes: bundleBytes, stagingEvidenceIn: staging)
                }
            }
            passOne.finish(result)
        }
        thread.stackSize = 8 << 20
        thread.start()
        // Never return while pass one runs: it reads the bundle through `reader`'s file handle,
        // which the caller closes, and stages evidence in `staging`, which the caller removes.
        defer { _ = passOne.wait() }
        defer { passOne.release() }
        let links = BundleReadAhead(opened.0, refusedFrom: quarantined, onThread: true)
        defer { links.stop() }
        var linksApplied = 0
        defer { probes.linksApplied = linksApplied }
        var passed: (verified: BundleVerifier.VerifiedBundle, ownCheckpoint: Checkpoint?)?
        let report: ApplyReport
        do {
            report = try store.importLinks({ () throws -> SyncLink? in
                guard !passOne.failed else { throw PassOne.Stopped() }
                guard let link = try links.next() else {
                    // A test's hold on pass one ends here at the latest (the bundle may hold fewer
                    // links than the hold's count), or pass two would wait for it forever.
                    passOne.release()
                    progress(links.bytesRead)
                    return nil
                }
                linksApplied += 1
                if linksApplied == pauseAfter {
                    passOne.release()
                    _ = passOne.wait()
                }
                if linksApplied % 4096 == 0 { progress(links.bytesRead) }
                return link
            }, bookkeeping: ImportBookkeeping(exporter: header.exporter, exporterHolds: VersionVector(), checkpoints: [])) { view in
                passOne.release()
                let verified = try passOne.wait().get()
                guard verified.forks.isEmpty, verified.refusedFrom == quarantined else { throw PassOne.Stopped() }
                let ownCheckpoint = try self.ownCheckpoint(in: verified.header)
                try view.keep(ImportBookkeeping(exporter: header.exporter, exporterHolds: exporterHolds(verified), checkpoints: verified.checkpoints))
                try checkBeforeCommit(verified, from: path, trusted: trusted, signerKnown: signerKnown, view: view, beforeCommit: beforeCommit)
                passed = (verified, ownCheckpoint)
            }
        } catch {
            // Rolled back. This pass's reading ends now (a fallback below reads the file afresh).
            links.stop()
            passOne.release()
            // Pass one's refusal comes first, then a forged checkpoint of this replica's own
            // history, as when the passes run one after the other (both before anything applies).
            let verified: BundleVerifier.VerifiedBundle
            switch passOne.wait() {
            case let .failure(refusal): try throwPassOneRefusal(refusal, exporter: header.exporter)
            case let .success(result): verified = result
            }
            let ownCheckpoint = try self.ownCheckpoint(in: verified.header)
            // Pass two applied what pass one then set aside (a fork: the applier may have refused
            // the bundle's version of a link as an equivocation): pass two again, knowing it.
            guard error is PassOne.Stopped || !verified.forks.isEmpty || verified.refusedFrom != quarantined else { throw error }
            return (verified, ownCheckpoint, try applyRetryingDeadlocks(
                verified, from: path, trusted: trusted, signerKnown: signerKnown, beforeCommit: beforeCommit))
        }
        guard let passed else { throw StoreError.unexpected("an import of \(path) committed without its verification") }
        let summary = try self.summary(
            of: report, passed.verified, from: path, newForks: [], entitiesBefore: entitiesBefore, conflictsBefore: conflictsBefore)
        return (passed.verified, passed.ownCheckpoint, summary)
    }

    // MARK: - The recipient's checkpoint

    /// The header's checkpoint of this replica's own history, checked with this replica's key;
    /// `nil` when the header carries none or one another replica signed (ignored: only the
    /// signer can check it). Read after the bundle's trailer verified, before anything is applied.
    ///
    /// - Throws: `BundleError.forgedCheckpoint` when it claims this replica's origin and its
    ///   signature does not verify with this replica's key: the bundle is refused, as one with a
    ///   forged checkpoint frame is.
    private func ownCheckpoint(in header: BundleHeader) throws -> Checkpoint? {
        guard let checkpoint = header.recipientCheckpoint, checkpoint.origin == identity.id else { return nil }
        try checkpoint.verify(publicKey: identity.publicKey)
        return checkpoint
    }

    /// After an import: when `checkpoint` (this replica's own, verified) is beyond this store's
    /// own head, records that `exporter` holds it, so local writes are refused until the store
    /// catches up (`recordOwnHistory`), and returns the notice saying so; else `nil`.
    private func learnOwnHistory(from checkpoint: Checkpoint, exporter: ReplicaID) throws -> String? {
        do {
            try recordOwnHistory(heldThrough: checkpoint.seq, by: exporter, peerName: displayName(of: exporter))
            return nil
        } catch .behindOwnHistory(let head, let heldThrough, let heldBy) {
            return "\(heldBy) holds your own changes up to seq \(heldThrough) (signed with your key), this store only up to seq \(head): "
                + "was it restored from an older backup? This replica writes nothing until it catches up, as a new change would fork your history. "
                + "Import a bundle holding your changes from seq \(head + 1) (ask for `fieldaudit export --for YOUR-CARD --all -o FILE`), or run `fieldaudit sync`."
        }
    }

    // MARK: - Apply, with the roster check before commit

    /// Pass two, again if PostgreSQL broke a deadlock between this import and another by aborting
    /// this one (`StoreError.busy` from `PostgresStore`): up to ten attempts (a central imports
    /// many bundles at once there), each reading the bundle file afresh. SQLite's busy (a lock
    /// held past its timeout) is not retried.
    private func applyRetryingDeadlocks(
        _ verified: BundleVerifier.VerifiedBundle, from path: String, trusted: Set<ReplicaID>, signerKnown: Bool, beforeCommit: () -> Void
    ) throws -> ImportSummary {
        var attempt = 1
        while true {
            do {
                return try apply(verified, from: path, trusted: trusted, signerKnown: signerKnown, beforeCommit: beforeCommit)
            } catch let error as StoreError {
                guard case .busy = error, store is PostgresStore, attempt < 10 else { throw error }
                attempt += 1
            }
        }
    }

    /// Pass two: applies the bundle in one transaction and, before it commits, checks the signer
    /// and every change against its engagement's roster as the bundle leaves it (`authorize`).
    private func apply(
        _ verified: BundleVerifier.VerifiedBundle, from path: String, trusted: Set<ReplicaID>, signerKnown: Bool, beforeCommit: () -> Void
    ) throws -> ImportSummary {
        let entitiesBefore = try store.entityCount()
        let conflictsBefore = try store.conflictCount()
        // A fork of this replica's own history: refused, saying how to restore (never quarantined).
        if let own = verified.forks[identity.id] { throw FieldAuditError.ownHistoryForked(seq: own.id.seq, path: path) }
        let refusedFrom = verified.refusedFrom
        let now = clock.now()
        let forks = verified.forks.values.sorted { $0.id < $1.id }.map { version in
            ForkFound(version: ForkVersion(
                id: version.id, content: version.content, hash: version.hash, canonical: version.canonical,
                relayedBy: version.relayedBy, receivedAt: now))
        }
        let bookkeeping = ImportBookkeeping(
            exporter: verified.header.exporter, exporterHolds: exporterHolds(verified), checkpoints: verified.checkpoints, forks: forks)
        /// Pass two proper: the links applied and authorised in one transaction.
        func applyLinks() throws -> ApplyReport {
            let (reader, handle) = try openBundle(path)
            defer { try? handle.close() }
            let links = BundleReadAhead(
                reader, refusedFrom: refusedFrom, onThread: (Self.regularFileSize(handle) ?? 0) >= Self.overlapFromBytes)
            defer { links.stop() }
            return try store.importLinks(links.next, bookkeeping: bookkeeping) { view in
                try checkBeforeCommit(verified, from: path, trusted: trusted, signerKnown: signerKnown, view: view, beforeCommit: beforeCommit)
            }
        }
        let report: ApplyReport
        do {
            report = try applyLinks()
        } catch let refusal as FieldAuditError where !forks.isEmpty {
            switch refusal {
            case .unauthorized, .untrustedSigner: break
            default: throw refusal
            }
            // The fork's proof stands on the forked origin's own signatures, whatever the roster
            // says of the rest or whoever relays it: kept on its own, so the key is quarantined
            // here as everywhere (§21.1).
            try store.importLinks({ nil }, bookkeeping: ImportBookkeeping(
                exporter: verified.header.exporter, exporterHolds: VersionVector(), checkpoints: [], forks: forks)) { _ in }
            throw FieldAuditError.forkKeptFromRefusedBundle(forks.map(\.version.id.origin), refused: refusal)
        }
        return try summary(
            of: report, verified, from: path, newForks: forks.map(\.version.id.origin),
            entitiesBefore: entitiesBefore, conflictsBefore: conflictsBefore)
    }

    /// The check an import's transaction makes before it commits, by either path: every change
    /// against its engagement's roster as the bundle leaves it (`authorize`), and the signer known
    /// before the import (`signerKnown`) or able to read one of those engagements; then
    /// `beforeCommit`.
    ///
    /// - Throws: `FieldAuditError.unauthorized`, `.untrustedFounder` or `.untrustedSigner`.
    private func checkBeforeCommit(
        _ verified: BundleVerifier.VerifiedBundle, from path: String, trusted: Set<ReplicaID>, signerKnown: Bool, view: ImportView,
        beforeCommit: () -> Void
    ) throws {
        let rosters = try authorize(path, verified, trusted: trusted, view: view)
        guard signerKnown || rosters.contains(where: { $0.canRead(verified.header.exporter) }) else {
            throw FieldAuditError.untrustedSigner(verified.header.exporter, path: path)
        }
        beforeCommit()
    }

    /// What the exporter's bundle proves it holds: its header's ranges, and of this replica's own
    /// history only as far as its own key signed: a claimed range alone must not stop it from
    /// writing (§21.2).
    private func exporterHolds(_ verified: BundleVerifier.VerifiedBundle) -> VersionVector {
        var holds = VersionVector()
        for range in verified.header.ranges { holds[range.origin] = range.through }
        holds[identity.id] = min(holds[identity.id], verified.ownSigned)
        return holds
    }

    /// The summary of an applied import, counting entities and conflicts against the counts
    /// read before it.
    private func summary(
        of report: ApplyReport, _ verified: BundleVerifier.VerifiedBundle, from path: String, newForks: [ReplicaID],
        entitiesBefore: Int, conflictsBefore: Int
    ) throws -> ImportSummary {
        ImportSummary(
            path: path, exporter: verified.header.exporter.hex, newChanges: report.applied, knownChanges: report.duplicates,
            withheld: report.withheld, newEntities: max(0, try store.entityCount() - entitiesBefore),
            newConflicts: max(0, try store.conflictCount() - conflictsBefore), flaggedStamps: report.flaggedStamps.count,
            setAside: verified.setAside, newForks: newForks.map(\.hex))
    }

    /// Whether a bundle's signer is known before its import: this replica, a trusted key, or the
    /// current founder or a member of an engagement held here (`Roster.isKnownSigner`: a retired
    /// founder key counts only as the member it was). (A signer on the roster of an engagement
    /// the bundle itself brings is accepted too, once that roster checks out.)
    func isKnownSigner(_ exporter: ReplicaID, trusted: Set<ReplicaID>) throws -> Bool {
        if exporter == identity.id || trusted.contains(exporter) { return true }
        for engagement in try store.snapshots(ofKind: EntityKind.engagement.rawValue) {
            let roster = try roster(of: engagement.id)
            if roster.isKnownSigner(exporter) { return true }
        }
        return false
    }

    /// Checks, inside the import's transaction, that each engagement has a trusted founder and
    /// that every change of the bundle was its author's to make (through `verified.authorship`,
    /// the change most likely refused of each author, kind and field).
    ///
    /// Runs inside the store's write transaction: it reads only through `view`.
    /// Returns the rosters it checked against.
    private func authorize(_ path: String, _ verified: BundleVerifier.VerifiedBundle, trusted: Set<ReplicaID>, view: ImportView) throws -> [Roster] {
        var rosters: [EntityID: Roster] = [:]
        for engagement in verified.engagements {
            let snapshots = try view.snapshots(engagement: engagement, kinds: Roster.kinds)
            var founder = try view.founder(of: engagement)
            if founder == nil {
                let claim = snapshots.first { $0.id == engagement }.flatMap(Roster.foundingClaim)
                guard let claim, Roster.acceptsRoot(claim, engagement: engagement, snapshots: snapshots, trusts: { $0 == identity.id || trusted.contains($0) }) else {
                    throw FieldAuditError.untrustedFounder(engagement: engagement, founder: claim, path: path)
                }
                try view.recordFounder(claim, of: engagement)
                founder = claim
            }
            rosters[engagement] = Roster(engagement: engagement, founder: founder, snapshots: snapshots)
        }
        // In change-id order, so every replica names the same refused change.
        let changes = verified.authorship.map {
            (id: $0.value, engagement: $0.key.engagement, kind: $0.key.kind, field: $0.key.field, entity: $0.key.entity, supersedes: $0.key.supersedes)
        }
        if let refusal = Roster.firstRefusal(among: changes, rosters: rosters) {
            throw FieldAuditError.unauthorized(refusal, path: path)
        }
        if let refusal = try firstRefusedDeletion(verified, rosters: rosters, view: view) {
            throw FieldAuditError.unauthorized(refusal, path: path)
        }
        return Array(rosters.values)
    }

    /// The first of a bundle's deletions and restorations (changes to `deleted`) that the
    /// roster refuses because its author, an auditor or expert, did not create the entity
    /// (`Roster.refusal(ofDeleting:kind:entity:authorWroteIt:)`), in change-id order. Only authors
    /// who may be refused are read back, and only their changes in the bundle.
    private func firstRefusedDeletion(
        _ verified: BundleVerifier.VerifiedBundle, rosters: [EntityID: Roster], view: ImportView
    ) throws -> Roster.Refusal? {
        var refusals: [Roster.Refusal] = []
        var ids: [ChangeID] = []
        for (key, last) in verified.authorship where key.field == Change.deletedField {
            guard let roster = rosters[key.engagement], roster.mayRefuseDeletions(by: key.author),
                  roster.refusal(of: last, kind: key.kind, field: key.field, entity: key.entity, supersedes: key.supersedes) == nil
            else { continue }
            let deletions = try view.deletions(
                engagement: key.engagement, kind: key.kind, origin: key.author, from: verified.firstSeqs[key.author] ?? 1)
            for (id, entity) in deletions {
                let refusal = try roster.refusal(
                    ofDeleting: id, kind: key.kind, entity: entity, authorWroteIt: try view.wrote(id.origin, entity: entity, before: id.seq))
                if let refusal {
                    refusals.append(refusal)
                    ids.append(id)
                    break
                }
            }
        }
        return zip(ids, refusals).min { $0.0 < $1.0 }?.1
    }

    // MARK: - File the evidence

    /// Last: files the verified evidence from its staging directory into the blob store.
    /// Returns how many files were new.
    private func file(_ evidence: [BlobDigest], stagedIn staging: String) throws -> Int {
        var newEvidence = 0
        for digest in evidence where !blobs.contains(digest) {
            _ = try blobs.put(contentsOf: "\(staging)/\(digest.hex)")
            newEvidence += 1
        }
        return newEvidence
    }
}

/// Pass one's outcome, handed from its thread to pass two's: pass two asks whether it failed at
/// each link, and waits for it before its transaction commits.
///
/// `@unchecked Sendable`: its stored variables are read and written only under `condition`'s lock.
private final class PassOne: @unchecked Sendable {
    /// Thrown by pass two to roll its transaction back because of pass one's outcome: pass one
    /// failed (its error is thrown instead), or found a fork (pass two runs again).
    struct Stopped: Error {}

    private let condition = NSCondition()
    private var outcome: Result<BundleVerifier.VerifiedBundle, any Error>?
    private var held: Bool

    /// `held`: pass one waits before reading the bundle's body until pass two releases it
    /// (`ReplicaProbes.passTwoPausesAfter`).
    init(held: Bool) {
        self.held = held
    }

    /// Lets pass one start, if it was held; pass two calls it at its probe's link, and on leaving.
    func release() {
        condition.withLock {
            held = false
            condition.broadcast()
        }
    }

    /// Called by pass one before it reads the body: returns once it is not held.
    func waitForRelease() {
        condition.withLock {
            while held { condition.wait() }
        }
    }

    /// Whether pass one has ended with an error.
    var failed: Bool {
        condition.withLock {
            if case .failure = outcome { true } else { false }
        }
    }

    /// Records pass one's outcome and wakes whoever waits for it; called once, by pass one.
    func finish(_ result: Result<BundleVerifier.VerifiedBundle, any Error>) {
        condition.withLock {
            outcome = result
            condition.broadcast()
        }
    }

    /// Pass one's outcome, once it has one.
    func wait() -> Result<BundleVerifier.VerifiedBundle, any Error> {
        condition.withLock {
            while true {
                if let outcome { return outcome }
                condition.wait()
            }
        }
    }
}
