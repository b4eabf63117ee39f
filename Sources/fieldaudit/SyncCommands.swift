import ArgumentParser
import AuditStore
import BundleFormat
import FieldAudit
import Foundation
import Replication

extension FieldAuditCommand {
    /// `fieldaudit export`: a bundle for a peer, a USB stick or a pipe.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write a bundle of what a peer lacks: compressed, signed, optionally sealed.",
            discussion: """
                Without --since or --all, the peer's holdings come from the last bundle it sent (or \
                nothing is assumed). With --for, only engagements the peer is on the team of travel \
                in full; changes of others travel as hashes, so the peer's chains stay whole.
                """)
        @Option(name: .customLong("for"), help: "The peer: an identity card file or a replica id.") var peer: String?
        @Option(help: "A vector file the peer wrote with `fieldaudit vector`.") var since: String?
        @Flag(help: "Send everything, whatever the peer holds.") var all = false
        @Option(help: "Only this engagement.") var engagement: String?
        @Flag(help: "Seal the bundle so only the engagements' team members can read it.") var encrypt = false
        @Flag(help: "Leave evidence files out (a later bundle can bring them).") var noEvidence = false
        @Option(name: .shortAndLong, help: ArgumentHelp(
            "The bundle file; a directory to write it in under a name made of yours, the peer's and the date; or '-' for standard output.",
            valueName: "path"))
        var output: String
        @Flag(help: "Replace an existing bundle file.") var force = false
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if all && since != nil { throw ValidationError("--all and --since exclude each other.") }
        }

        func run() throws {
            let replica = try store.openReplica()
            var request = ExportRequest(encrypt: encrypt, includeEvidence: !noEvidence)
            var peerName: String?
            if let peer {
                let known = try Self.peer(peer)
                request.peer = known.id
                peerName = known.name
            }
            if let since {
                let file = try VectorFile.load(from: since)
                request.peerHolds = try file.versionVector(path: since)
                request.peer = request.peer ?? (try? ReplicaID(hex: file.replica))
            } else if !all, let known = request.peer {
                request.peerHolds = try replica.peerVector(of: known)
            }
            if let engagement { request.engagement = try replica.engagementID(engagement) }
            let destination = try OutputFile.resolve(
                output, defaultName: replica.defaultBundleName(peer: peerName ?? request.peer?.short), force: force,
                refusingTerminal: ("a bundle", "fieldaudit import -"))
            let progress = Progress(label: "exporting")
            let summary = try replica.export(request, to: destination, progress: progress.bytes)
            progress.finish()
            let message = "Exported \(summary.changes) changes"
                + (summary.withheld > 0 ? " (+\(summary.withheld) withheld as hashes)" : "")
                + ", \(summary.evidenceFiles) evidence files, \(summary.checkpoints) signed checkpoints: \(summary.bytes) bytes"
                + (summary.sealedFor > 0 ? ", sealed for \(summary.sealedFor) team members" : "")
                + (destination.path == nil ? "." : " in \(destination).")
            if destination.path == nil { Terminal.note(message) } else { Terminal.print(message) }
        }

        /// A peer's replica id, and its name when given as a card file.
        static func peer(_ text: String) throws -> (id: ReplicaID, name: String?) {
            if let id = try? ReplicaID(hex: text) { return (id, nil) }
            let card = try IdentityCard.load(from: text)
            return (ReplicaID(publicKey: try card.verifiedKey(path: text)), card.name)
        }

        /// A replica id from a card file or a hex id.
        static func peerID(_ text: String) throws -> ReplicaID {
            try peer(text).id
        }
    }

    /// `fieldaudit import`: bundles from peers, in any order.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import bundles, in any order; each is verified whole before anything of it is applied.")
        @Argument(help: "Bundle files, or '-' for standard input.") var files: [String]
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if files.isEmpty { throw ValidationError("name at least one bundle file.") }
        }

        func run() throws {
            let replica = try store.openReplica()
            var pending = try files.map { file -> (shown: String, path: String) in
                file == "-" ? ("standard input", try Self.spoolStandardInput()) : (file, file)
            }
            defer { for item in pending where item.shown == "standard input" { try? FileManager.default.removeItem(atPath: item.path) } }
            var summaries: [ImportSummary] = []
            // Bundles that continue a chain another one starts wait for it: any order works.
            while !pending.isEmpty {
                var waiting: [(shown: String, path: String)] = []
                var lastGap: FieldAuditError?
                for item in pending {
                    let progress = Progress(label: "importing \(item.shown)")
                    do {
                        var summary = try replica.importBundle(at: item.path) { progress.bytes(UInt64($0)) }
                        progress.finish()
                        summary.path = item.shown
                        summaries.append(summary)
                        if !json { Terminal.print(Self.describe(summary)) }
                    } catch FieldAuditError.bundleGap(let origin, let holds, let startsAt, _) {
                        progress.finish()
                        waiting.append(item)
                        lastGap = .bundleGap(origin: origin, holds: holds, startsAt: startsAt, path: item.shown)
                    } catch FieldAuditError.untrustedSigner(let exporter, _) {
                        // Another of these bundles may put its exporter on a team.
                        progress.finish()
                        waiting.append(item)
                        lastGap = .untrustedSigner(exporter, path: item.shown)
                    } catch FieldAuditError.untrustedFounder(let engagement, nil, _) {
                        // The engagement's founding changes may be in another of these bundles.
                        progress.finish()
                        waiting.append(item)
                        lastGap = .untrustedFounder(engagement: engagement, founder: nil, path: item.shown)
                    }
                }
                if waiting.count == pending.count, let lastGap { throw lastGap }
                pending = waiting
            }
            if json { try Terminal.printJSON(summaries) }
        }

        static func describe(_ summary: ImportSummary) -> String {
            var parts = ["\(summary.newChanges) new changes", "\(summary.knownChanges) already known"]
            if summary.withheld > 0 { parts.append("\(summary.withheld) withheld (other engagements)") }
            parts.append("\(summary.newEntities) new entities")
            parts.append("\(summary.newEvidence) new evidence files")
            if summary.newConflicts > 0 { parts.append("\(summary.newConflicts) new conflicts — see `fieldaudit conflicts`") }
            if summary.flaggedStamps > 0 { parts.append("\(summary.flaggedStamps) changes stamped far in the future (flagged)") }
            return "\(summary.path) from \(summary.exporter.prefix(8)): " + parts.joined(separator: ", ")
        }

        /// Copies standard input to a temporary file: an import reads a bundle more than once.
        static func spoolStandardInput() throws -> String {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("fieldaudit-stdin-\(UUID().uuidString).fabundle").path
            guard FileManager.default.createFile(atPath: path, contents: nil), let output = FileHandle(forWritingAtPath: path) else {
                throw FieldAuditError.io(path: path, reason: "cannot spool standard input")
            }
            defer { try? output.close() }
            while let data = try FileHandle.standardInput.read(upToCount: 1 << 20), !data.isEmpty {
                try output.write(contentsOf: data)
            }
            return path
        }
    }

    /// `fieldaudit vector`: this replica's holdings, for a peer to export against.
    struct Vector: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "vector", abstract: "Write this replica's version vector, for a peer's `export --since`.")
        @Option(name: .shortAndLong, help: "The file, or '-' for standard output.") var output: String = "-"
        @OptionGroup var store: StoreOptions

        func run() throws {
            let data = try store.openReplica().vectorFile().encoded()
            if output == "-" { return FileHandle.standardOutput.write(data) }
            guard FileManager.default.createFile(atPath: output, contents: data) else {
                throw FieldAuditError.io(path: output, reason: "the file cannot be created")
            }
            Terminal.print("Wrote this replica's version vector to \(output).")
        }
    }

    /// `fieldaudit trust`: accept a key before any roster names it.
    struct Trust: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trust",
            abstract: "Trust an identity card's key: its bundles, and the engagements it founds, are accepted.",
            discussion: "Compare the fingerprint with its owner (in person or by phone) before you trust it.")
        @Argument(help: "The identity card file.") var card: String
        @OptionGroup var store: StoreOptions

        func run() throws {
            let identity = try IdentityCard.load(from: card)
            let replica = try store.openReplica().trust(identity)
            Terminal.print("Trusted \(identity.name) (\(replica.short), \(identity.fingerprint)).")
        }
    }

    /// `fieldaudit bundle`: look inside bundles.
    struct BundleCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bundle", abstract: "Inspect bundle files without importing them.", subcommands: [Inspect.self])
    }
}
