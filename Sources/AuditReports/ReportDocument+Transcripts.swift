import AuditModel
import Foundation
import Replication

/// The last section, when commands were run as evidence (`evidence run`, `/run`): each run as a
/// transcript, `$ COMMAND` and its output, with where, when and how it ran.
extension ReportDocument.Builder {
    /// The evidence that is a command transcript, in the order captured.
    var runs: [(evidence: Evidence, run: Evidence.Run)] {
        content.evidence.compactMap { item in item.run.map { (item, $0) } }
    }

    var transcripts: [Block] {
        let runs = runs
        guard !runs.isEmpty else { return [] }
        return [
            .paragraph(
                "Commands an auditor ran, or saw run, at the auditee's terminal, each recorded as one evidence item: its combined output, "
                    + "byte for byte after any redaction, is the evidence file. Long output is cut here; the evidence keeps all of it."),
        ] + runs.map { item, run in
            var facts = [
                Fact("Evidence", "\(item.name) (\(item.id.short)), \(item.size) bytes stored, SHA-256 \(item.digest?.hex ?? "unknown")"),
                Fact("Directory", run.directory), Fact("Host", run.host),
                Fact("Started", content.preciseTime(run.startedAt)),
                Fact("Ended", "\(content.preciseTime(run.endedAt)) (\(Self.duration(run.endedAt - run.startedAt)))"),
                Fact("Outcome", run.outcome),
                Fact("Redaction", run.redactionNote ?? "none asked for"),
                Fact("Recorded by", item.capturedBy ?? "—"),
            ]
            if let note = run.truncationNote { facts.append(Fact("Output", note)) }
            if let description = item.description { facts.insert(Fact("Description", description), at: 0) }
            let transcript = content.context.transcripts[item.id]
                ?? Transcript(text: "$ " + run.commandLine + "\n(the output is not available to this report)", isExcerpt: true)
            return .subsection(id: "run-\(item.id.short)", title: "Run \(item.id.short): \(item.name)", blocks: [.facts(facts), .preformatted(transcript.text)])
        }
    }

    /// A duration in milliseconds as `1.234 s`.
    static func duration(_ milliseconds: Int64) -> String {
        String(format: "%.3f s", Double(milliseconds) / 1000)
    }
}
