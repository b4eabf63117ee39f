import AuditModel
import AuditStore
import BundleFormat
import Foundation
import Replication

/// What verifying a bundle needs to know of the replica it is for: where each origin's chain
/// stands there. Any `ChangeStorage` provides it (`StoredChains`).
protocol HeldChains {
    /// Per origin, the highest seq held without gaps.
    func vector() throws -> VersionVector
    /// The chain hash of a held change or placeholder; `nil` if it is not held (or is held beyond a gap).
    func chainHash(of id: ChangeID) throws -> ChangeHash?
    /// The origins quarantined as forked, with the seq each is refused from.
    func forkSeqs() throws -> [ReplicaID: UInt64]
    /// The chain hashes of `origin`'s held links with seq in `seqs`, by seq (those not held are absent).
    func chainHashes(of origin: ReplicaID, seqs: ClosedRange<UInt64>) throws -> [UInt64: ChangeHash]
}

extension HeldChains {
    /// No origin is forked.
    func forkSeqs() throws -> [ReplicaID: UInt64] { [:] }

    /// One `chainHash(of:)` per seq.
    func chainHashes(of origin: ReplicaID, seqs: ClosedRange<UInt64>) throws -> [UInt64: ChangeHash] {
        var hashes: [UInt64: ChangeHash] = [:]
        for seq in seqs { hashes[seq] = try chainHash(of: ChangeID(origin: origin, seq: seq)) }
        return hashes
    }
}

/// The chains a replica's store holds.
struct StoredChains: HeldChains {
    let storage: any ChangeStorage

    func vector() throws -> VersionVector { try storage.vector() }
    func chainHash(of id: ChangeID) throws -> ChangeHash? { try storage.chainHash(of: id) }
    func forkSeqs() throws -> [ReplicaID: UInt64] { try storage.forkSeqs() }
    func chainHashes(of origin: ReplicaID, seqs: ClosedRange<UInt64>) throws -> [UInt64: ChangeHash] {
        try storage.chainHashes(of: origin, seqs: seqs)
    }
}

/// The whole-bundle verification pass of an import (`Sync/PROTOCOL.md` §21, step 1), before
/// anything is applied: it reads the bundle once, checking each origin's chain from what the
/// replica holds to a checkpoint signed by that origin, stages the evidence files hash-checked,
/// and notes what the roster check needs.
///
/// The reader has already checked format, limits, checkpoint signatures, digest and the
/// exporter's signature as it reads. Trust and authorisation are not checked here: they need the
/// state the bundle produces, inside the import's transaction.
struct BundleVerifier {
    /// Where each origin's chain stands in the replica the bundle is for.
    let held: any HeldChains
    /// The SHA-256 of a staged evidence file, as the blob store files it.
    let hashFile: (String) throws -> BlobDigest
    /// The replica importing the bundle: its own links beyond a gap mean its store is behind
    /// its own history (`FieldAuditError.aheadOfOwnHistory`) rather than a bundle sent too early.
    var own: ReplicaID? = nil

    /// What the verification pass learned.
    struct VerifiedBundle: Sendable {
        var header: BundleHeader
        /// The checkpoints that cover the bundle's chains, to keep for relaying.
        var checkpoints: [StoredCheckpoint]
        /// The evidence files staged, each complete and matching its digest.
        var evidence: [BlobDigest]
        /// The engagements the bundle's changes belong to.
        var engagements: Set<EntityID>
        /// What the roster check needs: see `Authorship`.
        var authorship: [Authorship: ChangeID]
        /// The lowest seq of each origin's changes in the bundle, so the check of who may delete
        /// what reads the bundle's own deletions back from the import's transaction.
        var firstSeqs: [ReplicaID: UInt64]
        /// Origins this bundle proves forked: its version of the first link that differs from
        /// the one held, its chain covered by the origin's checkpoint (`Sync/PROTOCOL.md` §21.1).
        var forks: [ReplicaID: ForkVersion] = [:]
        /// Per origin, the seq from which its links are not applied: its fork, known before or
        /// found by this bundle.
        var refusedFrom: [ReplicaID: UInt64] = [:]
        /// Links of forked origins from their fork on that the bundle carried and that were set aside.
        var setAside = 0
        /// The highest seq of the importer's own origin (`own`) that a checkpoint signed by the
        /// importer's own key in the bundle vouches for; 0 for none. Only this proves how far the
        /// exporter holds the importer's own history (`Sync/PROTOCOL.md` §21 step 2, §21.2): a
        /// header's range is the exporter's claim.
        var ownSigned: UInt64 = 0
    }

    /// One kind of write by one author in one engagement. A roster refuses a change for its
    /// author, entity kind and field (and, for `Roster.perEntityKinds`, its entity and whether it
    /// supersedes anything), and for its seq only beyond a removed member's last allowed seq; so
    /// among a bundle's changes with one `Authorship`, if any is refused, the one with the highest
    /// seq is. Keeping that one per key lets the roster check run without reading the bundle
    /// again, in memory bounded by the schema (and, for the per-entity kinds, by how many of their
    /// entities the bundle writes: one key rotation record per author and engagement when none is
    /// refused), not by the bundle.
    struct Authorship: Hashable, Sendable {
        var engagement: EntityID
        var author: ReplicaID
        var kind: String
        var field: String
        /// The entity, for the kinds a roster judges per entity (`Roster.perEntityKinds`); else `nil`.
        var entity: EntityID?
        /// For the `Roster.perEntityKinds`, whether the change's `supersedes` is non-empty (a
        /// rotation record is written once); else `false`.
        var supersedes = false
    }

    /// A staged evidence file: where it is, its announced size and the bytes written so far.
    private typealias StagedFile = (path: String, size: UInt64, written: UInt64)

    /// Reads the whole bundle and verifies it, staging its evidence files in `staging`.
    ///
    /// `path` names the bundle in errors; `progress` gets the bytes read now and then. When the
    /// bundle's size is known (`bundleBytes`, a regular file), a bundle with more redacted changes
    /// than its size allows is refused as soon as it has one too many, not after reading it all.
    ///
    /// Per origin, the checkpoint with the highest seq covers the chain (`Sync/PROTOCOL.md` §15):
    /// the chain must end exactly at it; checkpoints with lower seqs are older statements of the
    /// same origin and are not kept. Two checkpoints of one origin with one seq and different
    /// hashes mean its history is forked.
    ///
    /// - Throws: `FieldAuditError.bundleGap` if an origin's first link lies beyond what the
    ///   replica holds (`.aheadOfOwnHistory` when that origin is `own` and its checkpoint proves it), `.brokenChain` if links are not consecutive, start after a predecessor not
    ///   held, or do not end at the highest checkpoint of their origin with an equal hash, or if
    ///   an origin signed two hashes for one seq; `.incompleteEvidence` if an evidence file is not
    ///   whole and in order in the bundle, `.evidenceMismatch` if it does not match its digest;
    ///   `BundleError` from the reader (`tooManyRedactedChanges` among them); `HeldChains`' errors.
    func verify<Source: ByteSource>(
        _ reader: BundleReader<Source>, from path: String, bundleBytes: UInt64? = nil, stagingEvidenceIn staging: String,
        progress: (Int) -> Void = { _ in }
    ) throws -> VerifiedBundle {
        let holds = try held.vector()
        let quarantined = try held.forkSeqs()
        /// Per origin, the bundle's first link that differs from the held one, and its hash.
        var divergence: [ReplicaID: (id: ChangeID, content: ContentDigest, hash: ChangeHash, change: Change?)] = [:]
        /// Quarantined origins whose links in the bundle reach their fork: their chains cannot
        /// reach the bundle's checkpoint, so their earlier links must equal the held ones.
        var beyondFork = Set<ReplicaID>()
        var setAside = 0
        /// Held hashes of the links a bundle carries again, read a window at a time.
        var heldWindow: [ReplicaID: (seqs: ClosedRange<UInt64>, hashes: [UInt64: ChangeHash])] = [:]
        /// The held hash of a link the replica holds within its gap-free prefix.
        func heldHash(of id: ChangeID) throws -> ChangeHash? {
            if let window = heldWindow[id.origin], window.seqs.contains(id.seq) { return window.hashes[id.seq] }
            let seqs = id.seq...min(holds[id.origin], id.seq + 4095)
            heldWindow[id.origin] = (seqs, try held.chainHashes(of: id.origin, seqs: seqs))
            return heldWindow[id.origin]?.hashes[id.seq]
        }
        let redactedLimit = bundleBytes.map(BundleLayout.maximumRedactedChanges(inBundleOf:))
        var chains: [ReplicaID: OriginChain] = [:]
        var checkpoints: [ReplicaID: Checkpoint] = [:]
        var engagements = Set<EntityID>()
        var authorship: [Authorship: ChangeID] = [:]
        var firstSeqs: [ReplicaID: UInt64] = [:]
        var staged: [BlobDigest: StagedFile] = [:]
        var count = 0
        /// The first of the importer's own links the bundle holds beyond a gap, if any.
        var ownBeyondGap: UInt64?

        /// The chain an origin's first link in the bundle must extend: the replica's, up to it.
        func chain(before id: ChangeID) throws -> OriginChain {
            guard id.seq <= holds[id.origin] + 1 else {
                throw FieldAuditError.bundleGap(origin: id.origin, holds: holds[id.origin], startsAt: id.seq, path: path)
            }
            guard let chain = try OriginChain.before(id, hashOf: held.chainHash) else {
                throw FieldAuditError.brokenChain(origin: id.origin, seq: id.seq, reason: "its predecessor is not held here; the bundle was altered, reordered or forged", path: path)
            }
            return chain
        }

        /// Extends the origin's chain by a link; returns whether the link is to be applied (not
        /// at or beyond its origin's fork).
        func extend(_ id: ChangeID, content: ContentDigest, change: Change? = nil) throws -> Bool {
            count += 1
            if count % 4096 == 0 { progress(reader.bytesRead) }
            if let fork = quarantined[id.origin], id.seq >= fork {
                beyondFork.insert(id.origin)
                setAside += 1
                return false
            }
            if id.origin == own, chains[id.origin] == nil, id.seq > holds[id.origin] + 1 {
                // Read on to the end, where the signatures are checked, before saying so.
                ownBeyondGap = min(ownBeyondGap ?? id.seq, id.seq)
                return false
            }
            var chain = try chains[id.origin] ?? chain(before: id)
            let hash: ChangeHash
            do { hash = try chain.extend(by: id, content: content) } catch {
                throw FieldAuditError.brokenChain(origin: id.origin, seq: id.seq, reason: "expected seq \(chain.next.seq) next; the bundle was altered, reordered or forged", path: path)
            }
            chains[id.origin] = chain
            if divergence[id.origin] != nil {
                setAside += 1
                return false
            }
            if id.seq <= holds[id.origin], let heldHash = try heldHash(of: id), heldHash != hash {
                divergence[id.origin] = (id, content, hash, change)
                setAside += 1
                return false
            }
            return true
        }

        while let record = try reader.next() {
            switch record {
            case let .change(change):
                guard try extend(change.id, content: change.contentDigest, change: change) else { continue }
                engagements.insert(change.engagement)
                let perEntity = Roster.perEntityKinds.contains(change.kind)
                let key = Authorship(
                    engagement: change.engagement, author: change.origin, kind: change.kind, field: change.field,
                    entity: perEntity ? change.entity : nil, supersedes: perEntity && !change.supersedes.isEmpty)
                if (authorship[key]?.seq ?? 0) < change.seq { authorship[key] = change.id }
                firstSeqs[change.origin] = min(firstSeqs[change.origin] ?? .max, change.seq)
            case let .redacted(id, content):
                if let redactedLimit, let bundleBytes, reader.redactedChanges > redactedLimit {
                    throw BundleError.tooManyRedactedChanges(found: reader.redactedChanges, limit: redactedLimit, bundleBytes: bundleBytes)
                }
                _ = try extend(id, content: content)
            case let .checkpoint(checkpoint):
                guard let kept = checkpoints[checkpoint.origin], kept.seq >= checkpoint.seq else {
                    checkpoints[checkpoint.origin] = checkpoint
                    continue
                }
                if kept.seq == checkpoint.seq, kept.hash != checkpoint.hash {
                    throw FieldAuditError.brokenChain(
                        origin: checkpoint.origin, seq: checkpoint.seq,
                        reason: "that replica signed two different hashes for it: its history is forked", path: path)
                }
            case let .blobChunk(chunk):
                try stage(chunk, in: staging, staged: &staged, path: path)
            }
        }
        if let own, let first = ownBeyondGap {
            // The importer's own key signed a checkpoint beyond what its store holds: the store
            // is behind its own history. Without one, it is an ordinary gap.
            guard let signed = checkpoints[own], signed.seq > holds[own] else {
                throw FieldAuditError.bundleGap(origin: own, holds: holds[own], startsAt: first, path: path)
            }
            throw FieldAuditError.aheadOfOwnHistory(
                head: holds[own], heldThrough: signed.seq, exporter: reader.header.exporter.short, path: path)
        }
        var forks: [ReplicaID: ForkVersion] = [:]
        for (origin, chain) in chains {
            if beyondFork.contains(origin) {
                // The links before the fork are held already; they must be the held ones.
                if let diverging = divergence[origin] {
                    throw FieldAuditError.brokenChain(
                        origin: origin, seq: diverging.id.seq,
                        reason: "it differs from the change held here, and the rest of the bundle's history of that replica lies beyond its quarantined fork, so no checkpoint covers it; the bundle was altered or made by a faulty exporter",
                        path: path)
                }
                continue
            }
            guard let checkpoint = checkpoints[origin], checkpoint.seq == chain.seq else {
                throw FieldAuditError.brokenChain(
                    origin: origin, seq: chain.seq, reason: "no checkpoint signed by that replica covers its last change; the bundle was altered or made by a faulty exporter", path: path)
            }
            guard checkpoint.hash == chain.head else {
                throw FieldAuditError.brokenChain(origin: origin, seq: chain.seq, reason: "the chain does not end at the signed hash: the bundle altered that replica's changes, or that replica's history is forked (two copies of its key) before the bundle's first change, where this bundle cannot show it. A bundle made with `fieldaudit export --all` carries that replica's changes from its first, so a fork is found and quarantined while everyone else's changes flow",
                    path: path)
            }
            if let diverging = divergence[origin] {
                // Signed by its origin, and different from what the origin signed before: a fork.
                forks[origin] = ForkVersion(
                    id: diverging.id, content: diverging.content, hash: diverging.hash, canonical: diverging.change?.canonicalEncoding(),
                    relayedBy: reader.header.exporter, receivedAt: 0)
            }
        }
        var refusedFrom = quarantined
        for (origin, version) in forks { refusedFrom[origin] = min(refusedFrom[origin] ?? .max, version.id.seq) }
        var evidence: [BlobDigest] = []
        for (digest, file) in staged.sorted(by: { $0.key.hex < $1.key.hex }) {
            guard file.written == file.size else {
                throw FieldAuditError.incompleteEvidence(
                    digest: digest.hex, reason: "has only \(file.written) of its \(file.size) bytes in the bundle", path: path)
            }
            guard (try? hashFile(file.path)) == digest else {
                throw FieldAuditError.evidenceMismatch(digest: digest.hex, path: path)
            }
            evidence.append(digest)
        }
        return VerifiedBundle(
            header: reader.header,
            checkpoints: checkpoints.values.filter { chains[$0.origin] != nil && !beyondFork.contains($0.origin) && forks[$0.origin] == nil }.map {
                StoredCheckpoint(origin: $0.origin, seq: $0.seq, hash: $0.hash, publicKey: $0.signerPublicKey, signature: $0.signature)
            },
            evidence: evidence, engagements: engagements, authorship: authorship, firstSeqs: firstSeqs, forks: forks,
            refusedFrom: refusedFrom, setAside: setAside, ownSigned: own.flatMap { checkpoints[$0]?.seq } ?? 0)
    }

    /// Writes an evidence chunk into its staging file; chunks of a file must come in order, each
    /// starting where the one before ended (`Sync/PROTOCOL.md` §13.5).
    private func stage(_ chunk: BlobChunk, in staging: String, staged: inout [BlobDigest: StagedFile], path: String) throws {
        if staged[chunk.digest] == nil {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            let file = "\(staging)/\(chunk.digest.hex)"
            guard FileManager.default.createFile(atPath: file, contents: nil) else {
                throw FieldAuditError.store(.blobUnwritable(path: file, reason: "the file cannot be created"))
            }
            staged[chunk.digest] = (file, chunk.totalSize, 0)
        }
        guard var entry = staged[chunk.digest] else { return }
        guard entry.size == chunk.totalSize else {
            throw FieldAuditError.incompleteEvidence(
                digest: chunk.digest.hex, reason: "is announced as \(entry.size) bytes and then as \(chunk.totalSize)", path: path)
        }
        guard chunk.offset == entry.written else {
            throw FieldAuditError.incompleteEvidence(
                digest: chunk.digest.hex,
                reason: "has a chunk at byte \(chunk.offset) where the next one should start at byte \(entry.written)", path: path)
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
}
