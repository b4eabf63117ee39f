@testable import BundleFormat
import Foundation
import Replication
import TestSupport
import Testing

@testable import FieldAudit

/// An import's verification pass on its own, without a replica: chains from what is held to each
/// origin's signed checkpoint, evidence hash-checked, the summary the roster check uses.
struct BundleVerifierTests {
    let directory = TemporaryDirectory()
    let author = testIdentity(2)
    let engagement = testEntity(20)

    /// What a replica holds, as the verifier asks for it: origins' gap-free prefixes and their hashes.
    struct HeldLinks: HeldChains {
        var holds = VersionVector()
        var hashes: [ChangeID: ChangeHash] = [:]

        /// Holds `changes`, the first ones of their origin, in seq order.
        init(holding changes: [Change] = []) throws {
            var chains: [ReplicaID: OriginChain] = [:]
            for change in changes {
                var chain = chains[change.origin] ?? OriginChain(origin: change.origin)
                hashes[change.id] = try chain.extend(by: change)
                holds[change.origin] = change.seq
                chains[change.origin] = chain
            }
        }

        func vector() -> VersionVector { holds }
        func chainHash(of id: ChangeID) -> ChangeHash? { hashes[id] }
    }

    /// `count` changes by the author, notes and findings of the engagement, in seq order.
    func changes(_ count: Int) -> [Change] {
        var writer = ChangeWriter(origin: author.id, lastSeq: 0, clock: HybridLogicalClock(last: .zero), now: 1_764_000_000_000)
        return (0..<count).map { index in
            let (kind, field) = index % 2 == 0 ? ("note", "text") : ("finding", "statement")
            return writer.write(
                .text("entry \(index)"), to: FieldKey(entity: testEntity(UInt64(100 + index)), field: field),
                kind: kind, engagement: engagement, over: nil)
        }
    }

    /// The chain head after `changes`, starting from the empty chain.
    func head(after changes: [Change]) throws -> (seq: UInt64, hash: ChangeHash) {
        var chain = OriginChain(origin: author.id)
        for change in changes { try chain.extend(by: change) }
        return (chain.seq, chain.head)
    }

    /// A bundle signed by the author carrying `links` (a `nil` content sends the change whole, a
    /// digest sends it withheld), a checkpoint if given, and evidence files.
    func bundle(
        _ links: [Change], withheld: Set<ChangeID> = [], checkpoint: (seq: UInt64, hash: ChangeHash)?,
        evidence: [(digest: BlobDigest, bytes: [UInt8])] = []
    ) throws -> BundleReader<MemorySource> {
        let bytes = try bundle(
            links, checkpoints: checkpoint.map { [$0] } ?? [],
            chunks: evidence.map { BlobChunk(digest: $0.digest, totalSize: UInt64($0.bytes.count), offset: 0, bytes: $0.bytes) },
            withheld: { withheld.contains($0.id) ? $0.contentDigest : nil })
        return try BundleReader(source: MemorySource(bytes))
    }

    func verify(_ reader: BundleReader<MemorySource>, held: HeldLinks) throws -> BundleVerifier.VerifiedBundle {
        let verifier = BundleVerifier(held: held, hashFile: { path in
            var hasher = BlobHasher()
            hasher.update([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
            return hasher.finalize()
        })
        return try verifier.verify(reader, from: "day1.fabundle", stagingEvidenceIn: directory.file("staging"))
    }

    func digest(of bytes: [UInt8]) -> BlobDigest {
        var hasher = BlobHasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Whether `error` is a refusal of the author's chain at `seq` whose reason contains `reason`.
    func isBrokenChain(_ error: any Error, at seq: UInt64, _ reason: String) -> Bool {
        guard case let FieldAuditError.brokenChain(origin, at, why, path) = error else { return false }
        return origin == author.id && at == seq && why.contains(reason) && path == "day1.fabundle"
    }

    @Test func aValidBundleVerifiesWithItsCheckpointEvidenceAndAuthorship() throws {
        let all = changes(6)
        let file: [UInt8] = Array("retention: 7d\n".utf8)
        let signed = try head(after: all)
        let reader = try bundle(Array(all[2...]), withheld: [all[3].id], checkpoint: signed, evidence: [(digest(of: file), file)])

        let verified = try verify(reader, held: try HeldLinks(holding: Array(all[..<2])))

        #expect(verified.header.exporter == author.id)
        #expect(verified.checkpoints.map(\.seq) == [6] && verified.checkpoints.first?.hash == signed.hash)
        #expect(verified.evidence == [digest(of: file)])
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.file("staging/\(digest(of: file).hex)"))) == Data(file))
        #expect(verified.engagements == [engagement])
        // The withheld seq 4 brings no authorship; per kind and field, the highest seq is kept.
        let note = BundleVerifier.Authorship(engagement: engagement, author: author.id, kind: "note", field: "text")
        let finding = BundleVerifier.Authorship(engagement: engagement, author: author.id, kind: "finding", field: "statement")
        #expect(verified.authorship == [note: all[4].id, finding: all[5].id])
    }

    @Test func aBundleStartingBeyondWhatIsHeldIsSetAsideAsAGap() throws {
        let all = changes(5)
        let reader = try bundle(Array(all[3...]), checkpoint: try head(after: all))
        #expect {
            _ = try verify(reader, held: try HeldLinks(holding: Array(all[..<2])))
        } throws: { error in
            guard case let FieldAuditError.bundleGap(origin, holds, startsAt, _) = error else { return false }
            return origin == author.id && holds == 2 && startsAt == 4
        }
    }

    @Test func aChangeMissingFromTheMiddleBreaksTheChain() throws {
        let all = changes(5)
        var dropped = all
        dropped.remove(at: 2)
        let reader = try bundle(dropped, checkpoint: try head(after: all))
        #expect { _ = try verify(reader, held: try HeldLinks()) } throws: { isBrokenChain($0, at: 4, "expected seq 3 next") }
    }

    @Test func aPredecessorTheReplicaDoesNotHoldBreaksTheChain() throws {
        let all = changes(4)
        var held = try HeldLinks(holding: Array(all[..<2]))
        held.hashes[all[1].id] = nil
        let reader = try bundle(Array(all[2...]), checkpoint: try head(after: all))
        #expect { _ = try verify(reader, held: held) } throws: { isBrokenChain($0, at: 3, "predecessor is not held") }
    }

    @Test func aChainThatDoesNotEndAtTheSignedHashIsRefused() throws {
        let all = changes(4)
        var altered = all
        altered[1].value = .text("altered by a relay")
        let reader = try bundle(altered, checkpoint: try head(after: all))
        #expect { _ = try verify(reader, held: try HeldLinks()) } throws: { isBrokenChain($0, at: 4, "does not end at the signed hash") }
    }

    @Test func aHeldChainThatDiffersFromTheSignedOneIsRefused() throws {
        let all = changes(4)
        var held = try HeldLinks(holding: Array(all[..<2]))
        held.hashes[all[1].id] = try ChangeHash(bytes: [UInt8](repeating: 9, count: 32))
        let reader = try bundle(Array(all[2...]), checkpoint: try head(after: all))
        #expect { _ = try verify(reader, held: held) } throws: { isBrokenChain($0, at: 4, "does not end at the signed hash") }
    }

    @Test func aChainWithoutACheckpointAtItsLastChangeIsRefused() throws {
        let all = changes(4)
        for (checkpoint, why) in [(nil, "none"), (try head(after: Array(all[..<3])), "one short")] as [((UInt64, ChangeHash)?, String)] {
            let reader = try bundle(all, checkpoint: checkpoint)
            #expect(Comment(rawValue: why)) {
                _ = try verify(reader, held: try HeldLinks())
            } throws: { isBrokenChain($0, at: 4, "no checkpoint signed by that replica covers its last change") }
        }
    }

    @Test func evidenceThatDoesNotMatchItsDigestIsRefused() throws {
        let all = changes(2)
        let announced: [UInt8] = Array("retention: 2y\n".utf8), sent: [UInt8] = Array("retention: 7d\n".utf8)
        let reader = try bundle(all, checkpoint: try head(after: all), evidence: [(digest(of: announced), sent)])
        #expect {
            _ = try verify(reader, held: try HeldLinks())
        } throws: { error in
            guard case let FieldAuditError.evidenceMismatch(digest, _) = error else { return false }
            return digest == self.digest(of: announced).hex
        }
    }

    /// A bundle of the author's `links` (each sent whole, or withheld as the content digest
    /// `withheld` gives for it), then checkpoints of the author at each `(seq, hash)` in order,
    /// then `chunks` of evidence, written as given.
    func bundle(
        _ links: [Change], checkpoints: [(seq: UInt64, hash: ChangeHash)], chunks: [BlobChunk] = [],
        withheld: (Change) -> ContentDigest? = { _ in nil }
    ) throws -> [UInt8] {
        let header = BundleHeader(
            exporterKey: author.publicKey, createdAt: 1, engagements: [engagement],
            ranges: [OriginRange(origin: author.id, after: links.first!.seq - 1, through: links.last!.seq)],
            includesEvidence: !chunks.isEmpty)
        let writer = try BundleWriter(header: header, exporter: author, sink: MemorySink())
        for change in links {
            if let content = withheld(change) { try writer.appendRedacted(change.id, content: content) } else { try writer.append(change) }
        }
        for checkpoint in checkpoints { try writer.append(Checkpoint.sign(seq: checkpoint.seq, hash: checkpoint.hash, by: author)) }
        for chunk in chunks {
            try writer.appendBlobChunk(digest: chunk.digest, totalSize: chunk.totalSize, offset: chunk.offset, bytes: chunk.bytes)
        }
        try writer.finish()
        return writer.sink.bytes
    }

    @Test func aChainEndingAtItsCheckpointMayBeFollowedByOlderCheckpointsOfTheSameOrigin() throws {
        // Given a chain of 5 signed at its end, then again at seq 3 and seq 1 (older statements)
        let all = changes(5)
        let bytes = try bundle(
            all, checkpoints: [try head(after: all), try head(after: Array(all[..<3])), try head(after: Array(all[..<1]))])

        // Then it verifies, and the checkpoint kept is the one at the chain's end
        let verified = try verify(try BundleReader(source: MemorySource(bytes)), held: try HeldLinks())
        #expect(verified.checkpoints.map(\.seq) == [5])
        #expect(verified.checkpoints.first?.hash == (try head(after: all)).hash)
    }

    @Test func anOlderCheckpointBeforeTheHighestDoesNotDecideWhereTheChainMustEnd() throws {
        let all = changes(5)
        let bytes = try bundle(all, checkpoints: [try head(after: Array(all[..<3])), try head(after: all)])
        let verified = try verify(try BundleReader(source: MemorySource(bytes)), held: try HeldLinks())
        #expect(verified.checkpoints.map(\.seq) == [5])
    }

    @Test func twoCheckpointsOfOneSeqWithDifferentHashesAreAForkAndRefused() throws {
        let all = changes(3)
        let forged = try ChangeHash(bytes: [UInt8](repeating: 4, count: 32))
        let bytes = try bundle(all, checkpoints: [try head(after: all), (3, forged)])
        #expect {
            _ = try verify(try BundleReader(source: MemorySource(bytes)), held: try HeldLinks())
        } throws: { isBrokenChain($0, at: 3, "signed two different hashes") }
    }

    @Test func evidenceChunksOutOfOrderAreIncompleteEvidenceNotDamage() throws {
        let all = changes(2)
        let file: [UInt8] = Array("minutes of the management review, 2026-03-02\n".utf8)
        let whole = digest(of: file)
        let first = BlobChunk(digest: whole, totalSize: UInt64(file.count), offset: 0, bytes: Array(file.prefix(20)))
        let second = BlobChunk(digest: whole, totalSize: UInt64(file.count), offset: 20, bytes: Array(file.dropFirst(20)))
        let cases: [([BlobChunk], String)] = [([second, first], "has a chunk at byte 20 where the next one should start at byte 0"),
                                              ([first], "has only 20 of its \(file.count) bytes in the bundle")]
        for (chunks, reason) in cases {
            let bytes = try bundle(all, checkpoints: [try head(after: all)], chunks: chunks)
            #expect(Comment(rawValue: reason)) {
                _ = try verify(try BundleReader(source: MemorySource(bytes)), held: try HeldLinks())
            } throws: { error in
                guard case let FieldAuditError.incompleteEvidence(digest, why, _) = error else { return false }
                let message = "\(error)"
                return digest == whole.hex && why == reason && message.contains("incomplete evidence") && !message.contains("damaged")
            }
        }
        // In order and whole, it verifies
        let bytes = try bundle(all, checkpoints: [try head(after: all)], chunks: [first, second])
        #expect(try verify(try BundleReader(source: MemorySource(bytes)), held: try HeldLinks()).evidence == [whole])
    }

    @Test func aBundleDenserInRedactedChangesThanItsSizeAllowsIsRefusedAtTheFirstOneTooMany() throws {
        // Given 50,000 redacted changes with one digest, in a file of a few KiB
        var writer = ChangeWriter(origin: author.id, lastSeq: 0, clock: HybridLogicalClock(last: .zero), now: 1_764_000_000_000)
        let links = (0..<50_000).map { index in
            writer.write(.integer(Int64(index)), to: FieldKey(entity: testEntity(100), field: "text"), kind: "note", engagement: engagement, over: nil)
        }
        let content = try ContentDigest(bytes: [UInt8](repeating: 1, count: 32))
        let bytes = try bundle(links, checkpoints: [], withheld: { _ in content })
        let size = UInt64(bytes.count)
        let limit = BundleLayout.maximumRedactedChanges(inBundleOf: size)
        let reader = try BundleReader(source: MemorySource(bytes))
        let verifier = BundleVerifier(held: try HeldLinks(), hashFile: { _ in throw CocoaError(.fileNoSuchFile) })

        // When the verifier is told the file's size
        #expect {
            _ = try verifier.verify(reader, from: "day1.fabundle", bundleBytes: size, stagingEvidenceIn: directory.file("staging"))
        } throws: { error in
            error as? BundleError == .tooManyRedactedChanges(found: limit + 1, limit: limit, bundleBytes: size)
        }
        // Then it stopped at the first one too many
        #expect(reader.redactedChanges == limit + 1)
        #expect(limit < 1_000)
    }

    @Test func theFrozenForkedPairProvesAForkAtSeqTwoAndSetsTheOtherVersionAside() throws {
        // Given a replica holding the forked-a vector's changes (Sync/vectors/v1/bundles)
        func reader(_ name: String) throws -> BundleReader<MemorySource> {
            try BundleReader(source: MemorySource([UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(packageRoot)/Sync/vectors/v1/bundles/\(name).fabundle")))))
        }
        var held: [Change] = []
        let first = try reader("forked-a")
        while let record = try first.next() { if case let .change(change) = record { held.append(change) } }
        #expect(held.count == 2)

        // When it verifies forked-b, the same origin's other seq 2, signed by it
        let verified = try verify(try reader("forked-b"), held: try HeldLinks(holding: held))

        // Then the fork is proven at seq 2, that version is set aside and nothing of it is authorised or kept to relay
        let fork = try #require(verified.forks[held[1].origin])
        #expect(fork.id == held[1].id && fork.content != held[1].contentDigest && fork.canonical != nil)
        #expect(verified.refusedFrom[held[1].origin] == 2 && verified.setAside == 1)
        #expect(verified.authorship.values.allSatisfy { $0.seq < 2 })
        #expect(verified.checkpoints.isEmpty)
    }

    @Test func aQuarantinedOriginsLinksFromItsForkOnAreSetAsideWithoutAChainCheck() throws {
        // Given a replica that quarantined the author from seq 3, holding seqs 1 and 2
        let links = changes(4)
        struct Quarantined: HeldChains {
            var links: HeldLinks
            var origin: ReplicaID
            func vector() -> VersionVector { links.vector() }
            func chainHash(of id: ChangeID) -> ChangeHash? { links.chainHash(of: id) }
            func forkSeqs() -> [ReplicaID: UInt64] { [origin: 3] }
        }
        let held = Quarantined(links: try HeldLinks(holding: Array(links[0..<2])), origin: author.id)
        // When a bundle relays seqs 1–4 with a checkpoint at 4, beyond the fork
        let verifier = BundleVerifier(held: held, hashFile: { _ in throw CocoaError(.fileNoSuchFile) })
        let verified = try verifier.verify(
            try bundle(links, checkpoint: try head(after: links)), from: "relayed.fabundle", stagingEvidenceIn: directory.file("staging"))
        // Then seqs 3 and 4 are set aside, 1 and 2 are duplicates, and no checkpoint is kept
        #expect(verified.setAside == 2)
        #expect(verified.refusedFrom[author.id] == 3)
        #expect(verified.forks.isEmpty && verified.checkpoints.isEmpty)
        #expect(verified.authorship.values.allSatisfy { $0.seq < 3 })
    }

}
