import AuditModel
import Replication

/// A replica whose history is forked (its key signed two different changes under one id), as a
/// report shows it: quarantined from `seq` on, by the replica the report is made on
/// (`Sync/PROTOCOL.md` §21.1).
public struct ForkedOriginEntry: Sendable, Hashable {
    /// The forked replica.
    public var replica: ReplicaID
    /// Its name on the team, if it is on it (text someone wrote).
    public var name: String?
    /// The first seq at which two versions are known: its changes from here on are not in the report.
    public var seq: UInt64
    /// How many versions of that change are kept as evidence.
    public var versions: Int
    /// How many of its later changes are kept aside as evidence.
    public var setAside: Int

    /// What the team does about a fork, in the same words wherever it is shown.
    public static let advice =
        "the engagement's founding lead removes that member (`fieldaudit team remove`) and adds them again with a new key (`fieldaudit team add`)"

    /// A forked replica as the report lists it.
    public init(replica: ReplicaID, name: String?, seq: UInt64, versions: Int, setAside: Int) {
        self.replica = replica
        self.name = name
        self.seq = seq
        self.versions = versions
        self.setAside = setAside
    }
}

extension ReportDocument.Builder {
    /// The "Forked origins" section, only when the replica quarantined some: whose key, from
    /// which change on, what is kept, what to do.
    var forkedOrigins: [Block] {
        let forks = content.context.forkedOrigins
        guard !forks.isEmpty else { return [] }
        return [
            .paragraph(
                "The key of each replica below signed two different changes under one id: its history is forked (a copied key, or a laptop restored from a backup and used again). "
                    + "Its changes from the seq shown on are not part of this report; its earlier changes are. Every version is kept as evidence in the replica that made this report."),
            .table(
                header: ["Member", "Replica", "Refused from change", "Evidence kept"],
                rows: forks.map { fork in
                    [
                        fork.name ?? "not on the team", fork.replica.hex, "\(fork.replica.short):\(fork.seq)",
                        count(fork.versions, "version") + (fork.setAside == 0 ? "" : ", " + count(fork.setAside, "later change")),
                    ]
                }),
            .paragraph("What to do: " + ForkedOriginEntry.advice + "."),
        ]
    }
}
