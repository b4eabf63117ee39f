import ArgumentParser
import FieldAudit
import Foundation

extension FieldAuditCommand {
    /// `fieldaudit export`: a bundle for a peer, a USB stick or a pipe.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write a bundle of what a peer lacks: compressed, signed and sealed.",
            discussion: """
                Without --since or --all, the peer's holdings come from the last bundle it sent (or \
                nothing is assumed). With --for, only engagements the peer is on the team of travel \
                in full; changes of others travel as hashes, so the peer's chains stay whole. \
                The bundle is sealed (encrypted) for the team members of the engagements it carries, \
                the peer's card and you; --no-encrypt writes it readable by anyone who holds it. \
                --all sends the peer its own changes too (what a restored replica needs).
                """)
        @Option(name: .customLong("for"), help: "The peer: an identity card file or a replica id.") var peer: String?
        @Option(help: "A vector file the peer wrote with `fieldaudit vector`.") var since: String?
        @Flag(help: "Send the peer its own changes too (what a restored replica needs): everything, or with --since what lies beyond that vector.") var all = false
        @Option(help: "Only this engagement.") var engagement: String?
        @Flag(inversion: .prefixedNo, help: "Seal the bundle so only the engagements' team members, the peer's card and you can read it.") var encrypt = true
        @Flag(help: "Leave evidence files out (a later bundle can bring them).") var noEvidence = false
        @Option(name: .shortAndLong, help: ArgumentHelp(
            "The bundle file; a directory to write it in under a name made of yours, the peer's and the date; or '-' for standard output.",
            valueName: "path"))
        var output: String
        @Flag(help: "Replace an existing bundle file.") var force = false
        @OptionGroup var store: StoreOptions


        func run() throws {
            let replica = try store.openReplica()
            var request = ExportRequest(encrypt: encrypt, includeEvidence: !noEvidence)
            request.returnsPeerChanges = all
            let peerName = try peer.flatMap { peer in try Self.address(&request, to: peer) }
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
            let progress = Progress(label: "exporting", unit: .changes)
            let summary: ExportSummary
            do {
                defer { progress.finish() }
                summary = try replica.export(request, to: destination) { progress.update($0, label: "exporting") }
            }
            let message = "Exported \(summary.changes) changes"
                + (summary.withheld > 0 ? " (+\(summary.withheld) withheld as hashes)" : "")
                + ", \(summary.evidenceFiles) evidence files, \(summary.checkpoints) signed checkpoints: \(summary.bytes) bytes"
                + (summary.sealedFor > 0 ? ", sealed for \(summary.sealedFor) recipients" : ", not sealed")
                + (destination.path == nil ? "." : " in \(destination).")
            if destination.path == nil { Terminal.note(message) } else { Terminal.print(message) }
        }

        /// Addresses `request` to the peer named by `text` (a card file or a replica id): its id,
        /// and its card's agreement key among the recipients a sealed bundle is sealed for.
        ///
        /// - Returns: the name on the card, if a card was given.
        static func address(_ request: inout ExportRequest, to text: String) throws -> String? {
            let known = try peer(text)
            request.peer = known.id
            if let key = known.agreementKey { request.extraRecipients.append(key) }
            return known.name
        }

        /// A peer's replica id, and its name and agreement key when given as a card file.
        static func peer(_ text: String) throws -> (id: ReplicaID, name: String?, agreementKey: [UInt8]?) {
            if let id = try? ReplicaID(hex: text) { return (id, nil, nil) }
            let card = try IdentityCard.load(from: text)
            let key = card.agreementKey.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }
            return (ReplicaID(publicKey: try card.verifiedKey(path: text)), card.name, key)
        }

        /// A replica id from a card file or a hex id.
        static func peerID(_ text: String) throws -> ReplicaID {
            try peer(text).id
        }
    }
}
