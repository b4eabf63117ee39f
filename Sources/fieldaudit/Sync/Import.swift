import ArgumentParser
import FieldAudit
import Foundation

extension FieldAuditCommand {
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
            var spooled: [String] = []
            defer { for path in spooled { try? FileManager.default.removeItem(atPath: path) } }
            let pending = try files.map { file -> (shown: String, path: String) in
                guard file == "-" else { return (file, file) }
                let path = try InputFile.spoolStandardInput()
                spooled.append(path)
                return ("standard input", path)
            }
            let summaries = try Self.importAll(pending, into: replica, printing: !json)
            if json { try Terminal.printJSON(summaries) }
            if let adopted = try replica.adoptSoleEngagement() {
                Terminal.note("Engagement \(adopted.id.short) (\(Terminal.shown(adopted.client))) is now current: it is the only one here.")
            }
        }

        /// Imports bundles in any order: one that continues a chain another starts, or whose
        /// exporter or founder another one brings, waits for it; fails with the last such reason
        /// when no bundle of those left can be imported.
        static func importAll(_ items: [(shown: String, path: String)], into replica: Replica, printing: Bool) throws -> [ImportSummary] {
            var pending = items
            var summaries: [ImportSummary] = []
            // Bundles that continue a chain another one starts wait for it: any order works.
            while !pending.isEmpty {
                var waiting: [(shown: String, path: String)] = []
                var lastGap: FieldAuditError?
                for item in pending {
                    let progress = Progress(label: "importing \(item.shown)", total: Progress.size(of: item.path))
                    defer { progress.finish() }
                    do {
                        var summary = try replica.importBundle(at: item.path) { progress.bytes(UInt64($0)) }
                        progress.finish()
                        summary.path = item.shown
                        summaries.append(summary)
                        if printing { Terminal.print(Self.describe(summary)) }
                        if let behind = summary.behindOwnHistory { Terminal.note(behind) }
                    } catch FieldAuditError.bundleGap(let origin, let holds, let startsAt, _) {
                        progress.finish()
                        waiting.append(item)
                        lastGap = .bundleGap(origin: origin, holds: holds, startsAt: startsAt, path: item.shown)
                    } catch FieldAuditError.untrustedSigner(let exporter, _) {
                        // Another of these bundles may put its exporter on a team.
                        progress.finish()
                        waiting.append(item)
                        lastGap = .untrustedSigner(exporter, path: item.shown)
                    } catch FieldAuditError.unauthorized(let refusal, _) {
                        // Another of these bundles may carry the founding lead's change to the team.
                        progress.finish()
                        waiting.append(item)
                        lastGap = .unauthorized(refusal, path: item.shown)
                    } catch FieldAuditError.untrustedFounder(let engagement, nil, _) {
                        // The engagement's founding changes may be in another of these bundles.
                        progress.finish()
                        waiting.append(item)
                        lastGap = .untrustedFounder(engagement: engagement, founder: nil, path: item.shown)
                    } catch {
                        // Refused for its signer's or a change's standing, which another of these
                        // bundles may settle; the proof of the fork is kept already, and the
                        // bundle is tried again with the forked key set aside.
                        guard let refused = error as? FieldAuditError, let origins = Self.forkKept(by: refused) else { throw error }
                        progress.finish()
                        Terminal.note("\(item.shown): replica \(origins.map(\.short).joined(separator: ", ")) signed two different histories with one key: its changes from the fork on are set aside here (see `fieldaudit verify`)")
                        waiting.append(item)
                        lastGap = refused
                    }
                }
                if waiting.count == pending.count, let lastGap { throw lastGap }
                pending = waiting
            }
            return summaries
        }

        /// The forked replicas whose proof a bundle refused for its signer's or a change's
        /// standing left behind (`FieldAuditError.forkKeptFromRefusedBundle`); nil for any other error.
        static func forkKept(by error: FieldAuditError) -> [ReplicaID]? {
            guard case let .forkKeptFromRefusedBundle(origins, refused) = error else { return nil }
            switch refused {
            case .unauthorized, .untrustedSigner: return origins
            default: return nil
            }
        }

        static func describe(_ summary: ImportSummary) -> String {
            var parts = ["\(summary.newChanges) new changes", "\(summary.knownChanges) already known"]
            if summary.withheld > 0 { parts.append("\(summary.withheld) withheld (other engagements)") }
            parts.append("\(summary.newEntities) new entities")
            parts.append("\(summary.newEvidence) new evidence files")
            if summary.newConflicts > 0 { parts.append("\(summary.newConflicts) new conflicts — see `fieldaudit conflicts`") }
            if summary.flaggedStamps > 0 { parts.append("\(summary.flaggedStamps) changes stamped far in the future (flagged)") }
            if summary.setAside > 0 { parts.append("\(summary.setAside) changes of forked replicas set aside") }
            for replica in summary.newForks {
                parts.append("replica \(replica.prefix(8))'s history is forked: its changes from the fork on are refused and kept as evidence — see `fieldaudit verify`")
            }
            return "\(summary.path) from \(summary.exporter.prefix(8)): " + parts.joined(separator: ", ")
        }
    }
}
