import AuditModel
import Replication

extension Replica {
    /// What `mergeFindings` did: the kept finding as it now reads, and the findings merged into it.
    public struct FindingMerge: Sendable {
        /// The kept finding, with what was merged into it (`Finding.mergedFrom`).
        public let kept: Finding
        /// The findings this merge marked, in the order given.
        public let merged: [Finding]
        /// The kept finding's label (`NC-01`) and each merged one's, by id, once numbered.
        public let labels: [EntityID: String]
    }

    /// Merges findings into one: each of `others` gets `mergedInto` = `keep` (and the reason),
    /// in one transaction. Nothing is deleted: the merged findings keep their fields, history and
    /// numbers, are listed with `finding list --merged`, and count under the kept finding, whose
    /// requirements, AI systems, objective evidence, evidence files and authors become its own and
    /// theirs (`FindingMerges`). A merge changes the kept finding's content, so its sign-off, if
    /// any, no longer stands (`Finding.signOffState`). Only a lead may merge (`Roster`).
    ///
    /// - Throws: `.refused` unless this replica is a lead; `.notFound` or `.ambiguous` for a
    ///   reference naming no finding of the engagement; `.invalidInput` for a finding merged into
    ///   itself, named twice, already merged, kept while merged into another, or belonging to
    ///   another engagement. Nothing is written then.
    public func mergeFindings(keep reference: String, others: [String], reason: String?, engagement: String?) throws(FieldAuditError) -> FindingMerge {
        let record = try capturing(in: engagement, kinds: [.finding])
        try requirePermission(toWrite: .finding, field: Finding.Field.mergedInto.rawValue, in: record.engagement.id)
        let source = "finding merge"
        guard !others.isEmpty else { throw .invalidInput(source: source, reason: "it names no finding to merge into \(reference)") }
        let kept = try mergeable(reference, in: record)
        if let end = kept.mergedInto {
            throw .invalidInput(source: source, reason: "finding \(describe(kept, in: record)) is itself merged into \(describe(end, in: record)); merge into that one instead")
        }
        var merged: [Finding] = []
        for other in others {
            let finding = try mergeable(other, in: record)
            if finding.id == kept.id {
                throw .invalidInput(source: source, reason: "finding \(describe(finding, in: record)) cannot be merged into itself; name the findings to merge after the one kept")
            }
            if merged.contains(where: { $0.id == finding.id }) {
                throw .invalidInput(source: source, reason: "finding \(describe(finding, in: record)) is named twice; name each finding once")
            }
            if let end = finding.mergedInto {
                throw .invalidInput(
                    source: source,
                    reason: "finding \(describe(finding, in: record)) is already merged into \(describe(end, in: record)); leave it out, or merge \(describe(end, in: record)) instead")
            }
            merged.append(finding)
        }
        let text = reason.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        try write(in: record.engagement.id) { writer in
            for finding in merged {
                var writes: FieldWrites = [(Finding.Field.mergedInto.rawValue, .text(kept.id.description))]
                if let text { writes.append((Finding.Field.mergeReason.rawValue, .text(text))) }
                try writer.put(writes, entity: finding.id, kind: .finding)
            }
        }
        let after = try self.record(of: record.engagement.id, kinds: [.finding])
        let labels = after.numbering.labels.filter { id, _ in id == kept.id || merged.contains { $0.id == id } }
        return FindingMerge(kept: after.anyFinding(kept.id) ?? kept, merged: merged.map { after.anyFinding($0.id) ?? $0 }, labels: labels)
    }

    /// The finding a merge names, merged ones included; a finding of another engagement this
    /// replica holds is named as such.
    private func mergeable(_ reference: String, in record: EngagementRecord) throws(FieldAuditError) -> Finding {
        do {
            return try finding(reference, in: record)
        } catch let error {
            guard case .notFound = error else { throw error }
            for engagement in (try? engagements()) ?? [] where engagement.id != record.engagement.id {
                guard let other = try? self.record(of: engagement.id, kinds: [.finding]),
                      let found = try? finding(reference, in: other)
                else { continue }
                throw .invalidInput(
                    source: "finding merge",
                    reason: "finding \(found.id.short) belongs to engagement \(engagement.id.short) (\(DisplayText.shown(engagement.client))), not to \(record.engagement.id.short) (\(DisplayText.shown(record.engagement.client))); a merge stays within one engagement")
            }
            throw error
        }
    }

    /// A finding in words for a message: its label and short id (`NC-03 (0193a2b4)`).
    private func describe(_ finding: Finding, in record: EngagementRecord) -> String {
        describe(finding.id, in: record)
    }

    private func describe(_ id: EntityID, in record: EngagementRecord) -> String {
        record.nonconformityLabel(of: id).map { "\($0) (\(id.short))" } ?? id.short
    }
}
