import Replication

/// An interview: who was interviewed, in what role, when, by whom, on which requirements.
public struct Interview: Hashable, Sendable, Encodable {
    /// The fields an interview entity writes, by their stored names.
    public enum Field: String, CaseIterable { case interviewee, role, startedAt, endedAt, auditors, topics }

    /// The interview's entity id.
    public let id: EntityID
    /// Who was interviewed (the winning value; text someone typed).
    public var interviewee: String
    /// The interviewee's role or function, if given.
    public var role: String?
    /// Unix milliseconds.
    public var startedAt: Int64?
    /// When it ended, Unix milliseconds; nil while it is in progress.
    public var endedAt: Int64?
    /// Names of the auditors present.
    public var auditors: [String]
    /// Requirement references discussed.
    public var topics: [String]
    /// The fields with concurrent values, for `fieldaudit conflicts`.
    public var conflicts: [String]

    /// The interview a snapshot holds; nil if it is not a live interview entity.
    public init?(_ snapshot: EntitySnapshot) {
        guard snapshot.kind == EntityKind.interview.rawValue, !snapshot.deleted else { return nil }
        id = snapshot.id
        interviewee = snapshot.text(Field.interviewee.rawValue) ?? ""
        role = snapshot.text(Field.role.rawValue)
        startedAt = snapshot.integer(Field.startedAt.rawValue)
        endedAt = snapshot.integer(Field.endedAt.rawValue)
        auditors = snapshot.strings(Field.auditors.rawValue)
        topics = snapshot.strings(Field.topics.rawValue)
        conflicts = snapshot.conflictedFields
    }

    /// Whether the interview is still going on.
    public var isOpen: Bool { endedAt == nil }

    /// The fields of an interview that starts now.
    public static func writes(
        interviewee: String, role: String?, auditors: [String], topics: [String], at time: Int64
    ) throws(AuditModelError) -> FieldWrites {
        guard !interviewee.trimmingCharacters(in: .whitespaces).isEmpty else { throw .missing(field: "interviewee (--with)") }
        var writes: FieldWrites = [
            (Field.interviewee.rawValue, .text(interviewee)), (Field.startedAt.rawValue, .integer(time)),
            (Field.auditors.rawValue, FieldCoding.encodeStrings(auditors)),
            (Field.topics.rawValue, FieldCoding.encodeStrings(topics)),
        ]
        if let role { writes.append((Field.role.rawValue, .text(role))) }
        return writes
    }
}

/// A note: an append-only, timestamped entry on an interview, a requirement, or both.
///
/// Notes are written once and never edited, so they never conflict.
public struct Note: Hashable, Sendable, Encodable {
    /// The fields a note entity writes, by their stored names.
    public enum Field: String, CaseIterable { case text, interview, ref, author, at }

    /// The note's entity id.
    public let id: EntityID
    /// What was noted, as typed (text someone wrote).
    public var text: String
    /// The interview the note was taken in, if any.
    public var interview: EntityID?
    /// The requirement the note is about, if any.
    public var ref: String?
    /// The replica that wrote it.
    public var author: ReplicaID?
    /// Unix milliseconds.
    public var at: Int64?

    /// The note a snapshot holds; nil if it is not a live note entity.
    public init?(_ snapshot: EntitySnapshot) {
        guard snapshot.kind == EntityKind.note.rawValue, !snapshot.deleted else { return nil }
        id = snapshot.id
        text = snapshot.text(Field.text.rawValue) ?? ""
        interview = snapshot.text(Field.interview.rawValue).flatMap { try? EntityID($0) }
        ref = snapshot.text(Field.ref.rawValue)
        author = snapshot.author(of: Field.text.rawValue)
        at = snapshot.integer(Field.at.rawValue)
    }

    /// The field writes of a new note.
    ///
    /// - Throws: `AuditModelError.missing` if the text is empty or only white space.
    public static func writes(text: String, interview: EntityID?, ref: String?, at time: Int64) throws(AuditModelError) -> FieldWrites {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .missing(field: "note text") }
        var writes: FieldWrites = [(Field.text.rawValue, .text(text)), (Field.at.rawValue, .integer(time))]
        if let interview { writes.append((Field.interview.rawValue, .text(interview.description))) }
        if let ref { writes.append((Field.ref.rawValue, .text(ref))) }
        return writes
    }
}

import Foundation
