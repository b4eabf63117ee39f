import Foundation

/// How times are written for people: in one time zone, the engagement's (the site's), always with
/// the zone, whoever writes them and whatever their own zone.
///
/// The one home of time formatting: tables, `log`, the reports and the review pages all write
/// times through it, so the same instant reads the same everywhere. The zone is written as its
/// offset (`+01:00`, `-05:00`, `+05:30`), or `UTC` for the UTC zone itself: offsets are exact and
/// the same on every machine, where abbreviations (`CET`, `IST`) are ambiguous and depend on the
/// platform. The engagement's zone itself is named once where a reader needs it (`description`).
public struct SiteTime: Sendable, Hashable, CustomStringConvertible {
    /// The zone times are written in.
    public let timeZone: TimeZone

    /// Times in `timeZone`.
    public init(_ timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// UTC: for engagements recorded before engagements had a zone, and for machine-readable times.
    public static let utc = SiteTime(TimeZone(identifier: "UTC")!)

    /// Times in the IANA zone `identifier` (`Europe/Berlin`).
    ///
    /// - Throws: `AuditModelError.unknownTimeZone` with the nearest known names when there is no
    ///   such zone.
    public init(identifier: String) throws(AuditModelError) {
        let trimmed = identifier.trimmingCharacters(in: .whitespaces)
        guard Self.isKnown(trimmed), let zone = TimeZone(identifier: trimmed) else {
            throw .unknownTimeZone(identifier, suggestions: Self.suggestions(for: trimmed))
        }
        self.init(zone)
    }

    /// The zone's IANA name (`Europe/Berlin`).
    public var identifier: String { timeZone.identifier }

    /// The zone's name and its offset at `milliseconds`: `Europe/Berlin (UTC+01:00)`, `UTC`.
    public func name(at milliseconds: Int64) -> String {
        isUTC ? "UTC" : "\(identifier) (UTC\(offsetText(at: milliseconds)))"
    }

    /// The zone's name (`Europe/Berlin`).
    public var description: String { identifier }

    // MARK: - Writing times

    /// `2026-12-03 09:30 +01:00` (`2026-12-03 09:30 UTC` in UTC); `—` for no time.
    public func dateTime(_ milliseconds: Int64?) -> String {
        guard let milliseconds else { return "—" }
        let parts = civil(milliseconds)
        return "\(parts.day) \(parts.clock) \(zone(at: milliseconds))"
    }

    /// `2026-12-03 09:30:12.345 +01:00`: to the millisecond, for command runs.
    public func precise(_ milliseconds: Int64) -> String {
        let parts = civil(milliseconds)
        return "\(parts.day) \(parts.clock):\(pad(parts.seconds, 2)).\(pad(parts.milliseconds, 3)) \(zone(at: milliseconds))"
    }

    /// `09:30`, the time of day without the zone, for lines under a heading that names it.
    public func clock(_ milliseconds: Int64) -> String {
        civil(milliseconds).clock
    }

    /// The calendar day, `2026-12-03`.
    public func day(_ milliseconds: Int64) -> String {
        civil(milliseconds).day
    }

    /// The zone as written after a time at `milliseconds`: `UTC`, or the offset `+01:00`.
    public func zone(at milliseconds: Int64) -> String {
        isUTC ? "UTC" : offsetText(at: milliseconds)
    }

    /// Unix milliseconds as an RFC 3339 time in UTC (`2026-12-03T08:30:00Z`; with
    /// `fractionalSeconds`, `2026-12-03T08:30:00.123Z`), as machine formats (OSCAL) want.
    public static func rfc3339(_ milliseconds: Int64, fractionalSeconds: Bool = false) -> String {
        let parts = utc.civil(milliseconds)
        let seconds = "\(parts.day)T\(parts.clock):\(pad(parts.seconds, 2))"
        return (fractionalSeconds ? "\(seconds).\(pad(parts.milliseconds, 3))" : seconds) + "Z"
    }

    // MARK: - Arithmetic

    private var isUTC: Bool { ["UTC", "GMT", "Etc/UTC", "Etc/GMT", "Zulu", "Etc/Zulu", "UCT", "Etc/UCT", "Universal", "Etc/Universal"].contains(identifier) }

    private func offsetSeconds(at milliseconds: Int64) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(Self.floorDivide(milliseconds, 1000))))
    }

    private func offsetText(at milliseconds: Int64) -> String {
        let offset = offsetSeconds(at: milliseconds)
        let minutes = abs(offset) / 60
        return (offset < 0 ? "-" : "+") + pad(minutes / 60, 2) + ":" + pad(minutes % 60, 2)
    }

    /// The wall-clock reading at `milliseconds` in the zone (proleptic Gregorian calendar).
    private func civil(_ milliseconds: Int64) -> (day: String, clock: String, seconds: Int, milliseconds: Int) {
        let local = milliseconds + Int64(offsetSeconds(at: milliseconds)) * 1000
        let days = Self.floorDivide(local, 86_400_000)
        let inDay = Int(local - days * 86_400_000)
        let (year, month, day) = Self.date(fromDays: days)
        let minutes = inDay / 60_000
        return (
            "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))", "\(pad(minutes / 60, 2)):\(pad(minutes % 60, 2))",
            inDay / 1000 % 60, inDay % 1000
        )
    }

    /// The civil date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    private static func date(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private func pad(_ value: Int, _ width: Int) -> String { Self.pad(value, width) }

    // MARK: - Names

    /// Whether `identifier` is an IANA zone name this machine knows (`Asia/Kolkata` and its alias
    /// `Asia/Calcutta` alike). `TimeZone` alone also takes offsets such as `GMT+1`, whose sign
    /// POSIX reads backwards: they name no site, and are refused.
    static func isKnown(_ identifier: String) -> Bool {
        guard !identifier.isEmpty, identifier.firstMatch(of: /^(Etc\/)?(GMT|UTC)[+-]/) == nil,
              identifier.allSatisfy({ $0.isLetter || $0.isNumber || "/_-+".contains($0) })
        else { return false }
        return TimeZone(identifier: identifier) != nil
    }

    /// Known zone names close to `identifier`: the same city or region whatever the case
    /// (`berlin` → `Europe/Berlin`), else those containing it.
    static func suggestions(for identifier: String) -> [String] {
        let wanted = identifier.lowercased().replacingOccurrences(of: " ", with: "_")
        guard !wanted.isEmpty else { return [] }
        let known = TimeZone.knownTimeZoneIdentifiers
        let exact = known.filter { $0.lowercased() == wanted || $0.lowercased().split(separator: "/").last.map(String.init) == wanted }
        if !exact.isEmpty { return Array(exact.sorted().prefix(3)) }
        return Array(known.filter { $0.lowercased().contains(wanted) }.sorted().prefix(3))
    }
}
