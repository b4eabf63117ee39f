import FieldAudit
import Foundation

/// What can go wrong serving the central repository or syncing with it; each case says what
/// happened and what to do next.
///
/// The server answers its cases as JSON `{"error": description, "hint": hint, "category": …}` with
/// `httpStatus` (and `Retry-After` when busy); the client turns an answer like that back into
/// `.refused`, keeping the category so the command line exits with the status of the cause.
public enum ServiceError: Error, Sendable, CustomStringConvertible, Equatable {
    // MARK: - Refusals the server answers

    /// The request is not signed by a key the central knows, or its signature does not hold.
    case unauthenticated(reason: String)
    /// The request's body is larger than the server accepts.
    case tooLarge(limit: Int64)
    /// The request is malformed.
    case badRequest(reason: String)
    /// No such route.
    case noRoute(method: String, path: String)
    /// The route exists, but not with this method; `allowed` is the one it takes.
    case methodNotAllowed(method: String, path: String, allowed: String)
    /// An import or export of the replica refused the request (the replica's own message), or the
    /// server failed; `category` is the cause's (`FieldAuditError.category`).
    case replicaRefused(message: String, status: Int, category: FieldAuditError.Category)
    /// The server is busy (its store held by another process, or too many uploads at once); the
    /// request changed nothing and may be sent again after `retryAfter` seconds.
    case busy(reason: String, retryAfter: Int)

    // MARK: - Failures the client meets

    /// The central repository cannot be reached.
    case unreachable(url: String, reason: String)
    /// The server presents another key than the one pinned by `remote add`.
    case serverChanged(url: String, pinned: String, presented: String)
    /// The server answered with an error; `category` is the cause's, if the answer names one.
    case refused(url: String, status: Int, error: String, hint: String, category: FieldAuditError.Category?)
    /// The central's bundle for this laptop is larger than the client accepts (`sync --max-pull`).
    case pullTooLarge(url: String, limit: UInt64)
    /// The server's answer is not what the protocol says.
    case invalidResponse(url: String, reason: String)
    /// No remote of that name.
    case unknownRemote(name: String, known: [String])
    /// `sync` without a name, but there are several remotes and none is named `central`.
    case whichRemote(known: [String])
    /// A remote's name that cannot name a file.
    case invalidRemoteName(String)
    /// `remote add` with a name already used.
    case remoteExists(name: String, url: String)
    /// Not an `http://` or `https://` address with a host.
    case invalidURL(String)
    /// `remote add` could not ask for confirmation, or the user said no.
    case notConfirmed(reason: String)
    /// The remotes file cannot be read or written.
    case remotesFile(path: String, reason: String)
    /// `serve --listen` is not HOST:PORT.
    case invalidListenAddress(String)
    /// The TLS certificate or key cannot be used.
    case tls(reason: String)

    /// What went wrong and what to do next, in one sentence for the terminal or the log.
    public var description: String {
        switch self {
        case let .unauthenticated(reason): "the request was not admitted: \(reason)"
        case let .tooLarge(limit): "the request's body is larger than this server accepts (\(limit) bytes); nothing was read or changed"
        case let .badRequest(reason): "the request is malformed: \(reason)"
        case let .noRoute(method, path): "there is no \(method) \(path.prefix(200)) here"
        case let .methodNotAllowed(method, path, allowed): "\(path) does not take \(method.prefix(20)), only \(allowed)"
        case let .replicaRefused(message, _, _): message
        case let .busy(reason, retryAfter): "the central repository is busy (\(reason)); nothing was changed; try again in \(retryAfter) seconds"
        case let .unreachable(url, reason):
            "central unreachable (\(reason)); your work is safe here; `fieldaudit export` to a file instead (\(url))"
        case let .serverChanged(url, pinned, presented):
            "the server at \(url) is not the one you pinned: it presents replica \(presented), you pinned \(pinned); nothing was sent or received. If the central repository really changed its key, check the new fingerprint with its operator, then `fieldaudit remote remove NAME` and `fieldaudit remote add NAME URL` again."
        case let .refused(url, status, error, hint, _):
            "the central repository at \(url) refused (HTTP \(status)): \(error)" + (hint.isEmpty ? "" : ". \(hint)")
        case let .pullTooLarge(url, limit):
            "the central repository at \(url) sent a bundle larger than this laptop accepts (\(limit) bytes); nothing was imported and the partial file was removed. Sync again with a larger --max-pull, or ask the operator why the central holds so much for you."
        case let .invalidResponse(url, reason):
            "the server at \(url) did not answer as a FieldAudit central repository: \(reason). Check the address."
        case let .unknownRemote(name, known):
            "no remote named '\(name)'" + (known.isEmpty ? "; add one with `fieldaudit remote add NAME URL`." : " (known: \(known.joined(separator: ", "))).")
        case let .whichRemote(known):
            known.isEmpty
                ? "no remote yet; add the central repository with `fieldaudit remote add central URL`."
                : "several remotes (\(known.joined(separator: ", "))) and none is named 'central'; name one: `fieldaudit sync NAME`."
        case let .invalidRemoteName(name):
            "'\(name.prefix(80))' cannot name a remote: use 1 to 64 letters, digits, '.', '_' or '-', e.g. central."
        case let .remoteExists(name, url):
            "a remote named '\(name)' already exists (\(url)); nothing was changed. Remove it first with `fieldaudit remote remove \(name)`, or choose another name."
        case let .invalidURL(text):
            "'\(text.prefix(200))' is not an http:// or https:// address with a host, e.g. https://central.example:8443."
        case let .notConfirmed(reason): "the key was not pinned: \(reason)"
        case let .remotesFile(path, reason): "cannot use the remotes file \(path): \(reason). Fix or remove it, then add the remotes again."
        case let .invalidListenAddress(text): "'\(text.prefix(200))' is not HOST:PORT, e.g. 127.0.0.1:8443 or 0.0.0.0:8443."
        case let .tls(reason): "cannot use the TLS certificate or key: \(reason). Give PEM files: --tls-cert FULLCHAIN.pem --tls-key KEY.pem."
        }
    }

    /// What the requester can do next, as the server's JSON errors carry it.
    public var hint: String {
        switch self {
        case .unauthenticated:
            "Sign every request with your replica key (see Sync/PROTOCOL.md, part three); the central's operator must trust your card (`fieldaudit trust CARD`) unless you are on the team of an engagement it holds."
        case .tooLarge: "Push less at once (export with --engagement, or --no-evidence and then the evidence), or ask the operator to raise --max-upload."
        case .badRequest: "See Sync/PROTOCOL.md, part three, for what each route takes."
        case .noRoute, .methodNotAllowed: "The routes are GET /v1/identity, POST /v1/pull, GET /v1/vector and POST /v1/push."
        case .replicaRefused: "Nothing was changed on the central repository."
        case .busy: "`fieldaudit sync` waits and tries again by itself; if it keeps failing, sync later: your work is safe on your laptop."
        default: ""
        }
    }

    /// The HTTP status the server answers with.
    public var httpStatus: Int {
        switch self {
        case .unauthenticated: 401
        case .tooLarge: 413
        case .badRequest: 400
        case .noRoute: 404
        case .methodNotAllowed: 405
        case let .replicaRefused(_, status, _): status
        case .busy: 503
        default: 500
        }
    }

    /// The cause's category, as the JSON error carries it: what the laptop's exit status says.
    public var category: FieldAuditError.Category {
        switch self {
        case .unauthenticated, .serverChanged: .notPermitted
        case .tooLarge, .badRequest, .invalidResponse, .pullTooLarge, .remotesFile: .invalidInput
        case .noRoute, .methodNotAllowed, .unknownRemote, .whichRemote, .invalidRemoteName, .invalidURL, .notConfirmed, .invalidListenAddress: .usage
        case let .replicaRefused(_, _, category): category
        case .busy, .unreachable: .temporaryFailure
        case let .refused(_, status, _, _, category):
            category ?? (status == 401 || status == 403 ? .notPermitted : status == 503 ? .temporaryFailure : status >= 500 ? .internalFailure : .invalidInput)
        case .remoteExists: .cannotCreate
        case .tls: .missingInput
        }
    }

    /// The server's answer to a refusal of the replica: its message, with the status that says
    /// whose fault it is (bad data 422, not allowed 403, out of order 409, the store busy 503 with
    /// Retry-After, the server's own 500), from the error's category: the one mapping of causes
    /// the command line uses too, which the answer carries.
    public static func refusal(of error: FieldAuditError, shownAs name: String, scratch path: String) -> ServiceError {
        let message = error.description.replacingOccurrences(of: path, with: name)
        if error.category == .temporaryFailure { return .busy(reason: message, retryAfter: 1) }
        let status: Int = switch error {
        case .bundleGap: 409
        default:
            switch error.category {
            case .notPermitted: 403
            case .invalidInput: 422
            default: 500
            }
        }
        return .replicaRefused(message: message, status: status, category: error.category)
    }
}
