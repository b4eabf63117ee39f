import Foundation
import TestSupport
import Testing

/// The clock auditors read (issue 19): an engagement has the site's time zone, and every table,
/// `log` and every report shows its times in it, with the zone, whatever the reader's own `TZ`.
struct ClockCommandTests {
    let cli = FieldAuditCLI()
    let directory = TemporaryDirectory("fieldaudit-clock")
    var store: String { directory.file("lead") }

    /// Runs `fieldaudit` with the store, as someone whose own zone is `tz`.
    func run(_ arguments: [String], tz: String = "Asia/Kolkata", environment: [String: String] = [:]) throws -> FieldAuditCLI.Result {
        try cli.run(arguments + ["--store", store], environment: ["TZ": tz].merging(environment) { _, new in new })
    }

    @discardableResult
    func succeed(_ arguments: [String], tz: String = "Asia/Kolkata", environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(arguments, tz: tz, environment: environment)
        #expect(result.status == 0, "`fieldaudit \(arguments.joined(separator: " "))` failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    /// An engagement on a site in Berlin, an interview with a note, a signed-off finding.
    func berlinEngagement() throws {
        try succeed(["init", "--name", "Ada Lead"])
        let created = try succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd", "--time-zone", "Europe/Berlin"])
        #expect(created.contains("Times are shown in Europe/Berlin (UTC+0"), "\(created)")
        try succeed(["interview", "start", "--with", "Dr Priya Rao", "--role", "CMIO"])
        try succeed(["note", "Risk register reviewed quarterly"])
        try succeed(["interview", "end"])
        try succeed(["finding", "raise", "--grade", "ofi", "--ref", "A.6.2.8", "--statement", "Consider shorter review cycles"])
        let finding = try #require(try succeed(["finding", "list"]).firstMatch(of: /[0-9a-f]{8}/)).0
        try succeed(["finding", "sign-off", String(finding)])
    }

    /// The offset Berlin has now (`+01:00` in winter, `+02:00` in summer).
    var berlinOffset: String {
        TimeZone(identifier: "Europe/Berlin")!.secondsFromGMT() == 7200 ? "+02:00" : "+01:00"
    }

    @Test func tablesShowTheSitesZoneWhateverTheReadersOwn() throws {
        try berlinEngagement()
        for command in [["interview", "list"], ["status"], ["log"], ["finding", "list"]] {
            let kolkata = try succeed(command, tz: "Asia/Kolkata")
            let newYork = try succeed(command, tz: "America/New_York")
            #expect(kolkata == newYork, "`\(command.joined(separator: " "))` depends on the reader's TZ")
            #expect(!kolkata.contains("+05:30") && !kolkata.contains("-05:00"), "\(kolkata)")
        }
        #expect(try succeed(["interview", "list"]).contains(berlinOffset))
        let shown = try succeed(["engagement", "show"], tz: "America/New_York")
        #expect(shown.contains("Europe/Berlin (UTC\(berlinOffset))"), "\(shown)")
    }

    @Test func logShowsReadableTimesAndNamesNotEpochMillisecondsOrReplicaIDs() throws {
        try berlinEngagement()
        let log = try succeed(["log", "--limit", "200"], tz: "America/New_York")
        #expect(log.firstMatch(of: /\b1[0-9]{12}\b/) == nil, "a raw Unix-millisecond value in log:\n\(log)")
        #expect(log.firstMatch(of: /[0-9a-f]{64}/) == nil, "a replica id where a name belongs:\n\(log)")
        let signedOff = try #require(log.split(separator: "\n").first { $0.contains("signedOffBy") })
        #expect(signedOff.contains("Ada Lead"), "\(signedOff)")
        let started = try #require(log.split(separator: "\n").first { $0.contains("startedAt") })
        #expect(started.contains(berlinOffset), "\(started)")
    }

    @Test func theSameReportComesOutByteForByteUnderAnyTZ() throws {
        try berlinEngagement()
        let epoch = ["SOURCE_DATE_EPOCH": "1796286600"]
        for format in ["markdown", "html", "oscal"] {
            let kolkata = try succeed(["report", "--format", format], tz: "Asia/Kolkata", environment: epoch)
            let newYork = try succeed(["report", "--format", format], tz: "America/New_York", environment: epoch)
            #expect(kolkata == newYork, "the \(format) report depends on who generates it")
            if format != "oscal" {
                #expect(kolkata.contains("2026-12-03 09:30 +01:00"), "the generated time in the site's zone")
                #expect(kolkata.contains("Europe/Berlin (UTC+01:00)"))
            } else {
                #expect(kolkata.contains("2026-12-03T08:30:00Z"), "OSCAL keeps UTC")
            }
        }
        for tz in ["Asia/Kolkata", "America/New_York"] {
            try succeed(["report", "--format", "csv", "-o", directory.file("csv-\(tz.replacingOccurrences(of: "/", with: "-"))")], tz: tz, environment: epoch)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.file("csv-Asia-Kolkata")).sorted()
        #expect(!files.isEmpty)
        for file in files {
            let kolkata = try Data(contentsOf: URL(fileURLWithPath: directory.file("csv-Asia-Kolkata/\(file)")))
            let newYork = try Data(contentsOf: URL(fileURLWithPath: directory.file("csv-America-New_York/\(file)")))
            #expect(kolkata == newYork, "\(file) depends on who generates it")
        }
    }

    @Test func theCreatorsZoneIsTheDefaultAndTheLeadChangesIt() throws {
        try succeed(["init", "--name", "Ada Lead"])
        try succeed(["engagement", "create", "--client", "Helix"], tz: "America/New_York")
        #expect(try succeed(["engagement", "show"], tz: "Asia/Kolkata").contains("America/New_York (UTC-0"))
        let set = try succeed(["engagement", "set", "--time-zone", "Asia/Tokyo"])
        #expect(set.contains("Asia/Tokyo (UTC+09:00)"), "\(set)")
        try succeed(["interview", "start", "--with", "Dr Priya Rao"])
        #expect(try succeed(["interview", "list"], tz: "Europe/London").contains("+09:00"))
        let log = try succeed(["log"])
        #expect(log.contains("timeZone") && log.contains("Asia/Tokyo"), "the change is a change record, shown in log:\n\(log)")
    }

    @Test func anUnknownZoneIsRefusedWithAHintAndNothingIsRecorded() throws {
        try succeed(["init", "--name", "Ada Lead"])
        let refused = try run(["engagement", "create", "--client", "Helix", "--time-zone", "berlin"])
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("'berlin' is not a time zone") && refused.stderr.contains("did you mean Europe/Berlin?"), "\(refused.stderr)")
        #expect(!(try succeed(["engagement", "list"]).contains("Helix")), "nothing was recorded")
        try succeed(["engagement", "create", "--client", "Helix", "--time-zone", "Europe/Berlin"])
        let set = try run(["engagement", "set", "--time-zone", "Mars/Olympus"])
        #expect(set.status == 65 && set.stderr.contains("IANA"), "\(set.stderr)")
        #expect(try succeed(["engagement", "show"]).contains("Europe/Berlin"))
    }
}
