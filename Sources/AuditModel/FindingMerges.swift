import Foundation
import Replication

/// Which findings of an engagement are merged into which: a pure function of the replicated
/// state, so every replica holding the same changes reads the same merges, whatever the order
/// they arrived in.
///
/// The rule (written down in `Sync/PROTOCOL.md`):
/// - A merge is a replicated field of the merged finding, `mergedInto`: the kept finding's id,
///   written by a lead. Nothing is deleted; the merged finding keeps its own fields and history.
/// - A finding's merge target is the least id (UUID order) among the visible values of its
///   `mergedInto` that name another finding of the engagement that is not deleted. A value that
///   names no such finding (an empty text, an unknown or deleted finding, the finding itself)
///   merges nothing, so deleting a kept finding brings the findings merged into it back.
/// - Merges chain: a finding merged into one that is itself merged counts under the end of the
///   chain. Two leads merging A into B and B into A at once make a cycle; the least id of the
///   cycle is kept (its own target ignored), the others count under it.
/// - A kept finding's requirements, AI systems, objective evidence, evidence files and authors are
///   its own followed by those of the findings merged into it, read as they are now: an edit
///   made to a merged finding, before or after the merge arrived, shows on the kept finding.
public struct FindingMerges: Sendable {
    /// Each merged finding's kept finding: the end of its chain of merges.
    public let keptFinding: [EntityID: EntityID]
    /// The merge each merged finding's target came from: who wrote it and when.
    let mergeChanges: [EntityID: Finding.ContentChange]

    /// The merges the given snapshots record (other kinds and deleted findings are ignored).
    public init(_ snapshots: some Sequence<EntitySnapshot>) {
        let findings = snapshots.filter { $0.kind == EntityKind.finding.rawValue && !$0.deleted }
        let known = Set(findings.map(\.id))
        var edges: [EntityID: EntityID] = [:]
        var changes: [EntityID: Finding.ContentChange] = [:]
        for snapshot in findings {
            let targets = (snapshot.fields[Finding.Field.mergedInto.rawValue]?.values ?? []).compactMap { value -> (EntityID, VisibleValue)? in
                guard let text = value.value.text, let target = try? EntityID(text), target != snapshot.id, known.contains(target) else { return nil }
                return (target, value)
            }
            guard let (target, value) = targets.min(by: { $0.0 < $1.0 }) else { continue }
            edges[snapshot.id] = target
            changes[snapshot.id] = Finding.ContentChange(by: value.id.origin, at: Int64(value.stamp.milliseconds))
        }
        keptFinding = Self.ends(of: edges)
        mergeChanges = changes
    }

    /// The end of each chain of merges, given each finding's own target: every cycle is broken
    /// at its least id, which is kept. Findings without a target do not appear.
    ///
    /// - Complexity: O(n) in the number of edges.
    public static func ends(of edges: [EntityID: EntityID]) -> [EntityID: EntityID] {
        var edges = edges
        // Each finding has at most one target, so each chain ends in a kept finding or one cycle.
        var state: [EntityID: Bool] = [:] // false: on the walk in progress; true: done
        for start in edges.keys.sorted() where state[start] == nil {
            var path: [EntityID] = []
            var node = start
            while state[node] == nil, let next = edges[node] {
                state[node] = false
                path.append(node)
                node = next
            }
            if state[node] == false, let entry = path.firstIndex(of: node) {
                let cycle = path[entry...]
                edges[cycle.min()!] = nil
            }
            path.forEach { state[$0] = true }
        }
        var ends: [EntityID: EntityID] = [:]
        func end(of node: EntityID) -> EntityID {
            guard let next = edges[node] else { return node }
            if let known = ends[node] { return known }
            let found = end(of: next)
            ends[node] = found
            return found
        }
        for node in edges.keys { _ = end(of: node) }
        return ends
    }

    /// The findings merged into `kept`, directly or through others, in id order.
    public func sources(of kept: EntityID) -> [EntityID] {
        keptFinding.filter { $0.value == kept }.map(\.key).sorted()
    }

    /// Splits findings into those standing (each kept finding with what was merged into it) and
    /// those merged (each with `mergedInto` set), both in the order given.
    public func apply(to findings: [Finding]) -> (standing: [Finding], merged: [Finding]) {
        guard !keptFinding.isEmpty else { return (findings, []) }
        let byID = Dictionary(findings.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var sourcesByKept: [EntityID: [Finding]] = [:]
        for (source, kept) in keptFinding.sorted(by: { $0.key < $1.key }) {
            if let finding = byID[source] { sourcesByKept[kept, default: []].append(finding) }
        }
        var standing: [Finding] = []
        var merged: [Finding] = []
        for finding in findings {
            if let kept = keptFinding[finding.id] {
                var finding = finding
                finding.mergedInto = kept
                merged.append(finding)
            } else if let sources = sourcesByKept[finding.id] {
                standing.append(combined(finding, with: sources))
            } else {
                standing.append(finding)
            }
        }
        return (standing, merged)
    }

    /// A kept finding as it reads with its merged findings: their content after its own.
    private func combined(_ kept: Finding, with sources: [Finding]) -> Finding {
        var finding = kept
        finding.mergedFrom = sources.map(\.id)
        finding.refs = Self.unique(kept.refs + sources.flatMap(\.refs))
        finding.systems = Self.unique(kept.systems + sources.flatMap(\.systems))
        let texts = ([kept.objectiveEvidence] + sources.map(\.objectiveEvidence)).compactMap { $0 }
            .filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        finding.objectiveEvidence = texts.isEmpty ? nil : Self.unique(texts).joined(separator: "\n")
        finding.contributors = Self.unique(kept.contributors + sources.flatMap(\.contributors))
        finding.contentDigest = Finding.contentDigest(own: kept.contentDigest, merged: sources.map { ($0.id, $0.contentDigest) })
        let changes = [kept.lastContentChange] + sources.map(\.lastContentChange) + sources.map { mergeChanges[$0.id] }
        finding.lastContentChange = changes.compactMap { $0 }.max { ($0.at, $0.by) < ($1.at, $1.by) }
        return finding
    }

    private static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }
}
