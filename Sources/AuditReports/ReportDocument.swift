import AuditModel
import Replication

/// The Stage 2 audit report as a tree of sections and blocks: written once here, rendered to
/// Markdown by `MarkdownReport` and to print-ready HTML by `HTMLReport`.
///
/// The content follows what ISO 19011 §6.5.1 and ISO/IEC 17021-1 §9.4.8 expect of an audit
/// report. Anything a reader must not miss (open conflicts, changes after closing) comes first,
/// as alerts, before the numbered sections. Text may hold `code spans` in backticks; renderers
/// escape everything else.
struct ReportDocument: Sendable {
    /// One piece of a section.
    indirect enum Block: Sendable {
        case paragraph(String)
        /// Label and value pairs.
        case facts([Fact])
        /// A table; a cell may hold several lines.
        case table(header: [String], rows: [[String]])
        case list([String])
        /// A notice set apart so no reader misses it.
        case alert(title: String, blocks: [Block])
        /// A titled part of a section, one heading level down.
        case subsection(id: String?, title: String, blocks: [Block])
        /// Text shown as it is, in a fixed-width font, line for line (a command transcript);
        /// already escaped for display, so renderers only escape their own syntax.
        case preformatted(String)
    }

    /// A label and its value.
    struct Fact: Sendable {
        let label: String
        let value: String

        init(_ label: String, _ value: String) {
            self.label = label
            self.value = value
        }
    }

    /// A numbered section; in print, sections flow one after another.
    struct Section: Sendable {
        /// The anchor (`coverage`, `findings`).
        let id: String
        let title: String
        let blocks: [Block]
    }

    /// What a printed page repeats in its margins: which audit the page belongs to and how final
    /// the report is.
    struct RunningHeader: Sendable, Equatable {
        /// The client and the engagement: `Helix Diagnostics Ltd · Stage 2 audit 2026-12-01 to 2026-12-03 · engagement 1a2b3c4d`.
        let engagement: String
        /// The report's status in a few words: `DRAFT: engagement open`, `FINAL: closed 2026-12-03`.
        let status: String
        /// Whether the report is a draft (the engagement is not closed): every printed page says so.
        let isDraft: Bool
    }

    let title: String
    /// What comes before the sections: the report's identity, then any alerts.
    let front: [Block]
    let sections: [Section]
    /// What every printed page repeats.
    let runningHeader: RunningHeader

    /// The Stage 2 (or other audit type's) report of an engagement.
    init(_ content: ReportContent) {
        let builder = Builder(content: content)
        title = builder.title
        front = builder.front
        sections = builder.sections
        runningHeader = builder.runningHeader
    }
}

extension ReportDocument {
    /// A run of text: plain, or a `code span`.
    enum Span: Equatable, Sendable {
        case text(String)
        case code(String)
    }

    /// Splits text at backticks into plain runs and code spans; an unmatched backtick stays in the
    /// plain text.
    static func spans(_ text: String) -> [Span] {
        let pieces = text.split(separator: "`", omittingEmptySubsequences: false).map(String.init)
        let balanced = !pieces.count.isMultiple(of: 2)
        return pieces.enumerated().map { index, piece in
            if index.isMultiple(of: 2) { return .text(piece) }
            return balanced || index < pieces.count - 1 ? .code(piece) : .text("`" + piece)
        }
    }
}

extension ReportDocument {
    /// Writes the report's prose from the content, one section at a time. Each part of the report
    /// has its own file: `ReportDocument+Front.swift` (identity and alerts), `+Scope` (the audit,
    /// its scope and criteria), `+People`, `+Coverage`, `+Findings` (findings, auditee positions,
    /// EU AI Act), `+Closing` (sampling, conclusion, sign-off), `+Plan` (the audit plan, the signature and the
    /// closing's history), `+Transcripts` (commands run as evidence, a last section only when there are some).
    struct Builder {
        let content: ReportContent
        var record: EngagementRecord { content.record }
        var engagement: Engagement { record.engagement }
        typealias Block = ReportDocument.Block
        typealias Fact = ReportDocument.Fact

        var title: String { "\(engagement.auditType?.title ?? "Audit") report: \(engagement.client)" }

        func field(_ field: Engagement.Field, _ winner: String?) -> String? {
            content.text(of: engagement.id, field.rawValue, winner: winner)
        }

        /// The numbered sections, in the report's order.
        var sections: [ReportDocument.Section] {
            [
                .init(id: "audit", title: "The audit", blocks: audit),
                .init(id: "scope", title: "Scope", blocks: scope),
                .init(id: "criteria", title: "Criteria and Statement of Applicability", blocks: criteria),
                .init(id: "plan", title: "Audit plan", blocks: plan),
                .init(id: "people", title: "Audit team and auditee participants", blocks: people),
                .init(id: "coverage", title: "Coverage of the requirements", blocks: coverage),
                .init(id: "findings", title: "Findings", blocks: findings),
                .init(id: "corrective-actions", title: "Nonconformity register and corrective actions", blocks: correctiveActions),
                .init(id: "opinions", title: "Auditee positions and diverging opinions", blocks: opinions),
                .init(id: "eu-ai-act", title: "EU AI Act cross-reference", blocks: crossReference),
                .init(id: "sampling", title: "Sampling and limitations", blocks: sampling),
                .init(id: "conclusion", title: "Conclusion and recommendation", blocks: conclusion),
                .init(id: "sign-off", title: "Sign-off", blocks: signOff),
            ] + (transcripts.isEmpty ? [] : [.init(id: "transcripts", title: "Command transcripts", blocks: transcripts)])
                + (forkedOrigins.isEmpty ? [] : [.init(id: "forked-origins", title: "Forked origins", blocks: forkedOrigins)])
        }
    }
}

// MARK: - Words

extension ReportDocument.Builder {
    func signOffText(_ finding: Finding) -> String {
        record.signOffSummary(of: finding, time: content.time)
    }

    func systemNames(_ ids: [String]) -> String {
        ids.isEmpty ? "—" : ids.map { id in record.systems.first { $0.id.description == id }?.name ?? id }.joined(separator: ", ")
    }

    func count(_ number: Int, _ noun: String, plural: String? = nil) -> String {
        "\(number) " + (number == 1 ? noun : plural ?? (noun.hasSuffix("y") && !noun.hasSuffix("ey") ? String(noun.dropLast()) + "ies" : noun + "s"))
    }
}
