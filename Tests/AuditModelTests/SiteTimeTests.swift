import Foundation
@testable import AuditModel
import Replication
import TestSupport
import Testing

/// Times written for people: in the engagement's zone, always with the zone, the same whoever writes them.
struct SiteTimeTests {
    /// 2026-12-03 08:30:00.250 UTC.
    let winter: Int64 = 1_796_286_600_250
    /// 2026-07-01 07:30:00 UTC.
    let summer: Int64 = 1_782_891_000_000

    func zone(_ identifier: String) throws -> SiteTime { try SiteTime(identifier: identifier) }

    @Test func aTimeIsWrittenInTheSitesZoneWithItsOffset() throws {
        #expect(try zone("Europe/Berlin").dateTime(winter) == "2026-12-03 09:30 +01:00")
        #expect(try zone("Europe/Berlin").dateTime(summer) == "2026-07-01 09:30 +02:00")
        #expect(try zone("Asia/Kolkata").dateTime(winter) == "2026-12-03 14:00 +05:30")
        #expect(try zone("America/New_York").dateTime(winter) == "2026-12-03 03:30 -05:00")
        #expect(SiteTime.utc.dateTime(winter) == "2026-12-03 08:30 UTC")
        #expect(SiteTime.utc.dateTime(nil) == "—")
    }

    @Test func theDayAndTheClockAreTheSitesEvenAcrossMidnight() throws {
        let tokyo = try zone("Asia/Tokyo")
        let late: Int64 = 1_796_337_000_000  // 2026-12-03 22:30 UTC
        #expect(tokyo.day(late) == "2026-12-04")
        #expect(tokyo.clock(late) == "07:30")
        #expect(SiteTime.utc.day(late) == "2026-12-03")
    }

    @Test func preciseTimesKeepTheMillisecondAndTheZone() throws {
        #expect(try zone("Europe/Berlin").precise(winter) == "2026-12-03 09:30:00.250 +01:00")
        #expect(SiteTime.rfc3339(winter) == "2026-12-03T08:30:00Z")
        #expect(SiteTime.rfc3339(winter, fractionalSeconds: true) == "2026-12-03T08:30:00.250Z")
        #expect(Evidence.Run.time(winter) == "2026-12-03T08:30:00.250Z")
    }

    @Test func timesBefore1970AreWrittenToo() {
        #expect(SiteTime.utc.dateTime(-1) == "1969-12-31 23:59 UTC")
        #expect(SiteTime.utc.precise(-1) == "1969-12-31 23:59:59.999 UTC")
    }

    /// Law: the civil arithmetic agrees with Foundation's calendar for any instant in any zone.
    @Test func theWrittenTimeAgreesWithFoundationForRandomInstantsAndZones() throws {
        var random = SeededGenerator(seed: 19)
        let zones = TimeZone.knownTimeZoneIdentifiers.sorted()
        for _ in 0..<propertyRuns(300) {
            let identifier = zones.randomElement(using: &random)!
            let milliseconds = Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &random)
            let site = try zone(identifier)
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.calendar = Calendar(identifier: .gregorian)
            formatter.timeZone = TimeZone(identifier: identifier)
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
            let date = Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
            let expected = formatter.string(from: date)
            #expect(site.precise(milliseconds).hasPrefix(expected), "\(identifier) at \(milliseconds)")
        }
    }

    @Test func anUnknownZoneIsRefusedWithTheNearestNames() throws {
        #expect(throws: AuditModelError.self) { try SiteTime(identifier: "Mars/Olympus") }
        #expect(throws: AuditModelError.self) { try SiteTime(identifier: "GMT+1") }
        do {
            _ = try SiteTime(identifier: "berlin")
            Issue.record("a city alone is not a zone name")
        } catch let error {
            guard case let .unknownTimeZone(value, suggestions) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(value == "berlin")
            #expect(suggestions == ["Europe/Berlin"])
            #expect(error.description.contains("did you mean Europe/Berlin?"))
        }
    }

    @Test func anEngagementWithoutAZoneShowsUTCAndOneWithAZoneShowsIt() throws {
        let id = testEntity(7)
        func engagement(_ fields: FieldWrites) throws -> Engagement {
            let origin = testIdentity(1).id
            var states: [String: FieldState] = [:]
            for (index, (field, value)) in fields.enumerated() {
                states[field] = FieldState([VisibleValue(id: ChangeID(origin: origin, seq: UInt64(index + 1)), stamp: Timestamp(rawValue: 1), value: value)])
            }
            return try #require(Engagement(EntitySnapshot(id: id, kind: "engagement", engagement: id, deleted: false, fields: states)))
        }
        #expect(try engagement([("client", .text("Helix"))]).siteTime == .utc)
        let berlin = try engagement([("client", .text("Helix"))] + Engagement.timeZoneWrites("Europe/Berlin"))
        #expect(berlin.timeZone == "Europe/Berlin")
        #expect(berlin.siteTime.dateTime(winter) == "2026-12-03 09:30 +01:00")
        #expect(throws: AuditModelError.self) { try Engagement.timeZoneWrites("Europe/Berln") }
    }

    @Test func aChangeOfTheZoneAfterClosingIsNeverLate() {
        #expect(Closing.isFollowUp(kind: "engagement", field: Engagement.Field.timeZone.rawValue))
    }
}
