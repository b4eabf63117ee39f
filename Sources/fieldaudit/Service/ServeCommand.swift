import ArgumentParser
import FieldAuditService

extension FieldAuditCommand {
    /// `fieldaudit serve`: the central repository's service (`run`, the default) and the reviewers'
    /// grants to its read-only web pages (`grant`, `grants`, `revoke`).
    struct ServeCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Serve this replica as the central repository, and grant reviewers its read-only web pages.",
            discussion: """
                `fieldaudit serve --listen HOST:PORT` runs the service (the `run` subcommand is the default). \
                `serve grant` prints a one-time sign-in link to the reviewers' window (/review/) for given \
                engagements; `serve grants` lists the grants and `serve revoke` ends one. Grants are kept \
                in the store's directory (review-grants.json, mode 0600, never replicated) and take effect \
                on a running server at once.
                """,
            subcommands: [Serve.self, Grant.self, Grants.self, Revoke.self],
            defaultSubcommand: Serve.self)
    }
}

extension ExitStatus {
    /// The status for an error of the reviewers' grants.
    static func of(_ error: ReviewGrantError) -> ExitStatus {
        switch error {
        case .grantsFile: .cannotCreate
        case .unknownGrant, .invalidGrant: .usage
        }
    }

    /// Runs a grant command's body, printing a `ReviewGrantError` or `ServiceError` and exiting
    /// with its status (a `FieldAuditError` goes on to `main`).
    static func reportingGrants(_ body: () throws -> Void) throws {
        do {
            try reporting(body)
        } catch let error as ReviewGrantError {
            Terminal.error(error.description)
            throw ExitCode(of(error).rawValue)
        }
    }
}

/// A length of time as `serve grant --expires` takes it: `30m`, `12h`, `7d` (at most 90 days).
struct GrantLifetime: ExpressibleByArgument, Sendable {
    /// Milliseconds.
    let milliseconds: Int64

    init?(argument: String) {
        guard let unit = argument.last, let number = Int64(argument.dropLast()), number > 0 else { return nil }
        let scale: Int64
        switch unit {
        case "m": scale = 60_000
        case "h": scale = 3_600_000
        case "d": scale = 86_400_000
        default: return nil
        }
        guard number <= 90 * 86_400_000 / scale else { return nil }
        milliseconds = number * scale
    }

    init(days: Int64) { milliseconds = days * 86_400_000 }

    static var defaultCompletionKind: CompletionKind { .default }
}
