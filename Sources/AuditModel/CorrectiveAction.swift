import Replication

/// One action of a nonconformity's corrective-action plan (ISO/IEC 17021-1 §9.4.9): what the
/// auditee will do, who owns it, by when, and once done, when and how it was implemented.
///
/// An entity of its own (kind `action`), so two auditors adding actions at once add two, and an
/// edit of one action never conflicts with another. The evidence of implementation is evidence
/// linked to the action (`EvidenceLink`, target kind `action`).
public struct CorrectiveAction: Hashable, Sendable, Encodable {
    /// The field names an action's change records use.
    public enum Field: String, CaseIterable {
        case finding, action, owner, dueDate, doneOn, implementation
    }

    /// The action's entity id, a UUIDv7.
    public let id: EntityID
    /// The nonconformity (finding) the action corrects.
    public var finding: EntityID
    /// What the auditee will do.
    public var action: String
    /// Who at the auditee owns the action.
    public var owner: String
    /// By when, `YYYY-MM-DD`.
    public var dueDate: String
    /// When the auditee says it was done, `YYYY-MM-DD`; `nil` while open.
    public var doneOn: String?
    /// How it was implemented, in the auditee's words.
    public var implementation: String?
    /// Fields edited concurrently and not yet resolved.
    public var conflicts: [String]

    /// Reads an action from its entity's snapshot; `nil` when the snapshot is not a live `action`
    /// entity or names no readable finding.
    init?(_ snapshot: EntitySnapshot) {
        guard snapshot.kind == EntityKind.action.rawValue, !snapshot.deleted,
              let finding = snapshot.text(Field.finding.rawValue).flatMap({ try? EntityID($0) })
        else { return nil }
        id = snapshot.id
        self.finding = finding
        action = snapshot.text(Field.action.rawValue) ?? ""
        owner = snapshot.text(Field.owner.rawValue) ?? ""
        dueDate = snapshot.text(Field.dueDate.rawValue) ?? ""
        doneOn = snapshot.text(Field.doneOn.rawValue)
        implementation = snapshot.text(Field.implementation.rawValue)
        conflicts = snapshot.conflictedFields
    }

    /// Whether the auditee reported the action done.
    public var isDone: Bool { doneOn != nil }

    /// Whether the action is open and its due date has passed on `today` (`YYYY-MM-DD`).
    public func isOverdue(today: String) -> Bool { !isDone && !dueDate.isEmpty && dueDate < today }

    /// The fields of a new action for `finding`.
    ///
    /// - Throws: `AuditModelError.missing` for an empty action or owner; `.invalidDate` for a
    ///   due date that is not `YYYY-MM-DD`.
    public static func writes(finding: EntityID, action: String, owner: String, dueDate: String) throws(AuditModelError) -> FieldWrites {
        guard !action.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .missing(field: "the action (--action)") }
        guard !owner.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .missing(field: "the action's owner (--owner)") }
        try Dates.check(dueDate, field: "due date (--due)")
        return [
            (Field.finding.rawValue, .text(finding.description)), (Field.action.rawValue, .text(action)),
            (Field.owner.rawValue, .text(owner)), (Field.dueDate.rawValue, .text(dueDate)),
        ]
    }

    /// The fields that record an action done on `date`, with how it was implemented.
    ///
    /// - Throws: `AuditModelError.invalidDate` for a date that is not `YYYY-MM-DD`.
    public static func doneWrites(on date: String, implementation: String?) throws(AuditModelError) -> FieldWrites {
        try Dates.check(date, field: "date done (--on)")
        var writes: FieldWrites = [(Field.doneOn.rawValue, .text(date))]
        if let implementation, !implementation.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            writes.append((Field.implementation.rawValue, .text(implementation)))
        }
        return writes
    }
}

/// The certification body's deadlines for nonconformities, set per engagement: a major must be
/// corrected within `majorDays`, a minor within `minorDays`, counted from the engagement's
/// closing day (or, while it is open, its last day on site).
public struct NonconformityPolicy: Hashable, Sendable, Encodable {
    /// Days allowed for a major nonconformity; 30 unless the engagement says otherwise (a major
    /// must be closed before the certification decision).
    public var majorDays: Int
    /// Days allowed for a minor nonconformity; 90 unless the engagement says otherwise.
    public var minorDays: Int

    /// The default policy: 30 days for a major, 90 for a minor.
    public static let standard = NonconformityPolicy(majorDays: 30, minorDays: 90)

    /// A policy.
    public init(majorDays: Int, minorDays: Int) {
        self.majorDays = majorDays
        self.minorDays = minorDays
    }

    /// The days allowed for a grade; `nil` for grades that need no corrective action.
    public func days(for grade: FindingGrade?) -> Int? {
        switch grade {
        case .major: majorDays
        case .minor: minorDays
        default: nil
        }
    }

    /// The engagement fields that set the policy; only those given.
    ///
    /// - Throws: `AuditModelError.numberOutOfRange` for a number of days below 1 or above 3650.
    public static func writes(majorDays: Int?, minorDays: Int?) throws(AuditModelError) -> FieldWrites {
        var writes: FieldWrites = []
        for (days, field, name) in [(majorDays, Engagement.Field.majorDays, "--major-days"), (minorDays, .minorDays, "--minor-days")] {
            guard let days else { continue }
            guard (1...3650).contains(days) else { throw .numberOutOfRange(days, field: "number of days (\(name))", range: 1...3650) }
            writes.append((field.rawValue, .integer(Int64(days))))
        }
        return writes
    }
}
