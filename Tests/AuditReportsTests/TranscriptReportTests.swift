import AuditModel
@testable import AuditReports
import Foundation
import Replication
import TestSupport
import Testing

/// A command run as evidence (`evidence run`) in every report format: a transcript with where,
/// when and how it ran, and its output escaped by the replica before it reaches the report.
struct TranscriptReportTests {
    /// The Stage 2 day with one run of `kubectl` whose output had a secret masked, as its replica
    /// shows it (escaped already: `\e` for ESC).
    func dayWithARun() -> (record: EngagementRecord, context: ReportContext, run: EntityID) {
        var (builder, _, _) = RecordBuilder.stage2Day()
        let id = builder.id(10, minutes: 30)
        let run = Evidence.Run(
            argv: ["kubectl", "get", "configmap", "logging", "-o", "yaml"], directory: "/home/ada/helix", host: "ada-laptop",
            startedAt: builder.at(30) + 123, endedAt: builder.at(30) + 1_579, exitStatus: 0, signal: nil, timedOut: false,
            truncated: true, outputBytes: 20_000, outputLimit: 16_384, redactions: [.init(pattern: "token: \\S+", matches: 2)])
        var fields: [String: Value] = [
            "digest": .blob(try! BlobDigest(hex: String(repeating: "cd", count: 32))), "name": .text("kubectl.transcript"),
            "size": .integer(16_384), "mediaType": .text("text/plain; charset=utf-8"), "capturedBy": .text("Ada Lead"),
            "capturedAt": .integer(run.startedAt), "description": .text("Logging config shown by the platform lead"),
        ]
        for (field, value) in run.writes { fields[field] = value }
        builder.put(.evidence, id, fields)
        var context = builder.context()
        context.transcripts[id] = Transcript(
            text: "$ kubectl get configmap logging -o yaml\nretention_days: 7\ntoken: [REDACTED]\n\\e[31m<b>warn</b>\\e[0m\n… (the first 4 lines shown of 16384 bytes)",
            isExcerpt: true)
        return (builder.record, context, id)
    }

    @Test func theMarkdownReportEndsWithTheRunAsATranscriptMatchingItsGoldenFile() throws {
        let (record, context, _) = dayWithARun()
        let markdown = MarkdownReport.render(record, context: context)
        // The last section, whatever its number.
        let section = try #require(markdown.firstMatch(of: /## \d+\. Command transcripts/)?.range)
        try assertSnapshot(String(markdown[section.lowerBound...]), named: "transcripts.md", in: "AuditReportsTests")
        #expect(markdown.contains("- **Started:** 2026-11-18 11:36:40.123 UTC"), "a run's times to the millisecond, in the engagement's zone")
        #expect(markdown.contains("- **Outcome:** exit status 0"))
        #expect(markdown.contains("2 matches of token: \\\\S+ masked"))
        #expect(markdown.contains("output cut at the limit: the first 16384 of 20000 bytes were stored"))
        #expect(!markdown.contains("\u{1B}"))
    }

    @Test func aReportInTheSitesZoneWritesEveryTimeThereWithTheZoneAndOSCALKeepsUTC() throws {
        let (record, utc, _) = dayWithARun()
        var context = utc
        context.timeZone = TimeZone(identifier: "Europe/Berlin")!
        let markdown = MarkdownReport.render(record, context: context)
        #expect(markdown.contains("- **Started:** 2026-11-18 12:36:40.123 +01:00"))
        #expect(markdown.contains("Europe/Berlin (UTC+01:00)"))
        #expect(!markdown.contains(" UTC by"), "the generated time too is the site's")
        let csv = try #require(CSVExport.tables(record, context: context)["evidence.csv"])
        #expect(csv.contains(",2026-11-18 12:36:40.123 +01:00,2026-11-18 12:36:41.579 +01:00,"))
        let oscal = String(decoding: try OSCALAssessmentResults.document(record, context: context), as: UTF8.self)
        #expect(oscal.contains("2026-11-18T11:36:40.123Z"))
        #expect(oscal.firstMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d/) == nil, "OSCAL's times are RFC 3339 in UTC")
    }

    @Test func aReportWithoutRunsHasNoTranscriptSection() {
        let (builder, _, _) = RecordBuilder.stage2Day()
        #expect(!MarkdownReport.render(builder.record, context: builder.context()).contains("Command transcripts"))
        #expect(!HTMLReport.render(builder.record, context: builder.context()).contains("transcript"))
    }

    @Test func theHTMLReportShowsTheTranscriptPreformattedWithMarkupEscaped() {
        let (record, context, id) = dayWithARun()
        let html = HTMLReport.render(record, context: context)
        #expect(html.contains("<a href=\"#transcripts\">Command transcripts</a>"))
        #expect(html.contains("id=\"run-\(id.short)\""))
        #expect(html.contains("$ kubectl get configmap logging -o yaml\nretention_days: 7\ntoken: [REDACTED]\n\\e[31m&lt;b&gt;warn&lt;/b&gt;\\e[0m"))
        #expect(!html.contains("<b>warn"))
    }

    @Test func theCSVAndOSCALDescribeTheRunBesideTheFile() throws {
        let (record, context, _) = dayWithARun()
        let evidence = try #require(CSVExport.tables(record, context: context)["evidence.csv"])
        let lines = evidence.components(separatedBy: "\r\n")
        #expect(lines[0].hasSuffix(",command,directory,host,started_at,ended_at,outcome,redaction,output_cut,evidence_set"))
        let row = try #require(lines.first { $0.contains("kubectl.transcript") })
        #expect(row.contains(",kubectl get configmap logging -o yaml,/home/ada/helix,ada-laptop,2026-11-18 11:36:40.123 UTC,2026-11-18 11:36:41.579 UTC,exit status 0,"))
        let oscal = try #require(
            JSONSerialization.jsonObject(with: OSCALAssessmentResults.document(record, context: context)) as? [String: Any])
        let resources = try #require(((oscal["assessment-results"] as? [String: Any])?["back-matter"] as? [String: Any])?["resources"] as? [[String: Any]])
        let resource = try #require(resources.first { $0["title"] as? String == "kubectl.transcript" })
        let props = Dictionary(uniqueKeysWithValues: (resource["props"] as? [[String: String]] ?? []).compactMap { prop in
            prop["name"].map { ($0, prop["value"] ?? "") }
        })
        #expect(props["command"] == "kubectl get configmap logging -o yaml")
        #expect(props["host"] == "ada-laptop" && props["started"] == "2026-11-18T11:36:40.123Z" && props["outcome"] == "exit status 0")
    }
}
