import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit verify`: checks every hash chain and the state against the log.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the store: hash chains, and the state rebuilt from the log.",
            discussion: """
                Re-derives every origin's hash chain, rebuilds the state in a scratch copy and compares \
                digests. Prints the state digest; replicas holding the same changes print the same one. \
                Exits with status 1 if anything is wrong, naming each change, entity and field involved. \
                Scratch files that a killed command left in the blob folder are listed as a warning \
                (status 0): they are not part of the audit, and the next writing command removes them.
                """)

        @Flag(help: "Print JSON.")
        var json = false

        @OptionGroup var options: StoreOptions

        struct Output: Encodable {
            var ok: Bool
            var digest: String
            var rebuiltDigest: String?
            var changes: Int
            var origins: Int
            var evidenceChecked: Int
            var evidenceMissing: Int
            var problems: [String]
            var abandonedScratch: [Verification.AbandonedScratch]
            var forkedOrigins: [ForkNotice] = []
        }

        func run() throws {
            let progress = Progress(label: "verifying", unit: .changes)
            let report: Verification
            do {
                defer { progress.finish() }
                report = try options.openReplica().verify { progress.update($0, label: "verifying") }
            }
            let output = Output(
                ok: report.isSound, digest: report.digest.hex, rebuiltDigest: report.rebuiltDigest?.hex,
                changes: report.changeCount, origins: report.originCount, evidenceChecked: report.evidenceChecked,
                evidenceMissing: report.evidenceMissing, problems: report.problems,
                abandonedScratch: report.abandonedScratch, forkedOrigins: report.forkedOrigins)
            if json {
                try Terminal.printJSON(output)
            } else {
                Terminal.print(Terminal.table([
                    ("digest", output.digest),
                    ("changes", "\(output.changes) from \(output.origins) replica\(output.origins == 1 ? "" : "s")"),
                    ("evidence", "\(output.evidenceChecked) files hash-checked" + (output.evidenceMissing > 0 ? ", \(output.evidenceMissing) not received yet" : "")),
                ]))
                if report.isSound {
                    Terminal.print("ok: every hash chain holds, the state rebuilt from the log matches, and every evidence file held matches its hash")
                } else {
                    Terminal.print("\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s"):")
                    for problem in output.problems { Terminal.print("  - \(problem)") }
                }
                if !report.abandonedScratch.isEmpty { Terminal.print(Self.describe(report.abandonedScratch)) }
                for fork in report.forkedOrigins { Terminal.print("warning: \(fork)") }
            }
            if !report.isSound { throw ExitCode(ExitStatus.checkFailed.rawValue) }
        }

        /// The warning about scratch that killed commands left: what it is, and what removes it.
        static func describe(_ scratch: [Verification.AbandonedScratch]) -> String {
            let bytes = scratch.reduce(0) { $0 + $1.bytes }
            return "warning: \(scratch.count) scratch file\(scratch.count == 1 ? "" : "s") (\(bytes) bytes) left in the blob folder by "
                + "killed fieldaudit commands. \(scratch.count == 1 ? "It is" : "They are") not part of the audit and no evidence is damaged; "
                + "the next writing command (note, evidence add, import, …) removes \(scratch.count == 1 ? "it" : "them"):\n"
                + scratch.map { "  - \($0.path) (process \($0.pid), \($0.bytes) bytes)" }.joined(separator: "\n")
        }
    }
}
