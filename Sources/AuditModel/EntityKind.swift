/// The kinds of entity the audit domain writes; each change record carries one.
public enum EntityKind: String, CaseIterable, Sendable {
    case engagement, member, soa, system, interview, note, test, evidence, link, finding
    /// A corrective action of a nonconformity (`CorrectiveAction`).
    case action
    /// The audit plan's sessions, meetings and Stage 1 points (`PlanItem`); the lead's decisions on late changes
    /// (`LateDecision`); the lead's reopenings of a closed engagement (`Reopening`).
    case planItem, lateDecision, reopening
    /// A member's own record that it replaced its key (`KeyRotation`).
    case keyRotation
}

/// Field values to write for one entity, in order.
public typealias FieldWrites = [(field: String, value: Replication.Value)]

import Replication
