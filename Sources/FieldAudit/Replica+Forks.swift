import AuditModel
import AuditReports
import AuditStore
import Replication

/// A forked origin as shown to a user (`status`, `verify`, `import`, the report): whose key signed
/// two histories, from which seq its changes are refused, the evidence kept, and what to do.
public struct ForkNotice: Sendable, Hashable, Encodable, CustomStringConvertible {
    /// The forked origin's replica id, in hex.
    public let replica: String
    /// Its name on a team this replica holds, if any: text someone wrote, escaped when shown.
    public let name: String?
    /// The first seq at which two different versions are known; refused from here on.
    public let seq: UInt64
    /// The versions kept at `seq`: content digest (hex) and who relayed each.
    public let versions: [Version]
    /// Links of the origin beyond `seq` kept aside as evidence.
    public let setAside: Int

    /// One version of the forked change.
    public struct Version: Sendable, Hashable, Encodable {
        /// Its content digest, in hex.
        public let content: String
        /// The exporter of the bundle that brought it (hex); `nil` when this replica held it before the fork was found.
        public let relayedBy: String?
        /// When this replica set it aside, Unix milliseconds.
        public let receivedAt: UInt64
    }

    /// What to do about a fork, the same words everywhere.
    public static let advice = ForkedOriginEntry.advice

    /// The fork in one sentence, with what to do; the name is escaped for the terminal.
    public var description: String {
        let who = name.map { "\(DisplayText.shown($0)) (replica \(replica.prefix(8)))" } ?? "replica \(replica.prefix(8))"
        let aside = setAside == 0 ? "" : ", \(setAside) later change\(setAside == 1 ? "" : "s") set aside"
        return "\(who) signed \(versions.count) different changes as seq \(seq): its history is forked (its key was copied or a laptop restored from a backup). "
            + "Its changes from seq \(seq) on are refused (kept as evidence: \(versions.count) versions\(aside)); its earlier changes and everyone else's flow as usual. "
            + "What to do: \(Self.advice)."
    }
}

extension Replica {
    /// The origins whose history is forked, quarantined from their fork on (`Sync/PROTOCOL.md` §21.1),
    /// each named as a team this replica holds knows it.
    public func forkedOrigins() throws(FieldAuditError) -> [ForkNotice] {
        let forks = try perform { () throws(StoreError) in try store.forkedOrigins() }
        guard !forks.isEmpty else { return [] }
        var names: [String: String] = [:]
        for member in try perform({ () throws(StoreError) in try store.snapshots(ofKind: EntityKind.member.rawValue) }) {
            if let replica = member.fields[TeamMember.Field.replica.rawValue]?.winner.value.text,
               let name = member.fields[TeamMember.Field.name.rawValue]?.winner.value.text {
                names[replica] = names[replica] ?? name
            }
        }
        return forks.map { fork in
            ForkNotice(
                replica: fork.origin.hex, name: names[fork.origin.hex], seq: fork.seq,
                versions: fork.versions.map { .init(content: $0.content.hex, relayedBy: $0.relayedBy?.hex, receivedAt: $0.receivedAt) },
                setAside: fork.setAside)
        }
    }
}
