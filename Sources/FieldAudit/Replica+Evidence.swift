import AuditModel
import AuditStore
import Foundation
import Replication

extension Replica {
    /// What `addEvidence` recorded for one file.
    public struct AddedEvidence: Sendable {
        public let id: EntityID
        public let digest: BlobDigest
        public let size: Int64
        /// `false` when an identical file was already in the blob store.
        public let isNewBlob: Bool
    }

    /// Stores files as evidence (hashed, stored once) and links them to a test, finding or
    /// interview (`target`) and/or a requirement. All files are stored before anything is
    /// recorded, and all are recorded in one transaction.
    public func addEvidence(
        files: [String], target: String?, ref: String?, description: String?, engagement reference: String?
    ) throws(FieldAuditError) -> [AddedEvidence] {
        let record = try capturing(in: reference, kinds: target == nil ? [] : [.test, .finding, .interview])
        let requirement = try ref.map { reference throws(FieldAuditError) in try checkedRefs([reference], in: record)[0] }
        let linked = try target.map { reference throws(FieldAuditError) in try linkTarget(reference, in: record) }
        var stored: [(path: String, blob: BlobStore.Stored)] = []
        for file in files {
            stored.append((file, try perform { () throws(StoreError) in try blobs.put(contentsOf: file) }))
        }
        let added = stored.map { AddedEvidence(id: makeEntityID(), digest: $0.blob.digest, size: $0.blob.size, isNewBlob: $0.blob.isNew) }
        do throws(FieldAuditError) {
            try recordEvidence(added, from: stored.map(\.path), in: record.engagement.id, requirement: requirement, linked: linked, description: description)
        } catch {
            // Nothing was recorded: give back the space of the files this call stored (on a full
            // disk it matters), unless another command has meanwhile recorded the same content.
            discardUnreferenced(added.filter(\.isNewBlob).map(\.digest))
            throw error
        }
        return added
    }

    /// Records stored files as evidence, with their links, in one transaction.
    private func recordEvidence(
        _ added: [AddedEvidence], from paths: [String], in engagement: EntityID, requirement: String?,
        linked: (target: String, kind: String)?, description: String?
    ) throws(FieldAuditError) {
        try write(in: engagement) { writer in
            for (item, path) in zip(added, paths) {
                let name = (path as NSString).lastPathComponent
                try writer.put(
                    Evidence.writes(
                        digest: item.digest, name: name, size: item.size, mediaType: Evidence.mediaType(forFileNamed: name),
                        description: description, capturedBy: self.name, at: now, ref: requirement),
                    entity: item.id, kind: .evidence)
                if let linked {
                    try writer.put(
                        EvidenceLink.writes(evidence: item.id, target: linked.target, targetKind: linked.kind),
                        entity: EvidenceLink.id(evidence: item.id, target: linked.target), kind: .link)
                }
                if let requirement {
                    try writer.put(
                        EvidenceLink.writes(evidence: item.id, target: requirement, targetKind: "requirement"),
                        entity: EvidenceLink.id(evidence: item.id, target: requirement), kind: .link)
                }
            }
        }
    }

    /// Removes stored blobs that the state does not reference. A command that recorded the same
    /// content between the check and the removal would find its file missing (`verify` says so,
    /// and importing or adding it again restores it); the window is a few microseconds.
    private func discardUnreferenced(_ digests: [BlobDigest]) {
        guard !digests.isEmpty, let referenced = try? Set(store.referencedBlobs()) else { return }
        for digest in digests where !referenced.contains(digest) { blobs.remove(digest) }
    }

    /// Links existing evidence to a target (test, finding, interview id or requirement reference).
    public func linkEvidence(_ evidence: [String], to target: String, engagement reference: String?) throws(FieldAuditError) {
        let record = try capturing(in: reference, kinds: [.evidence, .test, .finding, .interview])
        let linked = try linkTarget(target, in: record)
        var ids: [EntityID] = []
        for item in evidence { ids.append(try resolve(item, among: record.evidence.map(\.id), kind: "evidence")) }
        try write(in: record.engagement.id) { writer in
            for id in ids {
                try writer.put(
                    EvidenceLink.writes(evidence: id, target: linked.target, targetKind: linked.kind),
                    entity: EvidenceLink.id(evidence: id, target: linked.target), kind: .link)
            }
        }
    }

    /// Copies a stored evidence file out, checking its hash.
    public func extractEvidence(_ reference: String, to destination: String, engagement: String?) throws(FieldAuditError) -> Evidence {
        let record = try record(of: try engagementID(engagement), kinds: [.evidence])
        let id = try resolve(reference, among: record.evidence.map(\.id), kind: "evidence")
        guard let evidence = record.evidence.first(where: { $0.id == id }), let digest = evidence.digest else {
            throw .notFound(kind: "evidence", id: reference)
        }
        try perform { () throws(StoreError) in try blobs.extract(digest, to: destination) }
        return evidence
    }

    /// A link target: a requirement reference, or the id (or unique prefix) of a test, finding or interview.
    func linkTarget(_ reference: String, in record: EngagementRecord) throws(FieldAuditError) -> (target: String, kind: String) {
        if let requirement = try? record.catalog.check(reference) { return (requirement.ref, "requirement") }
        let candidates: [(EntityID, String)] = record.tests.map { ($0.id, "test") } + record.findings.map { ($0.id, "finding") }
            + record.interviews.map { ($0.id, "interview") }
        let id = try resolve(reference, among: candidates.map(\.0), kind: "test, finding or interview")
        return (id.description, candidates.first { $0.0 == id }!.1)
    }
}
