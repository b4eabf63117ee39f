import AuditModel
import AuditStore
import Foundation
import Replication

extension Replica {
    /// What `addEvidence` did with one file.
    public struct AddedEvidence: Sendable {
        /// The evidence: new, or the one already recorded with the same bytes.
        public let id: EntityID
        /// The file's SHA-256.
        public let digest: BlobDigest
        /// The file's size in bytes.
        public let size: Int64
        /// `false` when an identical file was already in the blob store.
        public let isNewBlob: Bool
        /// The recorded name of the evidence that already held these bytes in the engagement
        /// (or earlier in the same call); `nil` when the file became new evidence.
        public let alreadyStoredAs: String?
        /// What this call linked the evidence to, as `kind target` (`requirement A.6.2.8`,
        /// `finding 3f2a9c1d`); links the evidence already had are left out.
        public let newLinks: [String]
        /// When the description of evidence already stored was replaced: the one it had (`""` for none).
        public let replacedDescription: String?
    }

    /// Stores files as evidence (hashed, stored once) and links them to a test, finding or
    /// interview (`target`) and/or a requirement.
    ///
    /// Every file is checked to be a regular file before any is read (a FIFO would block, a
    /// device never end). Bytes the engagement already holds as evidence are not recorded twice:
    /// that evidence is linked to the targets instead (and given the description, if one is new).
    /// All files are stored before anything is recorded, and all are recorded in one transaction.
    /// `progress` hears each file's bytes copied so far.
    ///
    /// - Throws: `FieldAuditError.notARegularFile`, `.store(.blobUnreadable)` for a file that
    ///   cannot be read, or what the write throws; nothing is then recorded and the files this
    ///   call stored are removed again.
    public func addEvidence(
        files: [String], target: String?, ref: String?, description: String?, engagement reference: String?,
        progress: (_ file: String, _ bytes: Int64) -> Void = { _, _ in }
    ) throws(FieldAuditError) -> [AddedEvidence] {
        try addEvidence(
            sources: files.map { ($0, ($0 as NSString).lastPathComponent) }, target: target, ref: ref, description: description,
            engagement: reference, progress: progress)
    }

    /// Stores standard input, spooled to the file at `spool`, as evidence named `name`, as
    /// `addEvidence(files:)` stores a file (bytes the engagement already holds are linked, not
    /// recorded twice). The caller removes the spool file.
    ///
    /// - Throws: `.invalidInput` for a name that is empty, has a `/` or a control character, or
    ///   what `addEvidence(files:)` throws.
    public func addEvidence(
        standardInput spool: String, name: String, target: String?, ref: String?, description: String?, engagement reference: String?,
        progress: (_ file: String, _ bytes: Int64) -> Void = { _, _ in }
    ) throws(FieldAuditError) -> AddedEvidence {
        try Self.checkEvidenceName(name)
        return try addEvidence(
            sources: [(spool, name)], target: target, ref: ref, description: description, engagement: reference,
            progress: { _, bytes in progress(name, bytes) })[0]
    }

    /// Refuses a name for evidence that would not read as one file name: empty, `.` or `..`, with
    /// a `/`, a control or bidirectional formatting character, or over 255 bytes.
    ///
    /// - Throws: `.invalidInput` saying why.
    public static func checkEvidenceName(_ name: String) throws(FieldAuditError) {
        let reason: String? =
            name.trimmingCharacters(in: .whitespaces).isEmpty ? "it is empty"
            : name == "." || name == ".." ? "it is not a file name"
            : name.contains("/") ? "it holds a '/'; give a file name, not a path"
            : name.unicodeScalars.contains(where: DisplayText.isHazard) ? "it holds a control or bidirectional formatting character"
            : name.utf8.count > 255 ? "it is longer than 255 bytes" : nil
        if let reason { throw .invalidInput(source: "the evidence name '\(DisplayText.shown(name))'", reason: reason) }
    }

    /// Stores files (each a path, and the name to record it under) as `addEvidence(files:)` describes.
    func addEvidence(
        sources: [(path: String, name: String)], target: String?, ref: String?, description: String?, engagement reference: String?,
        progress: (_ file: String, _ bytes: Int64) -> Void
    ) throws(FieldAuditError) -> [AddedEvidence] {
        let files = sources.map(\.path)
        let names = Dictionary(sources.map { ($0.path, $0.name) }, uniquingKeysWith: { first, _ in first })
        let record = try following(in: reference, kinds: target == nil ? [.evidence, .link] : [.evidence, .link, .test, .finding, .interview, .action])
        let requirement = try ref.map { reference throws(FieldAuditError) in try checkedRefs([reference], in: record)[0] }
        let linked = try target.map { reference throws(FieldAuditError) in try linkTarget(reference, in: record) }
        try refuseIfClosed(record, unlessImplementationOf: linked, requirement: requirement)
        for file in files {
            if let kind = FileKind.of(file), kind != .regular { throw .notARegularFile(path: file, kind: kind) }
        }
        var stored: [(path: String, blob: BlobStore.Stored)] = []
        do throws(FieldAuditError) {
            for file in files {
                stored.append((file, try perform { () throws(StoreError) in try blobs.put(contentsOf: file) { progress(file, $0) } }))
            }
            let plan = evidencePlan(stored.map { ($0.path, names[$0.path] ?? $0.path, $0.blob) }, in: record, targets: [linked, requirement.map { ($0, "requirement") }].compactMap { $0 }, description: description)
            try recordEvidence(plan, in: record.engagement.id, requirement: requirement, description: description)
            return plan.map(\.added)
        } catch {
            // Nothing was recorded: give back the space of the files this call stored (on a full
            // disk it matters), unless another command has meanwhile recorded the same content.
            discardUnreferenced(stored.filter(\.blob.isNew).map(\.blob.digest))
            throw error
        }
    }

    /// One stored file and what recording it writes.
    private struct EvidencePlan {
        var added: AddedEvidence
        var path: String
        /// The name the evidence is recorded under.
        var name: String
        /// Whether the evidence entity is new (else only links and a description are written).
        var isNew: Bool
        var links: [(target: String, kind: String)]
    }

    /// Decides, for each stored file, whether it is new evidence or evidence the engagement
    /// (or an earlier file of the call) already holds, and which links are new.
    private func evidencePlan(
        _ stored: [(path: String, name: String, blob: BlobStore.Stored)], in record: EngagementRecord, targets: [(target: String, kind: String)],
        description: String?
    ) -> [EvidencePlan] {
        var known: [BlobDigest: (id: EntityID, name: String, description: String?)] = [:]
        for item in record.evidence.sorted(by: { ($0.capturedAt ?? 0, $0.id) < ($1.capturedAt ?? 0, $1.id) }) {
            if let digest = item.digest, known[digest] == nil { known[digest] = (item.id, item.name, item.description) }
        }
        var linked = Set(record.links.map { "\($0.evidence) \($0.target)" })
        return stored.map { path, name, blob in
            let existing = known[blob.digest]
            let id = existing?.id ?? makeEntityID()
            let links = targets.filter { linked.insert("\(id) \($0.target)").inserted }
            let replaces = existing != nil && description != nil && description != existing?.description
            if existing == nil { known[blob.digest] = (id, name, description) }
            let added = AddedEvidence(
                id: id, digest: blob.digest, size: blob.size, isNewBlob: blob.isNew, alreadyStoredAs: existing?.name,
                newLinks: Self.describe(links: links),
                replacedDescription: replaces ? existing?.description ?? "" : nil)
            return EvidencePlan(added: added, path: path, name: name, isNew: existing == nil, links: links)
        }
    }

    /// Links as `kind target`, the way a person reads them: `requirement A.6.2.8`, `finding 3f2a9c1d`.
    static func describe(links: [(target: String, kind: String)]) -> [String] {
        links.map { "\($0.kind) \($0.kind == "requirement" ? $0.target : String($0.target.suffix(8)))" }
    }

    /// Records stored files as evidence, with their links, in one transaction.
    private func recordEvidence(_ plan: [EvidencePlan], in engagement: EntityID, requirement: String?, description: String?) throws(FieldAuditError) {
        guard plan.contains(where: { $0.isNew || !$0.links.isEmpty || $0.added.replacedDescription != nil }) else { return }
        try write(in: engagement) { writer in
            for item in plan {
                let name = item.name
                if item.isNew {
                    try writer.put(
                        Evidence.writes(
                            digest: item.added.digest, name: name, size: item.added.size, mediaType: Evidence.mediaType(forFileNamed: name),
                            description: description, capturedBy: self.name, at: now, ref: requirement),
                        entity: item.added.id, kind: .evidence)
                } else if item.added.replacedDescription != nil, let description {
                    try writer.put([(Evidence.Field.description.rawValue, .text(description))], entity: item.added.id, kind: .evidence)
                }
                try writer.link(item.added.id, to: item.links)
            }
        }
    }

    /// Removes stored blobs that the state does not reference. A command that recorded the same
    /// content between the check and the removal would find its file missing (`verify` says so,
    /// and importing or adding it again restores it); the window is a few microseconds.
    func discardUnreferenced(_ digests: [BlobDigest]) {
        guard !digests.isEmpty, let referenced = try? Set(store.referencedBlobs()) else { return }
        for digest in digests where !referenced.contains(digest) { blobs.remove(digest) }
    }

    /// Links existing evidence to a target (test, finding, interview id or requirement reference).
    ///
    /// In a closed engagement only a link to a corrective action (evidence of its implementation,
    /// never late: `Closing.implementationEvidence`) is taken.
    public func linkEvidence(_ evidence: [String], to target: String, engagement reference: String?) throws(FieldAuditError) {
        let record = try following(in: reference, kinds: [.evidence, .test, .finding, .interview, .action])
        let linked = try linkTarget(target, in: record)
        try refuseIfClosed(record, unlessImplementationOf: linked, requirement: nil)
        var ids: [EntityID] = []
        for item in evidence { ids.append(try resolve(item, among: record.evidence.map(\.id), kind: "evidence")) }
        try write(in: record.engagement.id) { writer in
            for id in ids { try writer.link(id, to: [linked]) }
        }
    }

    /// Copies a stored evidence file out, checking its hash: to the file or directory `argument`
    /// names (in a directory, under its recorded name made safe), or to standard output for `-`
    /// (refused when that is a terminal). See `OutputFile` for what is never replaced.
    ///
    /// - Returns: the evidence, and where it was written.
    /// - Throws: `OutputFile`'s errors, `.store(.blobMissing)` or `.store(.blobCorrupt)`: a file
    ///   destination is then as it was, and nothing reaches standard output.
    public func extractEvidence(
        _ reference: String, to argument: String, force: Bool = false, engagement: String?
    ) throws(FieldAuditError) -> (evidence: Evidence, output: OutputFile) {
        let record = try record(of: try engagementID(engagement), kinds: [.evidence])
        let id = try resolve(reference, among: record.evidence.map(\.id), kind: "evidence")
        guard let evidence = record.evidence.first(where: { $0.id == id }), let digest = evidence.digest else {
            throw .notFound(kind: "evidence", id: reference)
        }
        let output = try OutputFile.resolve(
            argument, defaultName: OutputFile.safeName(evidence.name, fallback: "evidence-\(id.short)"), force: force,
            refusingTerminal: ("an evidence file", "less"))
        if output.path == nil {
            // Bytes sent to a stream cannot be taken back: check the hash before the first one.
            guard blobs.contains(digest) else { throw .store(.blobMissing(digest: digest.hex)) }
            guard blobs.verify(digest) else { throw .store(.blobCorrupt(digest: digest.hex)) }
        }
        try output.write { handle in try blobs.read(digest) { try handle.write(contentsOf: $0) } }
        return (evidence, output)
    }

    /// Refuses capture in a closed engagement unless what is written is evidence of a corrective
    /// action's implementation: linked to an action, and to nothing else (no requirement), so every
    /// change written is follow-up (`Closing.isFollowUp`) and never late.
    ///
    /// - Throws: `.engagementClosed` otherwise, once the engagement is closed.
    func refuseIfClosed(_ record: EngagementRecord, unlessImplementationOf linked: (target: String, kind: String)?, requirement: String?) throws(FieldAuditError) {
        if requirement == nil, let linked, Closing.isImplementationTarget(linked.target, actions: Set(record.actions.map(\.id))) { return }
        try refuseIfClosed(record)
    }

    /// A link target: a requirement reference, or the id (or unique prefix) of a test, finding,
    /// interview or corrective action (evidence of its implementation).
    func linkTarget(_ reference: String, in record: EngagementRecord) throws(FieldAuditError) -> (target: String, kind: String) {
        do throws(AuditModelError) {
            return (try record.standards.resolve(reference).stored, "requirement")
        } catch {
            // A reference several standards have is a requirement, not an id: say which to qualify.
            if case .ambiguousRequirement = error { throw .model(error) }
        }
        let candidates: [(EntityID, String)] = record.tests.map { ($0.id, "test") } + (record.findings + record.mergedFindings).map { ($0.id, "finding") }
            + record.interviews.map { ($0.id, "interview") } + record.actions.map { ($0.id, EntityKind.action.rawValue) }
        let id = try resolve(reference, among: candidates.map(\.0), kind: "test, finding, interview or corrective action")
        return (id.description, candidates.first { $0.0 == id }!.1)
    }
}

extension Replica {
    /// Whether this replica holds the evidence file with `digest` (without re-hashing it); a file
    /// recorded by a peer arrives with a bundle that includes evidence.
    public func holdsEvidence(_ digest: BlobDigest) -> Bool {
        blobs.contains(digest)
    }

    /// Whether the evidence file with `digest` is held and its bytes still hash to it (reads the
    /// whole file).
    public func evidenceIsIntact(_ digest: BlobDigest) -> Bool {
        blobs.verify(digest)
    }
}
