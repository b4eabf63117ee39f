import Replication

/// An evidence file: stored once by SHA-256 in the blob store, described here.
public struct Evidence: Hashable, Sendable, Encodable {
    /// The field names an evidence file's change records use.
    public enum Field: String, CaseIterable {
        case digest, name, size, mediaType, description, capturedBy, capturedAt, ref
        /// A command's transcript (`Evidence.Run`): its argv, where and when it ran, how it ended,
        /// what was masked and whether the output was cut at the limit.
        case argv, directory, host, startedAt, endedAt, exitStatus, signal, timedOut, truncated, outputBytes, outputLimit, redactions
        /// A file of an evidence set: the id of the set's manifest evidence.
        case set
    }

    /// The evidence's entity id, a UUIDv7 minted when the file was added.
    public let id: EntityID
    /// The file's SHA-256, its key in the blob store; `nil` if the field is not a blob value.
    public var digest: BlobDigest?
    /// The file's original name.
    public var name: String
    /// The file's size in bytes.
    public var size: Int64
    /// The file's media type (`application/pdf`), guessed from its name at capture.
    public var mediaType: String?
    /// What the file shows, in the auditor's words.
    public var description: String?
    /// The name of the auditor who captured it.
    public var capturedBy: String?
    /// Unix milliseconds.
    public var capturedAt: Int64?
    /// A requirement the evidence bears on, if given at capture.
    public var ref: String?
    /// How the command whose transcript this is ran; `nil` for a file.
    public var run: Run?
    /// For a file of an evidence set (`evidence add DIR`), the id of the set's manifest evidence.
    public var set: EntityID?

    /// Reads an evidence file's description from its entity's snapshot, taking each field's winning value.
    ///
    /// Returns `nil` when the snapshot is not an `evidence` entity or has been deleted.
    init?(_ snapshot: EntitySnapshot) {
        guard snapshot.kind == EntityKind.evidence.rawValue, !snapshot.deleted else { return nil }
        id = snapshot.id
        if case let .blob(digest) = snapshot[Field.digest.rawValue] { self.digest = digest } else { digest = nil }
        name = snapshot.text(Field.name.rawValue) ?? ""
        size = snapshot.integer(Field.size.rawValue) ?? 0
        mediaType = snapshot.text(Field.mediaType.rawValue)
        description = snapshot.text(Field.description.rawValue)
        capturedBy = snapshot.text(Field.capturedBy.rawValue)
        capturedAt = snapshot.integer(Field.capturedAt.rawValue)
        ref = snapshot.text(Field.ref.rawValue)
        run = Run(snapshot)
        set = snapshot.text(Field.set.rawValue).flatMap { try? EntityID($0) }
    }

    /// The fields that describe a newly captured file; `time` is Unix milliseconds.
    public static func writes(
        digest: BlobDigest, name: String, size: Int64, mediaType: String, description: String?, capturedBy: String,
        at time: Int64, ref: String?
    ) -> FieldWrites {
        var writes: FieldWrites = [
            (Field.digest.rawValue, .blob(digest)), (Field.name.rawValue, .text(name)), (Field.size.rawValue, .integer(size)),
            (Field.mediaType.rawValue, .text(mediaType)), (Field.capturedBy.rawValue, .text(capturedBy)),
            (Field.capturedAt.rawValue, .integer(time)),
        ]
        if let description { writes.append((Field.description.rawValue, .text(description))) }
        if let ref { writes.append((Field.ref.rawValue, .text(ref))) }
        return writes
    }

    /// A media type guessed from the file name's extension.
    public static func mediaType(forFileNamed name: String) -> String {
        let types = [
            "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "txt": "text/plain",
            "md": "text/markdown", "csv": "text/csv", "json": "application/json", "html": "text/html", "log": "text/plain",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "yaml": "application/yaml",
            "yml": "application/yaml", "zip": "application/zip",
        ]
        let suffix = name.split(separator: ".").last.map { String($0).lowercased() } ?? ""
        return types[suffix] ?? "application/octet-stream"
    }
}

/// A link from evidence to what it supports: a test, a finding, an interview, or a requirement.
///
/// Links are entities of their own, with an id derived from both ends, so two auditors linking
/// the same pair at once make one link, and linking never conflicts with other edits.
public struct EvidenceLink: Hashable, Sendable, Encodable {
    /// The field names an evidence link's change records use.
    public enum Field: String, CaseIterable { case evidence, target, targetKind }

    /// The link's id, derived from both ends (`id(evidence:target:)`).
    public let id: EntityID
    /// The evidence file linked.
    public var evidence: EntityID
    /// An entity id, or a requirement reference when `targetKind` is `requirement`.
    public var target: String
    /// What the target is: an entity kind (`test`, `finding`, `interview`) or `requirement`.
    public var targetKind: String

    /// Reads a link from its entity's snapshot.
    ///
    /// Returns `nil` when the snapshot is not a `link` entity, is deleted, or lacks a readable
    /// evidence id or a target.
    init?(_ snapshot: EntitySnapshot) {
        guard snapshot.kind == EntityKind.link.rawValue, !snapshot.deleted,
              let evidence = snapshot.text(Field.evidence.rawValue).flatMap({ try? EntityID($0) }),
              let target = snapshot.text(Field.target.rawValue)
        else { return nil }
        id = snapshot.id
        self.evidence = evidence
        self.target = target
        targetKind = snapshot.text(Field.targetKind.rawValue) ?? ""
    }

    /// The link's id for a pair: the same on every replica, so linking one pair twice makes one link.
    public static func id(evidence: EntityID, target: String) -> EntityID {
        .derived(namespace: "fieldaudit.link", evidence.bytes, Array(target.utf8))
    }

    /// The fields of a link; the same pair always has the same id (`id(evidence:target:)`), so
    /// linking it twice still makes one link.
    public static func writes(evidence: EntityID, target: String, targetKind: String) -> FieldWrites {
        [
            (Field.evidence.rawValue, .text(evidence.description)), (Field.target.rawValue, .text(target)),
            (Field.targetKind.rawValue, .text(targetKind)),
        ]
    }
}
