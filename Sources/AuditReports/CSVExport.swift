import AuditModel
import Replication

/// The engagement's tables as CSV files for spreadsheets: findings, tests, interviews, evidence,
/// coverage and the audit plan, one file each.
///
/// RFC 4180: fields with a comma, a quote or a line break are quoted and their quotes doubled;
/// records end with CRLF; the first record is the header. Fields a spreadsheet would evaluate as
/// formulas are neutralised with a leading single quote (see `field(_:)`). Text is UTF-8 without a byte-order
/// mark. The columns and their order are stable: new columns are only ever appended. A field in
/// conflict holds every value (see `ReportContent.text(of:_:winner:)`), and each table of
/// entities says in its `conflicts` column which fields are in conflict and in its `late` column
/// whether a change after closing touched the row (`yes` while it awaits the lead's decision,
/// `rejected` once the lead rejected it).
public enum CSVExport {
    /// The file names, in the order `tables` lists them.
    public static let fileNames = [
        "findings.csv", "tests.csv", "interviews.csv", "evidence.csv", "coverage.csv", "nonconformities.csv", "plan.csv",
    ]

    /// Every table of an engagement, by file name.
    public static func tables(_ record: EngagementRecord, context: ReportContext) -> [String: String] {
        let content = ReportContent(record: record, context: context)
        return [
            "findings.csv": findings(content), "tests.csv": tests(content), "interviews.csv": interviews(content),
            "evidence.csv": evidence(content), "coverage.csv": coverage(content), "nonconformities.csv": nonconformities(content),
            "plan.csv": plan(content),
        ]
    }

    /// One finding per row, in report order.
    static func findings(_ content: ReportContent) -> String {
        typealias F = Finding.Field
        let header = [
            "id", "label", "grade", "refs", "statement", "objective_evidence", "evidence_files", "evidence_sha256", "ai_systems",
            "discussed", "auditee_position", "status", "raised_by", "signed_off_by", "signed_off_at", "eu_ai_act", "conflicts", "late",
            "number", "grade_justification", "sign_off", "merged_from",
        ]
        let rows = content.findings.map { finding -> [String] in
            let files = content.evidence(citedBy: finding).map(\.evidence)
            let text = { (field: F, winner: String?) in content.text(of: finding.id, field.rawValue, winner: winner) ?? "" }
            return [
                finding.id.description, content.labels[finding.id] ?? "", text(.grade, finding.grade?.rawValue),
                text(.refs, finding.refs.map(content.shown).joined(separator: "; ")), text(.statement, finding.statement),
                text(.objectiveEvidence, finding.objectiveEvidence), files.map(\.name).joined(separator: "; "),
                files.map { $0.digest?.hex ?? "" }.joined(separator: "; "),
                text(.systems, finding.systems.map { id in content.record.systems.first { $0.id.description == id }?.name ?? id }.joined(separator: "; ")),
                text(.discussed, finding.discussed ? "yes" : "no"), text(.auditeePosition, finding.auditeePosition), text(.status, finding.status.rawValue),
                finding.contributors.joined(separator: "; "), content.signer(of: finding) ?? "", finding.signedOffAt.map(content.time) ?? "",
                Array(Set(finding.refs.flatMap { content.record.catalog.crossReferences(of: $0) }.map { "\($0.framework) \($0.article)" })).sorted()
                    .joined(separator: "; "),
                finding.conflicts.joined(separator: "; "), content.lateMark(finding.id),
                content.record.nonconformityLabel(of: finding.id) ?? "", text(.gradeJustification, finding.gradeJustification),
                content.record.signOffSummary(of: finding, time: content.time),
                content.mergeLines(of: finding).joined(separator: "; "),
            ]
        }
        return table(header, rows)
    }

    /// One row per corrective action of each major or minor nonconformity (one row with empty
    /// action columns for a nonconformity without a plan), in report order: the nonconformity
    /// register with its corrective-action plan, deadline and verification.
    static func nonconformities(_ content: ReportContent) -> String {
        typealias F = Finding.Field
        let header = [
            "number", "finding_id", "grade", "refs", "grade_justification", "deadline", "state", "overdue", "correction", "root_cause",
            "action_id", "action", "owner", "due", "done_on", "implementation", "action_overdue", "implementation_evidence",
            "verification", "verified_by", "verified_at", "verification_reason", "sign_off",
        ]
        var rows: [[String]] = []
        for item in content.followUps {
            let finding = item.finding
            let text = { (field: F, winner: String?) in content.text(of: finding.id, field.rawValue, winner: winner) ?? "" }
            let verification = finding.verification
            let common = [
                content.labels[finding.id] ?? "", finding.id.description, text(.grade, finding.grade?.rawValue), text(.refs, finding.refs.map(content.shown).joined(separator: "; ")),
                text(.gradeJustification, finding.gradeJustification), item.deadline ?? "", item.state.rawValue, item.isOverdue ? "yes" : "no",
                text(.correction, finding.correction), text(.rootCause, finding.rootCause),
            ]
            let verified = [
                item.verificationDisputed ? text(.verification, nil) : verification?.outcome.rawValue ?? "",
                verification.map { (try? ReplicaID(hex: $0.by)).map(content.record.memberName) ?? $0.by } ?? "",
                verification.map { content.time($0.at) } ?? "", verification?.reason ?? "",
                content.record.signOffSummary(of: finding, time: content.time),
            ]
            if item.actions.isEmpty { rows.append(common + Array(repeating: "", count: 8) + verified) }
            for action in item.actions {
                let files = content.record.evidence(linkedTo: action.id.description)
                rows.append(common + [
                    action.id.description, action.action, action.owner, action.dueDate, action.doneOn ?? "", action.implementation ?? "",
                    item.overdueActions.contains { $0.id == action.id } ? "yes" : "no",
                    files.map { "\($0.name) sha256:\($0.digest?.hex ?? "")" }.joined(separator: "; "),
                ] + verified)
            }
        }
        return table(header, rows)
    }

    /// One test per row, in the order recorded.
    static func tests(_ content: ReportContent) -> String {
        typealias F = ControlTest.Field
        let header = [
            "id", "ref", "method", "sample", "sample_size", "population", "ai_systems", "result", "conclusion", "tester", "conflicts", "late",
        ]
        let rows = content.record.tests.map { test -> [String] in
            let text = { (field: F, winner: String?) in content.text(of: test.id, field.rawValue, winner: winner) ?? "" }
            return [
                test.id.description, text(.ref, test.refs.map(content.shown).joined(separator: "; ")), text(.method, test.method?.rawValue), text(.sample, test.sample),
                text(.sampleSize, test.sampleSize.map(String.init)), text(.population, test.population.map(String.init)),
                text(.systems, test.systems.map { id in content.record.systems.first { $0.id.description == id }?.name ?? id }.joined(separator: "; ")),
                text(.result, test.result?.rawValue), text(.conclusion, test.conclusion), test.tester ?? "",
                test.conflicts.joined(separator: "; "), content.lateMark(test.id),
            ]
        }
        return table(header, rows)
    }

    /// One interview per row, by start time, with its notes.
    static func interviews(_ content: ReportContent) -> String {
        typealias F = Interview.Field
        let header = ["id", "interviewee", "role", "started_at", "ended_at", "auditors", "topics", "notes", "conflicts", "late"]
        let rows = content.interviews.map { interview -> [String] in
            let text = { (field: F, winner: String?) in content.text(of: interview.id, field.rawValue, winner: winner) ?? "" }
            let notes = content.record.notes.filter { $0.interview == interview.id }.sorted { ($0.at ?? 0, $0.id) < ($1.at ?? 0, $1.id) }
            return [
                interview.id.description, text(.interviewee, interview.interviewee), text(.role, interview.role),
                text(.startedAt, interview.startedAt.map(content.time)), text(.endedAt, interview.endedAt.map(content.time)),
                text(.auditors, interview.auditors.joined(separator: "; ")), text(.topics, interview.topics.map(content.shown).joined(separator: "; ")),
                notes.map { ($0.ref.map { "[\(content.shown($0))] " } ?? "") + $0.text }.joined(separator: "\n"),
                interview.conflicts.joined(separator: "; "), content.lateMark(interview.id),
            ]
        }
        return table(header, rows)
    }

    /// One evidence file per row, in the order captured, with what it is linked to.
    static func evidence(_ content: ReportContent) -> String {
        let header = [
            "id", "name", "sha256", "size", "media_type", "description", "captured_by", "captured_at", "linked_to", "held", "late",
            "command", "directory", "host", "started_at", "ended_at", "outcome", "redaction", "output_cut", "evidence_set",
        ]
        let rows = content.evidence.map { item -> [String] in
            let targets = content.record.links.filter { $0.evidence == item.id }.map { link in
                link.targetKind == "requirement" ? link.target
                    : (try? EntityID(link.target)).map { content.subject(kind: link.targetKind, id: $0) } ?? link.target
            }
            return [
                item.id.description, item.name, item.digest?.hex ?? "", String(item.size), item.mediaType ?? "", item.description ?? "",
                item.capturedBy ?? "", item.capturedAt.map(content.time) ?? "", targets.sorted().joined(separator: "; "),
                item.digest.map { content.context.missingEvidence.contains($0) ? "no" : "yes" } ?? "no",
                content.lateMark(item.id),
                item.run?.commandLine ?? "", item.run?.directory ?? "", item.run?.host ?? "",
                item.run.map { content.preciseTime($0.startedAt) } ?? "",
                item.run.map { content.preciseTime($0.endedAt) } ?? "", item.run?.outcome ?? "",
                item.run?.redactionNote ?? "", item.run?.truncationNote ?? "", item.set?.description ?? "",
            ]
        }
        return table(header, rows)
    }

    /// One requirement per row, in catalog order: every clause and every control. `result` is the
    /// conclusion, or `examined` / `not-examined` when none was recorded (`Coverage.Row.result`);
    /// `examined` lists what was examined, in words. In an integrated audit a first column,
    /// `standard`, holds the standard's prefix, and each standard's requirements follow the
    /// previous one's; with a mapping set recorded, a last column, `mapped_evidence`, what other
    /// standards' examined requirements mapped to it say (never counted in `result`).
    static func coverage(_ content: ReportContent) -> String {
        let standards = content.record.standards
        let header = (standards.isIntegrated ? ["standard"] : []) + [
            "ref", "kind", "title", "applicable", "conforming_tests", "nonconforming_tests", "other_tests", "major", "minor", "ofi",
            "observation", "good_practice", "notes", "result", "worked_on_by", "interviews", "evidence", "examined",
        ] + (standards.mappingSets.isEmpty ? [] : ["mapped_evidence"])
        let rows = content.coverages.flatMap { coverage in coverage.rows.map { row -> [String] in
            let other = row.tests.filter { $0.key != .conforming && $0.key != .nonconforming }.values.reduce(0, +)
            let standard: [String] = standards.isIntegrated ? [standards.prefixes[coverage.standard]] : []
            let cells: [String] = [
                row.ref, row.kind.rawValue, row.title, row.applicable.map { $0 ? "yes" : "no" } ?? "",
                String(row.tests[.conforming] ?? 0), String(row.tests[.nonconforming] ?? 0), String(other),
                String(row.findings[.major] ?? 0), String(row.findings[.minor] ?? 0), String(row.findings[.ofi] ?? 0),
                String(row.findings[.observation] ?? 0), String(row.findings[.goodPractice] ?? 0), String(row.notes),
                row.result, row.workedOnBy.joined(separator: "; "), String(row.interviews), String(row.evidence), row.examined,
            ]
            let mapped: [String] = standards.mappingSets.isEmpty ? [] : [row.mapped.map(\.description).joined(separator: "; ")]
            return standard + cells + mapped
        } }
        return table(header, rows)
    }

    /// One line of the audit plan per row, in plan order (sessions and meetings by day and time,
    /// then Stage 1 points), then one row per engagement-level plan fact (`kind` = `engagement`).
    static func plan(_ content: ReportContent) -> String {
        typealias F = PlanItem.Field
        let header = [
            "id", "kind", "date", "start", "end", "place", "remote", "function", "refs", "auditors", "attendees", "point", "follow_up", "conflicts", "late",
        ]
        var rows = content.record.planItems.sorted(by: PlanItem.planOrder).map { item -> [String] in
            let text = { (field: F, winner: String?) in content.text(of: item.id, field.rawValue, winner: winner) ?? "" }
            return [
                item.id.description, text(.type, item.kind?.rawValue), text(.date, item.date), text(.start, item.start), text(.end, item.end),
                text(.place, item.place), item.remote ? "yes" : "", text(.function, item.function), text(.refs, item.refs.map(content.shown).joined(separator: "; ")),
                text(.auditors, item.auditors.joined(separator: "; ")), text(.attendees, item.attendees.joined(separator: "; ")),
                text(.point, item.point), text(.followUp, item.followUp), item.conflicts.joined(separator: "; "),
                content.lateMark(item.id),
            ]
        }
        let engagement = content.record.engagement
        let surveillance = engagement.surveillanceDate.map { [(label: "Surveillance date", field: Engagement.Field.surveillanceDate, value: $0)] } ?? []
        for (label, field, winner) in engagement.planFacts + surveillance {
            guard let value = content.text(of: engagement.id, field.rawValue, winner: winner) else { continue }
            rows.append([engagement.id.description, "engagement", "", "", "", "", "", label.lowercased(), "", "", "", value, "", "", ""])
        }
        return table(header, rows)
    }

    /// A header and rows as RFC 4180 CSV text, CRLF after every record.
    public static func table(_ header: [String], _ rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }

    /// One field, quoted when it holds a comma, a quote, a line break, or leading or trailing
    /// space, and neutralised when a spreadsheet would evaluate it (OWASP's rule for CSV
    /// injection): a field beginning with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
    /// single quote before it, and is quoted. A field that is only a number (`-5`, `+2.5`) is left
    /// as it is: a spreadsheet reads it as that number and nothing else.
    public static func field(_ text: String) -> String {
        let neutralised = isFormula(text) ? "'" + text : text
        let needsQuotes = neutralised != text
            || text.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
            || text.first?.isWhitespace == true || text.last?.isWhitespace == true
        return needsQuotes ? "\"" + neutralised.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : neutralised
    }

    /// Whether a spreadsheet would take `text` for a formula: it begins with `=`, `+`, `-`, `@`,
    /// a tab or a carriage return, and is not just a decimal number.
    static func isFormula(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return false }
        return text.wholeMatch(of: /[+-]?[0-9]+(\.[0-9]+)?/) == nil
    }
}
