import Foundation
import Replication

/// The numbers of an engagement's nonconformities (`NC-01`, `NC-02`, …): assigned without
/// coordination, the same on every replica, never reused.
///
/// The rule (written down in `Sync/PROTOCOL.md`):
/// - A number is a replicated field (`number`) of the finding, written once, by a lead, when the
///   lead signs off a major or minor nonconformity that has none: one more than the greatest
///   number the lead's replica knows in the engagement, counting every visible value of every
///   finding's `number`, deleted findings and findings since regraded included. A number is
///   never rewritten, so regrading, merging or deleting a finding never frees it, and a finding
///   arriving later never renumbers those already numbered.
/// - The label is a pure function of the replicated state: a finding's number is the least of
///   its visible `number` values. Only two leads numbering at once, offline, can give two findings
///   the same number; then the finding whose number was written first, by (stamp, origin, seq),
///   keeps `NC-03` and the others read `NC-03-b`, `NC-03-c` in that order, and `status` shows the
///   collision.
public struct NonconformityNumbering: Sendable {
    /// Each numbered finding's label, deleted findings included.
    public let labels: [EntityID: String]
    /// The numbers held by more than one finding, with those findings in label order.
    public let collisions: [(number: Int, findings: [EntityID])]
    /// The number the next sign-off assigns.
    public let next: Int

    /// The numbering of the given snapshots' findings (other kinds are ignored; deleted findings count).
    public init(_ snapshots: some Sequence<EntitySnapshot>) {
        var holders: [Int: [(EntityID, VisibleValue)]] = [:]
        var greatest = 0
        for snapshot in snapshots where snapshot.kind == EntityKind.finding.rawValue {
            let values = (snapshot.fields[Finding.Field.number.rawValue]?.values ?? []).filter { ($0.value.integer ?? 0) > 0 }
            greatest = max(greatest, values.compactMap(\.value.integer).map { Int($0) }.max() ?? 0)
            guard let least = values.min(by: { a, b in
                a.value.integer! != b.value.integer! ? a.value.integer! < b.value.integer! : VisibleValue.displayPrecedes(b, a)
            })
            else { continue }
            holders[Int(least.value.integer!), default: []].append((snapshot.id, least))
        }
        var labels: [EntityID: String] = [:]
        var collisions: [(Int, [EntityID])] = []
        for (number, findings) in holders.sorted(by: { $0.key < $1.key }) {
            let ordered = findings.sorted { VisibleValue.displayPrecedes($1.1, $0.1) }.map(\.0)
            for (index, id) in ordered.enumerated() {
                labels[id] = Self.label(number) + (index == 0 ? "" : "-" + String(UnicodeScalar(UInt8(ascii: "a") + UInt8(min(index, 25)))))
            }
            if ordered.count > 1 { collisions.append((number, ordered)) }
        }
        self.labels = labels
        self.collisions = collisions
        next = greatest + 1
    }

    /// `NC-01` for 1: two digits at least.
    public static func label(_ number: Int) -> String {
        "NC-" + (number < 10 ? "0" : "") + String(number)
    }
}
