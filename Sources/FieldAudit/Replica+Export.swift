import AuditModel
import AuditStore
import BundleFormat
import Foundation
import Replication

/// What an export is for: whom, from which of their holdings, in which engagements.
public struct ExportRequest: Sendable {
    /// The peer, when known: its changes are not sent back, and only engagements it is on the
    /// team of travel in full; the others' changes travel as content digests.
    public var peer: ReplicaID?
    /// What the peer holds; empty sends everything.
    public var peerHolds: VersionVector
    /// One engagement only; `nil` for every engagement the peer may read.
    public var engagement: EntityID?
    /// Seal the body for the engagements' team members.
    public var encrypt: Bool
    /// Carry the evidence files the exported changes reference.
    public var includeEvidence: Bool
    /// More X25519 keys (32 raw bytes each) to seal the body for besides the teams', such as the
    /// agreement key on the peer's identity card, which may not be on a team yet.
    public var extraRecipients: [[UInt8]] = []
    /// Also send the peer's own changes back to it (`export --all`): what a peer restoring its
    /// replica needs, so that its chain continues from what others hold.
    public var returnsPeerChanges = false

    /// A request; by default everything this replica holds, for no particular peer, unsealed, with evidence.
    public init(peer: ReplicaID? = nil, peerHolds: VersionVector = VersionVector(), engagement: EntityID? = nil, encrypt: Bool = false, includeEvidence: Bool = true) {
        self.peer = peer
        self.peerHolds = peerHolds
        self.engagement = engagement
        self.encrypt = encrypt
        self.includeEvidence = includeEvidence
    }
}

/// What an export wrote.
public struct ExportSummary: Sendable, Encodable {
    /// Changes carried in full.
    public var changes = 0
    /// Changes of engagements the peer is not on, carried as hashes.
    public var withheld = 0
    /// Evidence files carried.
    public var evidenceFiles = 0
    /// Bytes of evidence carried.
    public var evidenceBytes: UInt64 = 0
    /// Signed checkpoints carried.
    public var checkpoints = 0
    /// The bundle's size in bytes.
    public var bytes: UInt64 = 0
    /// The engagements carried in full.
    public var engagements: [EntityID] = []
    /// For how many team members the bundle is sealed; 0 if it is not.
    public var sealedFor = 0
}

extension Replica {
    /// Writes a bundle of everything the peer lacks to `sink`, streaming from the store.
    ///
    /// Each origin's changes go from the peer's holdings up to the last seq a signed checkpoint
    /// covers: this replica signs its own changes now; other origins' checkpoints are relayed.
    /// Changes of engagements the peer may not read travel as content digests. Evidence files
    /// referenced by the changes travel in chunks unless `includeEvidence` is off. `progress` hears
    /// the changes written out of those to write, then the evidence bytes out of the files' total.
    public func export<Sink: ByteSink>(_ request: ExportRequest, to sink: Sink, progress: (WorkProgress) -> Void = { _ in }) throws(FieldAuditError) -> ExportSummary {
        do {
            return try exportThrowing(request, to: sink, progress: progress)
        } catch {
            throw Self.wrap(error)
        }
    }

    /// Writes a bundle of everything the peer lacks to `output`: a file, written atomically
    /// (see `OutputFile`), or standard output.
    ///
    /// - Throws: what `export(_:to:progress:)` throws, or `OutputFile`'s errors; a file
    ///   destination is then as it was.
    public func export(_ request: ExportRequest, to output: OutputFile, progress: (WorkProgress) -> Void = { _ in }) throws(FieldAuditError) -> ExportSummary {
        try output.write { handle in try export(request, to: FileHandleSink(handle), progress: progress) }
    }

    /// The name a bundle gets in a directory: the exporter's name, the peer's (or `all`) and
    /// today's date, `ada-lead-to-ben-auditor-2026-12-01.fabundle`.
    public func defaultBundleName(peer: String?, timeZone: TimeZone = .current) -> String {
        OutputFile.fileName([name.isEmpty ? identity.id.short : name, peer.map { "to \($0)" } ?? "all", Self.day(now, in: timeZone)], extension: "fabundle")
    }

    /// A Unix-millisecond time's calendar date, `YYYY-MM-DD`.
    static func day(_ milliseconds: Int64, in timeZone: TimeZone) -> String {
        SiteTime(timeZone).day(milliseconds)
    }

    private func exportThrowing<Sink: ByteSink>(_ request: ExportRequest, to sink: Sink, progress: (WorkProgress) -> Void) throws -> ExportSummary {
        // One snapshot for the whole bundle (`Sync/PROTOCOL.md` §20): the rosters that decide what
        // the peer reads, the heads, checkpoints and links are the store as one commit left it,
        // whatever an import commits meanwhile (a central's pull runs beside its imports).
        let (summary, ownThrough) = try store.withPinnedRead { try exportSnapshot(request, to: sink, progress: progress) }
        // Written after the read (no write inside it), only upwards: two exports may finish in
        // either order. Read first, so an export that sends nothing new of this replica's own (a
        // central's pulls) takes no write lock beside an import in progress.
        if let ownThrough, RisingMetadata.rises(from: try store.metadata(Self.exportedSeqKey), to: ownThrough) {
            try store.raiseMetadata(Self.exportedSeqKey, to: ownThrough)
        }
        return summary
    }

    /// Writes the bundle from the store as one snapshot shows it; returns what it wrote and how
    /// far it carried this replica's own changes, if at all.
    private func exportSnapshot<Sink: ByteSink>(
        _ request: ExportRequest, to sink: Sink, progress: (WorkProgress) -> Void
    ) throws -> (ExportSummary, ownThrough: UInt64?) {
        let readable = try readableEngagements(for: request)
        probes.exportReadRosters?()
        var ranges: [OriginRange] = []
        var checkpoints: [Checkpoint] = []
        for head in try store.originHeads() where request.returnsPeerChanges || head.origin != request.peer {
            let after = request.peerHolds[head.origin]
            if head.origin == identity.id {
                guard head.contiguous > after else { continue }
                ranges.append(OriginRange(origin: head.origin, after: after, through: head.contiguous))
                checkpoints.append(Checkpoint.sign(seq: head.contiguous, hash: head.head, by: identity))
            } else if let stored = try store.checkpoint(of: head.origin, through: head.contiguous), stored.seq > after {
                ranges.append(OriginRange(origin: head.origin, after: after, through: stored.seq))
                checkpoints.append(try Checkpoint(signerPublicKey: stored.publicKey, seq: stored.seq, hash: stored.hash, signature: stored.signature))
            }
        }
        var header = BundleHeader(
            exporterKey: identity.publicKey, createdAt: clock.now(), engagements: readable, ranges: ranges,
            includesEvidence: request.includeEvidence)
        // The newest checkpoint the peer's own key signed: how a peer restored from an older
        // backup learns it is behind its own history (`Sync/PROTOCOL.md` §21.2).
        if let peer = request.peer, peer != identity.id, let stored = try store.checkpoint(of: peer) {
            header.recipientCheckpoint = try Checkpoint(
                signerPublicKey: stored.publicKey, seq: stored.seq, hash: stored.hash, signature: stored.signature)
        }
        let sealing = request.encrypt ? try BundleSealing(recipients: try recipients(of: readable, adding: request.extraRecipients)) : nil
        let writer = try BundleWriter(header: header, exporter: identity, sink: sink, sealing: sealing)
        let visible = Set(readable)
        var summary = ExportSummary(engagements: readable, sealedFor: sealing?.recipients.count ?? 0)
        var evidence = Set<BlobDigest>()
        let changeTotal = ranges.reduce(UInt64(0)) { $0 + ($1.through - $1.after) }
        progress(WorkProgress(step: "changes", done: 0, total: changeTotal, unit: .changes))
        for range in ranges {
            try store.forEachLink(of: range.origin, after: range.after, through: range.through) { link in
                switch link {
                case let .change(change, _) where visible.contains(change.engagement):
                    try writer.append(change)
                    summary.changes += 1
                    if case let .blob(digest) = change.value { evidence.insert(digest) }
                case let .change(change, _):
                    try writer.appendRedacted(change.id, content: change.contentDigest)
                    summary.withheld += 1
                case let .withheld(id, content):
                    try writer.appendRedacted(id, content: content)
                    summary.withheld += 1
                }
                let written = summary.changes + summary.withheld
                if written % 256 == 0 { progress(WorkProgress(step: "changes", done: UInt64(written), total: changeTotal, unit: .changes)) }
            }
        }
        for checkpoint in checkpoints { try writer.append(checkpoint) }
        summary.checkpoints = checkpoints.count
        if request.includeEvidence {
            let carried = evidence.sorted().filter { blobs.contains($0) }
            let evidenceTotal = carried.reduce(UInt64(0)) { $0 + Self.fileSize(blobs.path(of: $1)) }
            for digest in carried {
                let before = summary.evidenceBytes
                summary.evidenceBytes += try appendBlob(digest, to: writer) { chunk in
                    progress(WorkProgress(step: "evidence", done: before + chunk, total: evidenceTotal, unit: .bytes))
                }
                summary.evidenceFiles += 1
            }
        }
        summary.bytes = try writer.finish().byteCount
        return (summary, ranges.first { $0.origin == identity.id }?.through)
    }

    /// Streams one evidence file into the bundle in chunks; returns its size.
    private func appendBlob<Sink: ByteSink>(_ digest: BlobDigest, to writer: BundleWriter<Sink>, progress: (UInt64) -> Void) throws -> UInt64 {
        let path = blobs.path(of: digest)
        guard let handle = FileHandle(forReadingAtPath: path) else { throw FieldAuditError.store(.blobMissing(digest: digest.hex)) }
        defer { try? handle.close() }
        let size = Self.fileSize(path)
        var offset: UInt64 = 0
        if size == 0 { try writer.appendBlobChunk(digest: digest, totalSize: 0, offset: 0, bytes: []) }
        while offset < size, let data = try handle.read(upToCount: BundleLayout.maximumBlobChunkLength), !data.isEmpty {
            try writer.appendBlobChunk(digest: digest, totalSize: size, offset: offset, bytes: [UInt8](data))
            offset += UInt64(data.count)
            progress(offset)
        }
        return size
    }

    /// The size of a file in bytes; 0 when it cannot be read.
    static func fileSize(_ path: String) -> UInt64 {
        UInt64((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0)
    }

    /// The engagements whose changes travel in full: those the peer may read (all held, when the
    /// peer is unknown), narrowed to one when asked.
    func readableEngagements(for request: ExportRequest) throws -> [EntityID] {
        var engagements = try store.snapshots(ofKind: EntityKind.engagement.rawValue).map(\.id)
        if let only = request.engagement { engagements = engagements.filter { $0 == only } }
        guard let peer = request.peer else { return engagements.sorted() }
        return try engagements.filter { engagement in try roster(of: engagement).canRead(peer) }.sorted()
    }

    /// The roster of an engagement as this replica holds it.
    func roster(of engagement: EntityID) throws -> Roster {
        Roster(
            engagement: engagement, recordedFounder: try store.founder(of: engagement),
            snapshots: try store.snapshots(engagement: engagement, kinds: Roster.kinds))
    }

    /// The X25519 keys of everyone on the teams of `engagements`, this replica included, and `extra`.
    private func recipients(of engagements: [EntityID], adding extra: [[UInt8]]) throws -> [Curve25519.KeyAgreement.PublicKey] {
        var keys = Set<[UInt8]>([AgreementKey.derive(from: identity).publicKeyBytes])
        keys.formUnion(extra.filter { $0.count == 32 })
        for engagement in engagements {
            for member in try store.snapshots(engagement: engagement, kinds: [EntityKind.member.rawValue]).compactMap(TeamMember.init) {
                if let text = member.agreementKey, let raw = Data(base64Encoded: text), raw.count == 32 { keys.insert([UInt8](raw)) }
            }
        }
        return try keys.sorted { $0.lexicographicallyPrecedes($1) }.map { try Curve25519.KeyAgreement.PublicKey(rawRepresentation: $0) }
    }
}

import Crypto
