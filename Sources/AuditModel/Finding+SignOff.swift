import Foundation
import Replication

extension Finding {
    /// A write to one of a finding's content fields: its author and its stamp.
    public struct ContentChange: Hashable, Sendable, Encodable {
        /// The replica that wrote it.
        public let by: ReplicaID
        /// Its stamp, Unix milliseconds.
        public let at: Int64
    }

    /// Where a finding's sign-off stands against what the finding says now.
    public enum SignOffState: Hashable, Sendable {
        /// The lead has not signed the finding off.
        case notSignedOff
        /// Signed off, and the content fields are still what was signed (or the sign-off predates
        /// digests, so nothing binds it).
        case signedOff(by: String, at: Int64?)
        /// Signed off, then a content field changed: the sign-off no longer stands, and the
        /// finding needs a new one. `change` is the latest write to a content field.
        case changedSinceSignOff(by: String, at: Int64?, change: ContentChange?)

        /// Whether a sign-off stands for the finding as it is now.
        public var stands: Bool {
            if case .signedOff = self { return true }
            return false
        }
    }

    /// The finding's sign-off against its content now: a sign-off records the digest of the
    /// content fields (`contentFields`), and any later write to one of them, from any replica,
    /// before or after import, changes the digest and voids the sign-off.
    public var signOffState: SignOffState {
        guard let signedOffBy else { return .notSignedOff }
        guard let signedOffDigest, signedOffDigest != contentDigest else { return .signedOff(by: signedOffBy, at: signedOffAt) }
        return .changedSinceSignOff(by: signedOffBy, at: signedOffAt, change: lastContentChange)
    }

    /// The SHA-256 (hex) of a finding's content fields as a snapshot holds them: for each field
    /// of `contentFields`, in that order, its name and every visible value (sorted, so replicas
    /// agree), each length-prefixed. A field in conflict digests all its values, so a concurrent
    /// edit changes the digest too. A pure function of the visible values.
    public static func contentDigest(_ snapshot: EntitySnapshot) -> String {
        var texts = ["fieldaudit.finding.content.v1"]
        for field in contentFields {
            let values = (snapshot.fields[field.rawValue]?.values ?? []).map { canonical($0.value) }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            texts += [field.rawValue, String(values.count)] + values
        }
        return digest(texts)
    }

    /// The content digest of a finding that others were merged into: its own digest, then each
    /// merged finding's id and own digest, in id order. A merge, an unmerge, or an edit to a
    /// merged finding's content then changes the kept finding's digest, so its sign-off no longer
    /// stands (`signOffState`), by the one sign-off rule. Without merged findings, the own digest.
    public static func contentDigest(own: String, merged: [(id: EntityID, digest: String)]) -> String {
        guard !merged.isEmpty else { return own }
        return digest(["fieldaudit.finding.merged.v1", own, String(merged.count)] + merged.sorted { $0.id < $1.id }.flatMap { [$0.id.description, $0.digest] })
    }

    /// The SHA-256 (hex) of texts, each length-prefixed (32-bit big-endian byte count).
    private static func digest(_ texts: [String]) -> String {
        var hasher = BlobHasher()
        for text in texts {
            let bytes = Array(text.utf8)
            hasher.update(withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init))
            hasher.update(bytes)
        }
        return hasher.finalize().hex
    }

    /// A value as digest input: its type and its text.
    private static func canonical(_ value: Value) -> String {
        switch value {
        case .null: "null:"
        case let .integer(number): "integer:\(number)"
        case let .real(number): "real:\(number.bitPattern)"
        case let .text(text): "text:" + text
        case let .json(text): "json:" + text
        case let .bytes(bytes): "bytes:" + Hex.encode(bytes)
        case let .blob(digest): "blob:" + digest.hex
        }
    }
}

/// The auditor's verification of a nonconformity's corrective actions (ISO/IEC 17021-1 §9.4.9):
/// accepted (the nonconformity is closed) or rejected, by whom, when, on what evidence, and why.
///
/// Recorded as one JSON value in the finding's `verification` field, so two verifications made
/// at once on two replicas show as one conflict, both kept.
public struct ClosureVerification: Hashable, Sendable, Codable {
    /// Accepted or rejected.
    public enum Outcome: String, Choice, Codable {
        case accepted, rejected
        /// The field's name in messages.
        public static let fieldName = "verification outcome"
    }

    /// Whether the corrective actions were accepted.
    public var outcome: Outcome
    /// The verifying lead's replica id (hex).
    public var by: String
    /// When, Unix milliseconds.
    public var at: Int64
    /// The reason, in the auditor's words.
    public var reason: String
    /// The evidence examined, as evidence entity ids.
    public var evidence: [String]

    /// A verification.
    public init(outcome: Outcome, by: String, at: Int64, reason: String, evidence: [String]) {
        self.outcome = outcome
        self.by = by
        self.at = at
        self.reason = reason
        self.evidence = evidence
    }

    /// The value written: compact JSON with sorted keys, the same bytes on every replica.
    public var encoded: Value {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return .json(String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self))
    }

    /// Reads a verification written by `encoded`; `nil` for text that is not one.
    public static func decode(_ text: String) -> ClosureVerification? {
        try? JSONDecoder().decode(ClosureVerification.self, from: Data(text.utf8))
    }
}
