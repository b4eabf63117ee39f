import ArgumentParser
import FieldAudit

extension FieldAuditCommand.BundleCommand {
    /// `fieldaudit bundle inspect`: what a bundle holds, without importing it.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect",
            abstract: "Show a bundle's header, exporter, origins and seq ranges, counts, and whether its digest and signature hold.")
        @Argument(help: "The bundle file.") var file: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var store: StoreOptions

        func run() throws {
            let view = try BundleInspection(file: file, readingAs: try? store.openReplica())
            if json { return try Terminal.printJSON(view) }
            let recipient = view.recipientCheckpoint.map { [("for", "replica \($0.origin.prefix(8)), whose own history the exporter holds up to seq \($0.seq)")] } ?? []
            Terminal.print(Terminal.table([
                ("bundle", "\(file), format version \(view.formatVersion)\(view.bytes.map { ", \($0) bytes" } ?? "")"),
                ("exporter", view.exporter), ("created", Terminal.time(Int64(view.createdAt), in: .local)),
                ("engagements", view.engagements.joined(separator: ", ")),
            ] + recipient + [
                ("sealed", view.sealed ? "yes, for \(view.sealedFor) recipients" : "no"),
                ("contents", "\(view.changes) changes, \(view.withheld) withheld, \(view.checkpoints) checkpoints, \(view.evidenceFiles) evidence files (\(view.evidenceBytes) bytes)"),
                ("integrity", view.isValid ? "digest and exporter signature valid\(view.digest.map { " (sha256 \($0.prefix(16))…)" } ?? "")" : view.integrity),
            ]))
            Terminal.print(Terminal.columns(
                ["origin", "seqs", "changes", "withheld", "signed up to"],
                view.origins.map { ["\($0.origin.prefix(8))", "\($0.after + 1)…\($0.through)", String($0.changes), String($0.withheld), $0.checkpoint.map(String.init) ?? "—"] }))
            if !view.isValid { throw ExitCode(ExitStatus.checkFailed.rawValue) }
        }
    }
}
