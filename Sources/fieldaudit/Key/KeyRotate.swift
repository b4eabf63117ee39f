import ArgumentParser
import FieldAudit
import Foundation

extension FieldAuditCommand.KeyCommand {
    /// `fieldaudit key rotate`: a new signing key for the same auditor; the old key retires itself.
    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Replace this replica's signing key by a new one for the same auditor; the old key retires itself.",
            discussion: """
                In every engagement you are a member of, the old key signs its last change: a record naming \
                the new key. From that change on, anything signed with the old key is refused by every replica \
                (a stolen or copied key included); everything it signed before stays valid. The command then \
                writes a bundle for the lead, still signed with the old key (the records and what the lead \
                lacks), moves the old key file aside (identity-ID.retired.key, kept) and puts the new key in \
                its place. Give the bundle to the lead, who runs `fieldaudit team rotate OLD-ID` after \
                importing it; your membership, role and authorship continue under the new key, which writes \
                again once the lead's next bundle is imported. The founding lead rotates the same way: in the \
                engagements you founded, the old key's record makes the new key their founding lead (your \
                teammates need not trust it), and the new key continues your place on the team at once.
                """)
        @Option(name: .customLong("for"), help: "The lead: an identity card file or a replica id (default: no particular peer).") var peer: String?
        @Flag(inversion: .prefixedNo, help: "Seal the bundle for the engagements' team members, the peer's card and you.") var encrypt = true
        @Option(name: .shortAndLong, help: ArgumentHelp(
            "The rotation bundle for the lead; a directory to write it in under a clear name; or '-' for standard output.",
            valueName: "path"))
        var output: String
        @Flag(help: "Replace an existing bundle file.") var force = false
        @OptionGroup var store: StoreOptions

        func run() throws {
            let replica = try store.openReplica()
            var request = ExportRequest(encrypt: encrypt)
            let peerName = try peer.flatMap { peer in try FieldAuditCommand.Export.address(&request, to: peer) }
            if let known = request.peer { request.peerHolds = try replica.peerVector(of: known) }
            let destination = try OutputFile.resolve(
                output, defaultName: replica.defaultBundleName(peer: "rotation" + (peerName.map { " for \($0)" } ?? "")), force: force,
                refusingTerminal: ("a bundle", "fieldaudit import -"))
            let (_, summary) = try replica.rotateKey(exporting: request, to: destination)
            let retired = summary.retiredAfter.sorted { $0.key < $1.key }
                .map { "engagement \($0.key.suffix(8)): valid through seq \($0.value)" }
            let next = summary.founderOf.count == summary.retiredAfter.count && !summary.founderOf.isEmpty
                ? "You founded \(summary.founderOf.count == 1 ? "this engagement" : "these engagements"): the new key is its founding lead from the old key's record on, and your teammates need not trust it. Next: export to your team as usual; they import and work on."
                : "Next: the lead imports it and runs `fieldaudit team rotate \(summary.retired)`, comparing the fingerprint above; import the lead's next bundle, then work on as before."
            let message = """
                Your key is now \(summary.replica.prefix(8)) (\(summary.fingerprint)); the old key \(summary.retired.prefix(8)) is retired\
                \(retired.isEmpty ? " (you are on no team)" : ": " + retired.joined(separator: "; ")).
                The old key file is kept at \(summary.retiredKeyFile) (delete it once the lead has rotated you).
                Rotation bundle (signed with the old key): \(summary.bundle.changes) changes in \(destination).
                \(next)
                """
            if destination.path == nil { Terminal.note(message) } else { Terminal.print(message) }
        }
    }
}
