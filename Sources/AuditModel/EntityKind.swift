/// The kinds of entity the audit domain writes; each change record carries one.
public enum EntityKind: String, CaseIterable, Sendable {
    case engagement, member, soa, system, interview, note, test, evidence, link, finding
    /// A corrective action of a nonconformity (`CorrectiveAction`).
    case action
}

/// Field values to write for one entity, in order.
public typealias FieldWrites = [(field: String, value: Replication.Value)]

import Replication
