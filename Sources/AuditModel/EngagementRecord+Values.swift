import Replication

extension EngagementRecord {
    /// A field's value in words, as its field means it: times in `siteTime` with the zone, yes and
    /// no, members' names for replica ids, lists, a closure verification, a count for a vector.
    ///
    /// What `log`, conflicts and the reports show for a raw value; the value itself stays as stored.
    public func describe(_ value: Value, field: String, in siteTime: SiteTime) -> String {
        let name = { (hex: String) in (try? ReplicaID(hex: hex)).map(memberName) ?? hex }
        switch field {
        case Interview.Field.startedAt.rawValue, Interview.Field.endedAt.rawValue, Finding.Field.signedOffAt.rawValue,
             Evidence.Field.capturedAt.rawValue, Note.Field.at.rawValue, Engagement.Field.closedAt.rawValue,
             Engagement.Field.signedAt.rawValue, LateDecision.Field.decidedAt.rawValue, Reopening.Field.reopenedAt.rawValue:
            return value.integer.map(siteTime.dateTime) ?? value.description
        case Finding.Field.discussed.rawValue, ApplicabilityStatement.Field.applicable.rawValue, PlanItem.Field.remote.rawValue,
             Change.deletedField:
            return value.isTrue ? "yes" : "no"
        case Finding.Field.verification.rawValue:
            guard let verification = value.text.flatMap(ClosureVerification.decode) else { return value.description }
            return "\(verification.outcome.rawValue) by \(name(verification.by)) on \(siteTime.dateTime(verification.at)): \(verification.reason)"
        case Finding.Field.signedOffBy.rawValue, Engagement.Field.lead.rawValue, Engagement.Field.signedBy.rawValue:
            return value.text.map(name) ?? value.description
        case Engagement.Field.closedThrough.rawValue, Engagement.Field.acceptedLateUpTo.rawValue:
            let vector = value.text.flatMap(Closing.decodeVector) ?? VersionVector()
            return "\(vector.reduce(0) { $0 + $1.seq }) changes"
        default:
            if case let .json(text) = value, text.hasPrefix("[") { return FieldCoding.decodeStrings(text).joined(separator: ", ") }
            if case let .blob(digest) = value { return "SHA-256 \(digest.hex)" }
            return value.text ?? value.description
        }
    }
}
