import AuditModel
import AuditStore
import BundleFormat
import Foundation
import Replication

/// What an import did.
public struct ImportSummary: Sendable, Encodable {
    public var path: String
    public var exporter: String
    /// Changes new to this replica.
    public var newChanges = 0
    /// Changes already held.
    public var knownChanges = 0
    /// Changes withheld from this replica, kept as chain placeholders.
    public var withheld = 0
    /// Entities seen for the first time.
    public var newEntities = 0
    /// Evidence files stored for the first time.
    public var newEvidence = 0
    /// Fields in conflict that were not before.
    public var newConflicts = 0
    /// Remote stamps too far ahead of this replica's clock.
    public var flaggedStamps = 0
}

extension Replica {
    /// Imports one bundle file: verifies everything first (format, digest, signatures, each
    /// origin's chain up to its signed checkpoint, evidence hashes, the signer), then applies the
    /// changes in one transaction that commits only if every change was its author's to make.
    /// Importing the same bundle again changes nothing.
    ///
    /// - Throws: `FieldAuditError` naming what failed; the store is then exactly as it was.
    public func importBundle(at path: String, progress: (Int) -> Void = { _ in }) throws(FieldAuditError) -> ImportSummary {
        blobs.removeAbandonedScratch()
        let incoming = location.blobs + "/" + BlobStore.scratchName()
        defer { try? FileManager.default.removeItem(atPath: incoming) }
        do {
            let verified = try verify(path, stagingEvidenceIn: incoming, progress: progress)
            return try apply(verified, from: path, stagedEvidence: incoming)
        } catch let error as BundleError {
            throw .bundle(error, path: path)
        } catch {
            throw Self.wrap(error)
        }
    }

    /// What the verification pass learned.
    struct VerifiedBundle {
        var header: BundleHeader
        var checkpoints: [StoredCheckpoint]
        var evidence: [BlobDigest]
        var engagements: Set<EntityID>
        /// What the roster check needs: see `Authorship`.
        var authorship: [Authorship: ChangeID]
    }

    /// One kind of write by one author in one engagement. A roster refuses a change for its
    /// author, entity kind and field, and for its seq only beyond a removed member's last allowed
    /// seq; so among a bundle's changes with one `Authorship`, if any is refused, the one with the
    /// highest seq is. Keeping that one per key lets the roster check run without reading the
    /// bundle again, in memory bounded by the schema, not by the bundle.
    struct Authorship: Hashable {
        var engagement: EntityID
        var author: ReplicaID
        var kind: String
        var field: String
    }

    /// Opens a bundle for reading with this replica's agreement key.
    func openBundle(_ path: String) throws -> (BundleReader<FileHandleSource>, FileHandle) {
        let handle = try InputFile.open(path)
        return (try BundleReader(source: FileHandleSource(handle), agreementKey: AgreementKey.derive(from: identity)), handle)
    }

    /// Pass one: reads the whole bundle, checking each origin's chain from what this replica
    /// holds to a checkpoint signed by that origin, and stages evidence files, hash-checked.
    private func verify(_ path: String, stagingEvidenceIn staging: String, progress: (Int) -> Void) throws -> VerifiedBundle {
        let (reader, handle) = try openBundle(path)
        defer { try? handle.close() }
        let held = try store.vector()
        var chains: [ReplicaID: (seq: UInt64, hash: ChangeHash)] = [:]
        var checkpoints: [ReplicaID: Checkpoint] = [:]
        var engagements = Set<EntityID>()
        var authorship: [Authorship: ChangeID] = [:]
        var staged: [BlobDigest: (path: String, size: UInt64, written: UInt64)] = [:]
        var count = 0

        func extend(_ id: ChangeID, content: ContentDigest) throws {
            var chain: (seq: UInt64, hash: ChangeHash)
            if let current = chains[id.origin] {
                chain = current
            } else {
                guard id.seq <= held[id.origin] + 1 else {
                    throw FieldAuditError.bundleGap(origin: id.origin, holds: held[id.origin], startsAt: id.seq, path: path)
                }
                let previous = id.seq == 1 ? ChangeHash.genesis : try store.chainHash(of: ChangeID(origin: id.origin, seq: id.seq - 1))
                guard let previous else {
                    throw FieldAuditError.brokenChain(origin: id.origin, seq: id.seq, reason: "its predecessor is not held here", path: path)
                }
                chain = (id.seq - 1, previous)
            }
            guard id.seq == chain.seq + 1 else {
                throw FieldAuditError.brokenChain(origin: id.origin, seq: id.seq, reason: "expected seq \(chain.seq + 1) next", path: path)
            }
            chains[id.origin] = (id.seq, ChangeHash.link(chain.hash, content))
            count += 1
            if count % 4096 == 0 { progress(reader.bytesRead) }
        }

        while let record = try reader.next() {
            switch record {
            case let .change(change):
                try extend(change.id, content: change.contentDigest)
                engagements.insert(change.engagement)
                let key = Authorship(engagement: change.engagement, author: change.origin, kind: change.kind, field: change.field)
                if (authorship[key]?.seq ?? 0) < change.seq { authorship[key] = change.id }
            case let .redacted(id, content):
                try extend(id, content: content)
            case let .checkpoint(checkpoint):
                checkpoints[checkpoint.origin] = checkpoint
            case let .blobChunk(chunk):
                try stage(chunk, in: staging, staged: &staged, path: path)
            }
        }
        for (origin, chain) in chains {
            guard let checkpoint = checkpoints[origin], checkpoint.seq == chain.seq else {
                throw FieldAuditError.brokenChain(
                    origin: origin, seq: chain.seq, reason: "no checkpoint signed by that replica covers its last change", path: path)
            }
            guard checkpoint.hash == chain.hash else {
                throw FieldAuditError.brokenChain(origin: origin, seq: chain.seq, reason: "the chain does not end at the signed hash", path: path)
            }
        }
        var evidence: [BlobDigest] = []
        for (digest, file) in staged {
            guard file.written == file.size, (try? blobs.hash(of: file.path)) == digest else {
                throw FieldAuditError.evidenceMismatch(digest: digest.hex, path: path)
            }
            evidence.append(digest)
        }
        return VerifiedBundle(
            header: reader.header,
            checkpoints: checkpoints.values.filter { chains[$0.origin] != nil }.map {
                StoredCheckpoint(origin: $0.origin, seq: $0.seq, hash: $0.hash, publicKey: $0.signerPublicKey, signature: $0.signature)
            },
            evidence: evidence, engagements: engagements, authorship: authorship)
    }

    /// Writes an evidence chunk into its staging file.
    private func stage(
        _ chunk: BlobChunk, in staging: String, staged: inout [BlobDigest: (path: String, size: UInt64, written: UInt64)], path: String
    ) throws {
        if staged[chunk.digest] == nil {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            let file = "\(staging)/\(chunk.digest.hex)"
            guard FileManager.default.createFile(atPath: file, contents: nil) else {
                throw FieldAuditError.store(.blobUnwritable(path: file, reason: "the file cannot be created"))
            }
            staged[chunk.digest] = (file, chunk.totalSize, 0)
        }
        guard var entry = staged[chunk.digest], entry.size == chunk.totalSize, chunk.offset == entry.written else {
            throw FieldAuditError.evidenceMismatch(digest: chunk.digest.hex, path: path)
        }
        guard let handle = FileHandle(forWritingAtPath: entry.path) else {
            throw FieldAuditError.store(.blobUnwritable(path: entry.path, reason: "the file cannot be opened"))
        }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(chunk.bytes))
        } catch {
            throw FieldAuditError.store(.blobUnwritable(path: entry.path, reason: error.localizedDescription))
        }
        entry.written += UInt64(chunk.bytes.count)
        staged[chunk.digest] = entry
    }

    /// Whether a bundle's signer is known before its import: this replica, a trusted key, or the
    /// founder or a member of an engagement held here. (A signer on the roster of an engagement
    /// the bundle itself brings is accepted too, once that roster checks out.)
    func isKnownSigner(_ exporter: ReplicaID, trusted: Set<ReplicaID>) throws -> Bool {
        if exporter == identity.id || trusted.contains(exporter) { return true }
        for engagement in try store.snapshots(ofKind: EntityKind.engagement.rawValue) {
            let roster = try roster(of: engagement.id)
            if roster.founder == exporter || roster.members[exporter] != nil { return true }
        }
        return false
    }

    /// Pass two: applies the bundle in one transaction and, before it commits, checks every change
    /// against its engagement's roster as the bundle leaves it; then keeps the staged evidence.
    private func apply(_ verified: VerifiedBundle, from path: String, stagedEvidence: String) throws -> ImportSummary {
        let entitiesBefore = try store.entityCount()
        let conflictsBefore = try store.conflictCount()
        var stream: BundleReader<FileHandleSource>?
        let handle: FileHandle
        (stream, handle) = try openBundle(path)
        defer { try? handle.close() }
        var holds = VersionVector()
        for range in verified.header.ranges { holds[range.origin] = range.through }
        let bookkeeping = ImportBookkeeping(exporter: verified.header.exporter, exporterHolds: holds, checkpoints: verified.checkpoints)
        let trusted = Set(try store.trustedReplicas().keys)
        let signerKnown = try isKnownSigner(verified.header.exporter, trusted: trusted)
        let report = try store.importLinks({ () throws -> SyncLink? in
            while let record = try stream?.next() {
                switch record {
                case let .change(change): return .change(change)
                case let .redacted(id, content): return .withheld(id, content)
                case .checkpoint, .blobChunk: continue
                }
            }
            // Read to the end: let its reference tables go before the transaction commits.
            stream = nil
            return nil
        }, bookkeeping: bookkeeping) { view in
            let rosters = try authorize(path, verified, trusted: trusted, view: view)
            guard signerKnown || rosters.contains(where: { $0.canRead(verified.header.exporter) }) else {
                throw FieldAuditError.untrustedSigner(verified.header.exporter, path: path)
            }
        }
        var newEvidence = 0
        for digest in verified.evidence where !blobs.contains(digest) {
            _ = try blobs.put(contentsOf: "\(stagedEvidence)/\(digest.hex)")
            newEvidence += 1
        }
        return ImportSummary(
            path: path, exporter: verified.header.exporter.hex, newChanges: report.applied, knownChanges: report.duplicates,
            withheld: report.withheld, newEntities: try store.entityCount() - entitiesBefore, newEvidence: newEvidence,
            newConflicts: max(0, try store.conflictCount() - conflictsBefore), flaggedStamps: report.flaggedStamps.count)
    }

    /// Checks, inside the import's transaction, that each engagement has a trusted founder and
    /// that every change of the bundle was its author's to make (through `verified.authorship`,
    /// the change most likely refused of each author, kind and field).
    ///
    /// Runs inside the store's write transaction: it reads only through `view`.
    /// Returns the rosters it checked against.
    private func authorize(_ path: String, _ verified: VerifiedBundle, trusted: Set<ReplicaID>, view: ImportView) throws -> [Roster] {
        var rosters: [EntityID: Roster] = [:]
        for engagement in verified.engagements {
            let snapshots = try view.rosterSnapshots(engagement: engagement)
            var founder = try view.founder(of: engagement)
            if founder == nil {
                let claim = snapshots.first { $0.id == engagement }.flatMap(Roster.foundingClaim)
                guard let claim, claim == identity.id || trusted.contains(claim) else {
                    throw FieldAuditError.untrustedFounder(engagement: engagement, founder: claim, path: path)
                }
                try view.recordFounder(claim, of: engagement)
                founder = claim
            }
            rosters[engagement] = Roster(engagement: engagement, founder: founder, snapshots: snapshots)
        }
        // Sorted by change id, so every replica names the same refused change.
        for (key, id) in verified.authorship.sorted(by: { $0.value < $1.value }) {
            guard let roster = rosters[key.engagement] else { continue }
            if let refusal = roster.refusal(of: id, kind: key.kind, field: key.field) {
                throw FieldAuditError.unauthorized(refusal, path: path)
            }
        }
        return Array(rosters.values)
    }
}
