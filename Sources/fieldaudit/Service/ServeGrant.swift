import ArgumentParser
import FieldAudit
import FieldAuditService
import Foundation

extension FieldAuditCommand.ServeCommand {
    /// `fieldaudit serve grant`: a one-time sign-in link to the reviewers' window.
    struct Grant: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grant",
            abstract: "Grant a reviewer read access to engagements; prints a one-time sign-in link.",
            discussion: """
                The link signs in once, until the grant expires, and opens a browser session of at most \
                12 hours (never beyond the grant). Only the SHA-256 of its token is kept: the link is \
                printed once and cannot be shown again (grant again for a new one). Works while the \
                server runs.
                """)
        @Option(help: ArgumentHelp("The reviewer's name, shown on the pages.", valueName: "name")) var reviewer: String
        @Option(help: ArgumentHelp("An engagement the reviewer may read (id or unique prefix); repeat for several.", valueName: "id"))
        var engagement: [String]
        @Option(help: ArgumentHelp("How long the link and its sessions work: 30m, 12h, 7d (at most 90d).", valueName: "time"))
        var expires = GrantLifetime(days: 7)
        @Option(help: ArgumentHelp("The server's address as the reviewer's browser reaches it.", valueName: "url"))
        var url = "http://127.0.0.1:8443"
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if engagement.isEmpty { throw ValidationError("Name at least one engagement with --engagement ID.") }
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw ValidationError("--url must be an http:// or https:// address with a host, such as https://central.example:8443.")
            }
        }

        func run() throws {
            try ExitStatus.reportingGrants {
                let replica = try store.openReplica()
                var ids: [EntityID] = []
                for reference in engagement { ids.append(try replica.engagementID(reference)) }
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                let (grant, token) = try ReviewGrants(directory: replica.location.directory)
                    .grant(reviewer: reviewer, engagements: ids, lifetime: expires.milliseconds, now: now)
                let base = url.hasSuffix("/") ? String(url.dropLast()) : url
                Terminal.print("\(base)/review/sign-in?token=\(token)")
                let clients = try ids.map { id throws(FieldAuditError) in try replica.record(of: id, kinds: []).engagement.client }
                Terminal.note(
                    "Granted \(Terminal.shown(grant.reviewer)) (grant \(grant.id)) \(clients.map { Terminal.shown($0) }.joined(separator: ", ")) until \(Terminal.time(grant.expiresAt, in: .local)). The link works once; send it privately. `fieldaudit serve revoke \(grant.id)` ends it.")
            }
        }
    }

    /// `fieldaudit serve grants`: every grant and its state.
    struct Grants: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "grants", abstract: "List the reviewers' grants: who, which engagements, until when, and their state.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            try ExitStatus.reportingGrants {
                let grants = try ReviewGrants(directory: store.location.directory).list()
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                if output.json {
                    struct Row: Encodable { let id, reviewer, state: String; let engagements: [String]; let createdAt, expiresAt: Int64; let usedAt, revokedAt: Int64? }
                    return try Terminal.printJSON(grants.map {
                        Row(id: $0.id, reviewer: $0.reviewer, state: $0.state(at: now), engagements: $0.engagements, createdAt: $0.createdAt,
                            expiresAt: $0.expiresAt, usedAt: $0.usedAt, revokedAt: $0.revokedAt)
                    })
                }
                guard !grants.isEmpty else { return Terminal.print("No grants; `fieldaudit serve grant --reviewer NAME --engagement ID` makes one.") }
                Terminal.print(Terminal.columns(
                    ["GRANT", "REVIEWER", "ENGAGEMENTS", "EXPIRES", "STATE"],
                    grants.map { grant in
                        [grant.id, grant.reviewer, grant.engagements.map { String($0.filter { $0 != "-" }.suffix(8)) }.joined(separator: ","),
                         Terminal.time(grant.expiresAt, in: .local), grant.state(at: now)]
                    }))
            }
        }
    }

    /// `fieldaudit serve revoke`: ends a grant and its sessions.
    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke", abstract: "Revoke a reviewer's grant: its link stops working and its sessions end at once.")
        @Argument(help: ArgumentHelp("The grant's id, as `serve grants` lists it.", valueName: "grant")) var grant: String
        @OptionGroup var store: StoreOptions

        func run() throws {
            try ExitStatus.reportingGrants {
                let revoked = try ReviewGrants(directory: store.location.directory).revoke(grant, now: Int64(Date().timeIntervalSince1970 * 1000))
                Terminal.print("Revoked grant \(revoked.id) of \(Terminal.shown(revoked.reviewer)); its link and sessions no longer work.")
            }
        }
    }
}
