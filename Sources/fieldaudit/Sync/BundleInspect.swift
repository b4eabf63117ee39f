import ArgumentParser
import BundleFormat
import FieldAudit
import Foundation
import Replication

extension FieldAuditCommand.BundleCommand {
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect",
            abstract: "Show a bundle's header, exporter, origins and seq ranges, counts, and whether its digest and signature hold.")
        @Argument(help: "The bundle file.") var file: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var store: StoreOptions

        struct View: Encodable {
            struct Origin: Encodable { var origin: String; var after: UInt64; var through: UInt64; var changes: Int; var withheld: Int; var checkpoint: UInt64? }
            var file: String
            var formatVersion: Int
            var exporter: String
            var createdAt: UInt64
            var engagements: [String]
            var capabilities: [String]
            var sealed: Bool
            var sealedFor: Int
            var includesEvidence: Bool
            var origins: [Origin]
            var changes: Int
            var withheld: Int
            var checkpoints: Int
            var evidenceFiles: Int
            var evidenceBytes: UInt64
            var bytes: UInt64?
            var digest: String?
            /// "valid", or what is wrong.
            var integrity: String
        }

        func run() throws {
            let handle = try InputFile.open(file)
            defer { try? handle.close() }
            let agreement = (try? store.openReplica()).map { AgreementKey.derive(from: $0.identity) }
            let reader: BundleReader<FileHandleSource>
            do { reader = try BundleReader(source: FileHandleSource(handle), agreementKey: agreement) } catch {
                throw FieldAuditError.bundle(error, path: file)
            }
            let header = reader.header
            var origins = Dictionary(uniqueKeysWithValues: header.ranges.map {
                ($0.origin, View.Origin(origin: $0.origin.hex, after: $0.after, through: $0.through, changes: 0, withheld: 0, checkpoint: nil))
            })
            var view = View(
                file: file, formatVersion: Int(BundleLayout.formatVersion), exporter: header.exporter.hex, createdAt: header.createdAt,
                engagements: header.engagements.map(\.description), capabilities: header.capabilities.map(\.description),
                sealed: header.isSealed, sealedFor: header.seal?.recipients.count ?? 0, includesEvidence: header.includesEvidence,
                origins: [], changes: 0, withheld: 0, checkpoints: 0, evidenceFiles: 0, evidenceBytes: 0, integrity: "valid")
            var evidence = Set<BlobDigest>()
            do {
                while let record = try reader.next() {
                    switch record {
                    case let .change(change):
                        view.changes += 1
                        origins[change.origin]?.changes += 1
                    case let .redacted(id, _):
                        view.withheld += 1
                        origins[id.origin]?.withheld += 1
                    case let .checkpoint(checkpoint):
                        view.checkpoints += 1
                        origins[checkpoint.origin]?.checkpoint = checkpoint.seq
                    case let .blobChunk(chunk):
                        evidence.insert(chunk.digest)
                        view.evidenceBytes += UInt64(chunk.bytes.count)
                    }
                }
                view.bytes = reader.summary?.byteCount
                view.digest = reader.summary.map { Hex.encode($0.digest) }
            } catch {
                view.integrity = "\(error)"
            }
            view.evidenceFiles = evidence.count
            view.origins = header.ranges.compactMap { origins[$0.origin] }
            if json { return try Terminal.printJSON(view) }
            Terminal.print(Terminal.table([
                ("bundle", "\(file), format version \(view.formatVersion)\(view.bytes.map { ", \($0) bytes" } ?? "")"),
                ("exporter", view.exporter), ("created", Terminal.time(Int64(view.createdAt))),
                ("engagements", view.engagements.joined(separator: ", ")),
                ("sealed", view.sealed ? "yes, for \(view.sealedFor) recipients" : "no"),
                ("contents", "\(view.changes) changes, \(view.withheld) withheld, \(view.checkpoints) checkpoints, \(view.evidenceFiles) evidence files (\(view.evidenceBytes) bytes)"),
                ("integrity", view.integrity == "valid" ? "digest and exporter signature valid\(view.digest.map { " (sha256 \($0.prefix(16))…)" } ?? "")" : view.integrity),
            ]))
            Terminal.print(Terminal.columns(
                ["origin", "seqs", "changes", "withheld", "signed up to"],
                view.origins.map { ["\($0.origin.prefix(8))", "\($0.after + 1)…\($0.through)", String($0.changes), String($0.withheld), $0.checkpoint.map(String.init) ?? "—"] }))
            if view.integrity != "valid" { throw ExitCode(ExitStatus.checkFailed.rawValue) }
        }
    }
}
