import AuditModel
import AuditReports
import AuditStore
import Foundation
import Replication

extension Replica {
    /// Refuses at once what recording evidence with these links would refuse, before a command
    /// runs or standard input is read: no engagement, a closed one, an unknown requirement or
    /// target, a role that may not record evidence.
    ///
    /// - Throws: what `addEvidence` would throw for the same engagement, `target` and `ref`.
    public func checkEvidenceDestination(target: String?, ref: String?, engagement reference: String?) throws(FieldAuditError) {
        let record = try capturing(in: reference, kinds: target == nil ? [] : [.test, .finding, .interview])
        if let ref { _ = try checkedRefs([ref], in: record) }
        if let target { _ = try linkTarget(target, in: record) }
        try requirePermission(toWrite: .evidence, field: Evidence.Field.digest.rawValue, in: record.engagement.id)
    }

    /// Records a command's combined output (already redacted) as new evidence named `name`, with
    /// the facts of its run as fields of the same entity, linked to `target` and/or `ref`.
    ///
    /// A run is an event of its own: it is always new evidence, even when another run printed the
    /// same bytes. UTF-8 output is recorded as `text/plain; charset=utf-8`, any other as
    /// `application/octet-stream`.
    ///
    /// - Throws: what storing the bytes or the write throws; nothing is recorded then.
    public func addTranscript(
        _ output: [UInt8], run: Evidence.Run, name: String, description: String?, target: String?, ref: String?,
        engagement reference: String?
    ) throws(FieldAuditError) -> AddedEvidence {
        let record = try capturing(in: reference, kinds: target == nil ? [] : [.test, .finding, .interview])
        let requirement = try ref.map { reference throws(FieldAuditError) in try checkedRefs([reference], in: record)[0] }
        let linked = try target.map { reference throws(FieldAuditError) in try linkTarget(reference, in: record) }
        let stored = try perform { () throws(StoreError) in try blobs.put(bytes: output) }
        let id = makeEntityID()
        let targets = [linked, requirement.map { ($0, "requirement") }].compactMap { $0 }
        do throws(FieldAuditError) {
            try write(in: record.engagement.id) { writer in
                let mediaType = Self.isText(output) ? "text/plain; charset=utf-8" : "application/octet-stream"
                try writer.put(
                    Evidence.writes(
                        digest: stored.digest, name: name, size: stored.size, mediaType: mediaType, description: description,
                        capturedBy: self.name, at: run.startedAt, ref: requirement) + run.writes,
                    entity: id, kind: .evidence)
                try writer.link(id, to: targets)
            }
        } catch {
            if stored.isNew { discardUnreferenced([stored.digest]) }
            throw error
        }
        return AddedEvidence(
            id: id, digest: stored.digest, size: stored.size, isNewBlob: stored.isNew, alreadyStoredAs: nil,
            newLinks: Self.describe(links: targets),
            replacedDescription: nil)
    }

    /// Whether bytes are UTF-8 text without NUL or other controls than tab, line feed, carriage
    /// return, form feed and escape: what reports may show as text (escaped); anything else is
    /// shown as "binary, N bytes".
    public static func isText(_ bytes: [UInt8]) -> Bool {
        guard String(validating: bytes, as: UTF8.self) != nil else { return false }
        return !bytes.contains { $0 < 0x20 && ![0x09, 0x0A, 0x0C, 0x0D, 0x1B].contains($0) }
    }
}

// MARK: - Evidence sets

extension Replica {
    /// The bounds of one evidence set (`evidence add DIR`), checked before anything is stored.
    public struct EvidenceSetLimits: Sendable {
        /// At most this many files.
        public var files: Int
        /// At most this many bytes in all.
        public var bytes: Int64

        /// The default bounds: 10,000 files, 4 GiB.
        public static let standard = EvidenceSetLimits(files: 10_000, bytes: 4 << 30)

        /// Bounds of `files` files and `bytes` bytes.
        public init(files: Int, bytes: Int64) {
            self.files = files
            self.bytes = bytes
        }
    }

    /// One entry of an evidence set's manifest.
    public struct ManifestFile: Codable, Sendable, Equatable {
        /// The path relative to the folder, `/`-separated.
        public var path: String
        /// The size in bytes.
        public var size: Int64
        /// The SHA-256, hexadecimal.
        public var sha256: String
    }

    /// An entry of the folder that was not stored, and why.
    public struct SkippedEntry: Codable, Sendable, Equatable {
        /// The path relative to the folder.
        public var path: String
        /// Why it was not stored (`a symbolic link (not followed)`).
        public var reason: String
    }

    /// An evidence set's manifest: the evidence file that stands for the set (`evidence add DIR`).
    public struct Manifest: Codable, Sendable, Equatable {
        /// Always `fieldaudit-evidence-set`.
        public var format = "fieldaudit-evidence-set"
        /// The manifest format's version, 1.
        public var version = 1
        /// The folder's own name.
        public var folder: String
        /// Every file stored, sorted by path.
        public var files: [ManifestFile]
        /// Every entry not stored (only with `skipUnreadable`), sorted by path.
        public var skipped: [SkippedEntry]
    }

    /// What `addEvidenceSet` did.
    public struct AddedEvidenceSet: Sendable {
        /// The set's manifest evidence.
        public let id: EntityID
        /// The manifest's SHA-256.
        public let digest: BlobDigest
        /// The manifest.
        public let manifest: Manifest
        /// Each file's evidence id, in the manifest's order.
        public let members: [EntityID]
        /// Whether the engagement already held this very set (the same manifest: the same paths,
        /// sizes and bytes): nothing new was recorded but `newLinks`.
        public let alreadyStored: Bool
        /// What this call linked the set to, as `kind target`; links it already had are left out.
        public let newLinks: [String]
    }

    /// Stores a folder's files, recursively, as one evidence set: each file new evidence (named by
    /// its path in the folder, pointing to the set with `Evidence.Field.set`), and a manifest
    /// (`Manifest`, JSON: relative paths, sizes, SHA-256) stored as the set's own evidence, which
    /// the links to `target` and `ref` name.
    ///
    /// Nothing is skipped silently: symbolic links (never followed), FIFOs, devices, sockets and
    /// unreadable files or folders are refused by name with the reason, and nothing is stored;
    /// with `skipUnreadable` the rest is stored and the manifest lists them as skipped.
    /// The whole folder is walked and checked against `limits` before a byte is stored. A set
    /// the engagement already holds (the same manifest) is not recorded twice: it is linked to
    /// the targets instead.
    ///
    /// - Throws: `.unreadableInput` when `directory` is not a readable folder, `.unstorableEntries`,
    ///   `.invalidInput` when the folder is empty or over `limits`, or what storing throws (then
    ///   nothing is recorded and the files this call stored are removed again).
    public func addEvidenceSet(
        directory: String, skipUnreadable: Bool, limits: EvidenceSetLimits = .standard, target: String?, ref: String?,
        description: String?, engagement reference: String?, progress: (_ file: String, _ bytes: Int64) -> Void = { _, _ in }
    ) throws(FieldAuditError) -> AddedEvidenceSet {
        let record = try capturing(in: reference, kinds: target == nil ? [.evidence, .link] : [.evidence, .link, .test, .finding, .interview])
        let requirement = try ref.map { reference throws(FieldAuditError) in try checkedRefs([reference], in: record)[0] }
        let linked = try target.map { reference throws(FieldAuditError) in try linkTarget(reference, in: record) }
        try requirePermission(toWrite: .evidence, field: Evidence.Field.digest.rawValue, in: record.engagement.id)
        guard FileKind.of(directory) == .directory else { throw InputFile.unreadable(directory) }
        var files: [(path: String, size: Int64)] = [], skipped: [SkippedEntry] = [], total: Int64 = 0
        try Self.walk(directory, relative: "", limits: limits, into: &files, total: &total, skipped: &skipped)
        if !skipped.isEmpty && !skipUnreadable {
            throw .unstorableEntries(directory: directory, entries: skipped.map { "\($0.path): \($0.reason)" })
        }
        guard !files.isEmpty else {
            throw .invalidInput(source: directory, reason: "it holds no file to store\(skipped.isEmpty ? "" : " (every entry was skipped)")")
        }
        var stored: [BlobStore.Stored] = []
        do throws(FieldAuditError) {
            for file in files {
                let path = directory + "/" + file.path
                stored.append(try perform { () throws(StoreError) in try blobs.put(contentsOf: path) { progress(file.path, $0) } })
            }
            let manifest = Manifest(
                folder: Self.folderName(directory),
                files: zip(files, stored).map { ManifestFile(path: $0.path, size: $1.size, sha256: $1.digest.hex) }, skipped: skipped)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let manifestBytes: [UInt8]
            do { manifestBytes = Array(try encoder.encode(manifest)) + [0x0A] } catch { throw .io(path: directory, reason: "cannot encode the manifest") }
            let manifestBlob = try perform { () throws(StoreError) in try blobs.put(bytes: manifestBytes) }
            stored.append(manifestBlob)
            var targets = [linked, requirement.map { ($0, "requirement") }].compactMap { $0 }
            if let existing = record.evidence.first(where: { $0.isManifest && $0.digest == manifestBlob.digest }) {
                let linkedAlready = Set(record.links.filter { $0.evidence == existing.id }.map(\.target))
                targets.removeAll { linkedAlready.contains($0.target) }
                if !targets.isEmpty { try write(in: record.engagement.id) { writer in try writer.link(existing.id, to: targets) } }
                let members = record.evidence.filter { $0.set == existing.id }
                    .sorted { $0.name < $1.name }.map(\.id)
                return AddedEvidenceSet(
                    id: existing.id, digest: manifestBlob.digest, manifest: manifest, members: members, alreadyStored: true,
                    newLinks: Self.describe(links: targets))
            }
            let setID = makeEntityID()
            let members = files.map { _ in makeEntityID() }
            try write(in: record.engagement.id) { writer in
                try writer.put(
                    Evidence.writes(
                        digest: manifestBlob.digest, name: manifest.folder + "/", size: manifestBlob.size, mediaType: Evidence.manifestMediaType,
                        description: description, capturedBy: self.name, at: now, ref: requirement),
                    entity: setID, kind: .evidence)
                for (index, file) in files.enumerated() {
                    let name = manifest.folder + "/" + file.path
                    try writer.put(
                        Evidence.writes(
                            digest: stored[index].digest, name: name, size: stored[index].size,
                            mediaType: Evidence.mediaType(forFileNamed: name), description: nil, capturedBy: self.name, at: now, ref: nil)
                            + [(Evidence.Field.set.rawValue, .text(setID.description))],
                        entity: members[index], kind: .evidence)
                }
                try writer.link(setID, to: targets)
            }
            return AddedEvidenceSet(
                id: setID, digest: manifestBlob.digest, manifest: manifest, members: members, alreadyStored: false, newLinks: Self.describe(links: targets))
        } catch {
            discardUnreferenced(stored.filter(\.isNew).map(\.digest))
            throw error
        }
    }

    /// A folder's own name, `.` and `..` resolved (`evidence add .` names the current folder); `folder` for `/`.
    static func folderName(_ directory: String) -> String {
        let name = URL(fileURLWithPath: directory).standardizedFileURL.lastPathComponent
        return name.isEmpty || name == "/" ? "folder" : name
    }

    /// Collects a folder's regular files (relative paths, sorted) and the entries that are not,
    /// recursing without following symbolic links.
    ///
    /// - Throws: `.invalidInput` as soon as the files exceed `limits`.
    private static func walk(
        _ root: String, relative: String, limits: EvidenceSetLimits, into files: inout [(path: String, size: Int64)], total: inout Int64,
        skipped: inout [SkippedEntry]
    ) throws(FieldAuditError) {
        let folder = relative.isEmpty ? root : root + "/" + relative
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted() } catch {
            if relative.isEmpty { throw InputFile.unreadable(root) }
            skipped.append(SkippedEntry(path: relative + "/", reason: "a folder that cannot be read (permission denied?)"))
            return
        }
        for name in names {
            let path = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(root + "/" + path, &info) == 0 else {
                skipped.append(SkippedEntry(path: path, reason: "it vanished or cannot be examined"))
                continue
            }
            switch FileKind(mode: info.st_mode) {
            case .directory:
                try walk(root, relative: path, limits: limits, into: &files, total: &total, skipped: &skipped)
            case .regular:
                guard access(root + "/" + path, R_OK) == 0 else {
                    skipped.append(SkippedEntry(path: path, reason: "a file that cannot be read (permission denied?)"))
                    continue
                }
                files.append((path, Int64(info.st_size)))
                total += Int64(info.st_size)
                if files.count > limits.files {
                    throw .invalidInput(source: root, reason: "it holds more than \(limits.files) files, the limit of one evidence set; add its subfolders one by one, or raise --max-files")
                }
                if total > limits.bytes {
                    throw .invalidInput(source: root, reason: "its files come to more than \(limits.bytes) bytes, the limit of one evidence set; add its subfolders one by one, or raise --max-bytes")
                }
            case .symbolicLink:
                skipped.append(SkippedEntry(path: path, reason: "a symbolic link (never followed)"))
            case let kind:
                skipped.append(SkippedEntry(path: path, reason: "\(kind), not a regular file"))
            }
        }
    }
}

// MARK: - Reading transcripts

extension Replica {
    /// The first `limit` bytes of a held evidence file, unchecked against its hash (for showing a
    /// transcript; `evidence extract` checks the whole file); `nil` when the file is not held.
    public func evidenceExcerpt(_ digest: BlobDigest, limit: Int) -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: blobs.path(of: digest)) else { return nil }
        defer { try? handle.close() }
        do { return Array(try handle.read(upToCount: limit) ?? Data()) } catch { return nil }
    }
}

extension Replica {
    /// A command transcript as reports and `evidence show` present it: `$ COMMAND`, then at most
    /// `lines` lines and `bytes` bytes of the output, every line escaped with `DisplayText.shown`;
    /// binary output (`isText` false) as one line giving its size; a cut ends with a line naming
    /// the evidence id and SHA-256 to get the whole. `nil` for evidence that is not a transcript.
    public func transcript(of evidence: Evidence, lines: Int = 40, bytes: Int = 4096) -> Transcript? {
        guard let run = evidence.run else { return nil }
        var text = "$ " + DisplayText.shown(run.commandLine)
        let whole = "`fieldaudit evidence extract \(evidence.id.short) -o FILE` copies out the whole output (SHA-256 \(evidence.digest?.hex ?? "unknown"))"
        guard let digest = evidence.digest, var excerpt = evidenceExcerpt(digest, limit: bytes) else {
            return Transcript(text: text + "\n(the output, \(evidence.size) bytes, is not held by this replica)", isExcerpt: true)
        }
        let cutByBytes = Int64(excerpt.count) < evidence.size
        if cutByBytes {
            // Do not let the cut split a UTF-8 sequence: drop a partial one at the end.
            var tail = 0
            while tail < min(3, excerpt.count), excerpt[excerpt.count - 1 - tail] & 0xC0 == 0x80 { tail += 1 }
            if tail < excerpt.count, excerpt[excerpt.count - 1 - tail] >= 0xC0 { excerpt.removeLast(tail + 1) }
        }
        guard Self.isText(excerpt) else {
            return Transcript(text: text + "\n(binary output, \(evidence.size) bytes, not shown; \(whole))", isExcerpt: true)
        }
        var outputLines = String(decoding: excerpt, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if outputLines.last == "" { outputLines.removeLast() }
        let cutByLines = outputLines.count > lines
        for line in outputLines.prefix(lines) { text += "\n" + DisplayText.shown(line) }
        guard cutByBytes || cutByLines else { return Transcript(text: text, isExcerpt: false) }
        text += "\n… (the first \(min(outputLines.count, lines)) lines shown of \(evidence.size) bytes; \(whole))"
        return Transcript(text: text, isExcerpt: true)
    }
}
