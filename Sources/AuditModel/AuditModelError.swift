/// Why the audit domain refused an input: each case names the value and says what would be accepted.
public enum AuditModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A requirement reference that is not in the catalog, with the nearest ones that are.
    case unknownRequirement(String, catalog: String, suggestions: [String])
    /// A value outside a closed list.
    case invalidChoice(String, field: String, valid: [String])
    /// A sample larger than the population it was drawn from.
    case sampleLargerThanPopulation(sample: Int, population: Int)
    /// A nonconformity without objective evidence.
    case nonconformityWithoutEvidence(grade: String)
    /// A catalog file that cannot be used.
    case invalidCatalog(String)
    /// A catalog of a newer format version.
    case unsupportedCatalogVersion(found: Int, supported: Int)
    /// A required value is missing or empty.
    case missing(field: String)
    /// A date that is not `YYYY-MM-DD`.
    case invalidDate(String, field: String)
    /// A date written `YYYY-MM-DD` that does not exist (`2026-02-30`), and why.
    case impossibleDate(String, field: String, reason: String)
    /// A last day before the first.
    case endBeforeStart(start: String, end: String)
    /// A Statement of Applicability entry that excludes a clause, which every organisation must meet.
    case mandatoryRequirement(String, catalog: String)
    /// A Statement of Applicability entry that excludes a control without saying why.
    case exclusionWithoutJustification(String)
    /// A number outside the range a field accepts.
    case numberOutOfRange(Int, field: String, range: ClosedRange<Int>)
    /// A time of day that is not `HH:MM` (24-hour clock), or an end not after its start.
    case invalidTime(String, field: String)
    /// A plan date outside the engagement's audit dates.
    case outsideEngagement(String, start: String?, end: String?)
    /// A proposed surveillance date on or before the audit's last day.
    case surveillanceNotAfterAudit(String, lastDay: String)
    /// A time zone that is not an IANA zone name, with the nearest ones that are.
    case unknownTimeZone(String, suggestions: [String])
    /// A bare requirement reference that several standards of an integrated audit have, with
    /// each candidate qualified (`42001:6.1.2`, `27001:6.1.2`).
    case ambiguousRequirement(String, candidates: [String])
    /// A reference qualified by a prefix that no standard of the engagement has, with theirs.
    case unknownStandard(String, known: [String])

    /// The message a user reads: what was refused, with the offending value, and what to write instead.
    public var description: String {
        switch self {
        case let .unknownRequirement(reference, catalog, suggestions):
            "\(reference) is not in \(catalog)"
                + (suggestions.isEmpty ? "; `fieldaudit catalog list` shows every reference." : "; did you mean \(Self.alternatives(suggestions))?")
        case let .invalidChoice(value, field, valid):
            "'\(value)' is not a valid \(field); use one of: \(valid.joined(separator: ", "))."
        case let .sampleLargerThanPopulation(sample, population):
            "the sample size \(sample) is larger than the population \(population); check both numbers."
        case let .nonconformityWithoutEvidence(grade):
            "a \(grade) nonconformity must rest on objective evidence (ISO/IEC 17021-1): add --evidence ID or --objective-evidence TEXT."
        case let .invalidCatalog(reason):
            "the catalog cannot be used: \(reason)"
        case let .unsupportedCatalogVersion(found, supported):
            "the catalog is format version \(found), but this fieldaudit reads up to version \(supported); upgrade fieldaudit."
        case let .missing(field):
            "\(field) is required and must not be empty."
        case let .invalidDate(value, field):
            "'\(value)' is not a valid \(field); write dates as YYYY-MM-DD."
        case let .impossibleDate(value, field, reason):
            "'\(value)' is not a valid \(field): \(reason); check the day and the month (YYYY-MM-DD)."
        case let .endBeforeStart(start, end):
            "the end date \(end) is before the start date \(start); the last audit day must be on or after the first (swap them?)."
        case let .mandatoryRequirement(reference, catalog):
            "\(reference) is a clause of \(catalog), and clauses are mandatory: every organisation must meet them, so it cannot be excluded. "
                + "Only Annex A controls may be excluded, each with a justification; declare \(reference) applicable or leave it out of the Statement of Applicability."
        case let .exclusionWithoutJustification(reference):
            "excluding \(reference) needs a justification (ISO/IEC 42001 §6.1.3 asks for one for every excluded control): "
                + "give it with --justification TEXT, or in the justification column of the CSV."
        case let .numberOutOfRange(value, field, range):
            Self.outOfRange(value, field, range)
        case let .invalidTime(value, field):
            "'\(value)' is not a valid \(field); write times as HH:MM on the 24-hour clock (09:00, 14:30)."
        case let .outsideEngagement(value, start, end):
            "\(value) is outside the engagement's audit dates (\(start ?? "…") to \(end ?? "…")); plan sessions on audit days, "
                + "or change the engagement's dates first."
        case let .surveillanceNotAfterAudit(value, lastDay):
            "the surveillance date \(value) must come after the audit's last day, \(lastDay)."
        case let .unknownTimeZone(value, suggestions):
            "'\(value)' is not a time zone; give the site's IANA zone name, such as Europe/Berlin or America/New_York"
                + (suggestions.isEmpty ? " (`timedatectl list-timezones` lists them)." : "; did you mean \(Self.alternatives(suggestions))?")
        case let .ambiguousRequirement(reference, candidates):
            "\(reference) is a requirement of several standards of this engagement; qualify it with the standard's prefix: \(Self.alternatives(candidates))."
        case let .unknownStandard(prefix, known):
            "'\(prefix)' is not the prefix of a standard of this engagement; its standards are \(Self.alternatives(known)) (`fieldaudit engagement show` lists them)."
        }
    }

    private static func outOfRange(_ value: Int, _ field: String, _ range: ClosedRange<Int>) -> String {
        "\(value) is not a valid \(field); give a whole number from \(range.lowerBound) to \(range.upperBound)."
    }

    private static func alternatives(_ suggestions: [String]) -> String {
        suggestions.count == 1 ? suggestions[0] : suggestions.dropLast().joined(separator: ", ") + " or " + suggestions.last!
    }
}
