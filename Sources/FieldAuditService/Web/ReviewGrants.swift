import Crypto
import FieldAudit
import Foundation
import Replication

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A reviewer's access to some engagements of the central repository, granted by its operator
/// (`fieldaudit serve grant`): a one-time sign-in link, kept only as the SHA-256 of its token.
public struct ReviewGrant: Codable, Sendable, Equatable {
    /// The grant's short id, which `serve grants` lists and `serve revoke` takes.
    public let id: String
    /// The reviewer's name, as the operator gave it (shown on every page).
    public let reviewer: String
    /// The engagements the reviewer may read, as full ids.
    public let engagements: [String]
    /// The SHA-256 of the sign-in token, hex; the token itself is never stored.
    public let tokenHash: String
    /// When the grant was made, Unix milliseconds.
    public let createdAt: Int64
    /// When the link and every session it opened stop working, Unix milliseconds.
    public let expiresAt: Int64
    /// When the link was exchanged for a session (it works once), Unix milliseconds.
    public var usedAt: Int64?
    /// When the operator revoked the grant, Unix milliseconds.
    public var revokedAt: Int64?

    /// Whether the grant admits anyone at `now` (not revoked, not expired).
    public func isLive(at now: Int64) -> Bool { revokedAt == nil && now < expiresAt }

    /// `active`, `unused`, `expired` or `revoked`, for `serve grants`.
    public func state(at now: Int64) -> String {
        if revokedAt != nil { return "revoked" }
        if now >= expiresAt { return "expired" }
        return usedAt == nil ? "unused" : "active"
    }
}

/// What can go wrong granting, revoking or reading grants; each case says what to do next.
public enum ReviewGrantError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The grants file cannot be read, parsed or written.
    case grantsFile(path: String, reason: String)
    /// No grant has this id.
    case unknownGrant(String)
    /// A grant must name a reviewer and at least one engagement, and last a positive time.
    case invalidGrant(reason: String)

    /// What went wrong and what to do next.
    public var description: String {
        switch self {
        case let .grantsFile(path, reason):
            "cannot use the reviewers' grants file \(DisplayText.shown(path)): \(reason); check its permissions (it must be the owner's, mode 0600), or move it away to start with no grants"
        case let .unknownGrant(id):
            "no grant has the id \(DisplayText.shown(id)); `fieldaudit serve grants` lists them"
        case let .invalidGrant(reason):
            "cannot grant: \(reason)"
        }
    }
}

/// The reviewers' grants and their browser sessions, in one JSON file in the central's directory
/// (`review-grants.json`, mode 0600; never replicated). The operator's commands and the running
/// server both read and change it, each change under an exclusive lock (`review-grants.lock`,
/// `flock(2)`), written whole to a new file and renamed over the old one.
///
/// Tokens and session ids are 256-bit random values; only their SHA-256 is stored, so the file
/// does not let anyone sign in. A link works once, before its grant expires; the session it opens
/// lasts `sessionLifetime`, never beyond the grant, and ends when the grant is revoked.
public struct ReviewGrants: Sendable {
    /// The grants file.
    public let path: String
    private let lockPath: String
    /// How long a browser session lasts after sign-in (never beyond its grant): 12 hours.
    public static let sessionLifetime: Int64 = 12 * 3600 * 1000

    /// The grants of the replica in `directory` (the central's store directory).
    public init(directory: String) {
        path = directory + "/review-grants.json"
        lockPath = directory + "/review-grants.lock"
    }

    /// A live session: the grant behind it.
    struct Session: Codable, Sendable, Equatable {
        var hash: String
        var grant: String
        var expiresAt: Int64
    }

    /// The file's content.
    struct Ledger: Codable, Sendable {
        var version = 1
        var grants: [ReviewGrant] = []
        var sessions: [Session] = []
    }

    // MARK: - The operator's commands

    /// Grants `reviewer` access to `engagements` until `now + lifetime` (milliseconds); returns
    /// the grant and the one-time token of its sign-in link (shown once, never stored).
    ///
    /// - Throws: `.invalidGrant` for an empty name, no engagement or a lifetime that is not
    ///   positive; `.grantsFile` if the file cannot be written.
    public func grant(reviewer: String, engagements: [EntityID], lifetime: Int64, now: Int64) throws(ReviewGrantError) -> (grant: ReviewGrant, token: String) {
        let name = reviewer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw .invalidGrant(reason: "give the reviewer's name with --reviewer") }
        guard !engagements.isEmpty else { throw .invalidGrant(reason: "name at least one engagement with --engagement") }
        guard lifetime > 0 else { throw .invalidGrant(reason: "--expires must be a positive time such as 7d or 12h") }
        let token = Self.secret()
        return try update { ledger in
            var id = Self.shortID()
            while ledger.grants.contains(where: { $0.id == id }) { id = Self.shortID() }
            let grant = ReviewGrant(
                id: id, reviewer: name, engagements: engagements.map(\.description), tokenHash: Self.hash(token),
                createdAt: now, expiresAt: now + lifetime, usedAt: nil, revokedAt: nil)
            ledger.grants.append(grant)
            return (grant, token)
        }
    }

    /// Every grant, oldest first (expired and revoked ones included).
    public func list() throws(ReviewGrantError) -> [ReviewGrant] {
        try read().grants
    }

    /// Revokes a grant: its link stops working and its sessions end at once, also in a running
    /// server. Revoking a revoked grant changes nothing.
    ///
    /// - Throws: `.unknownGrant` when no grant has that id.
    public func revoke(_ id: String, now: Int64) throws(ReviewGrantError) -> ReviewGrant {
        try update { ledger throws(ReviewGrantError) in
            guard let index = ledger.grants.firstIndex(where: { $0.id == id.lowercased() }) else { throw .unknownGrant(id) }
            if ledger.grants[index].revokedAt == nil { ledger.grants[index].revokedAt = now }
            ledger.sessions.removeAll { $0.grant == ledger.grants[index].id }
            return ledger.grants[index]
        }
    }

    // MARK: - The server's use

    /// Exchanges a sign-in token for a new session: the session's secret (for the cookie) and
    /// its grant; `nil` for a token that is unknown, already used, expired or revoked. The token
    /// is spent either way it matched.
    public func redeem(token: String, now: Int64) throws(ReviewGrantError) -> (session: String, grant: ReviewGrant)? {
        let hash = Self.hash(token)
        let secret = Self.secret()
        return try update { ledger in
            ledger.sessions.removeAll { $0.expiresAt <= now }
            guard let index = ledger.grants.firstIndex(where: { $0.tokenHash == hash }) else { return nil }
            guard ledger.grants[index].usedAt == nil, ledger.grants[index].isLive(at: now) else { return nil }
            ledger.grants[index].usedAt = now
            let grant = ledger.grants[index]
            ledger.sessions.append(Session(hash: Self.hash(secret), grant: grant.id, expiresAt: min(now + Self.sessionLifetime, grant.expiresAt)))
            return (secret, grant)
        }
    }

    /// The grant behind a session's secret, if the session and its grant are live at `now`.
    public func grant(forSession secret: String, now: Int64) throws(ReviewGrantError) -> ReviewGrant? {
        let hash = Self.hash(secret)
        let ledger = try read()
        guard let session = ledger.sessions.first(where: { $0.hash == hash }), session.expiresAt > now,
              let grant = ledger.grants.first(where: { $0.id == session.grant }), grant.isLive(at: now)
        else { return nil }
        return grant
    }

    /// Ends a session (sign-out).
    public func endSession(_ secret: String) throws(ReviewGrantError) {
        let hash = Self.hash(secret)
        try update { ledger in ledger.sessions.removeAll { $0.hash == hash } }
    }

    // MARK: - The file

    /// SHA-256, hex.
    static func hash(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// 32 random bytes, base64url without padding.
    static func secret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Eight random hex digits.
    static func shortID() -> String {
        String(format: "%08x", UInt32.random(in: .min ... .max))
    }

    /// The ledger as it is on disk (empty when there is no file yet), read under a shared lock.
    func read() throws(ReviewGrantError) -> Ledger {
        try locked(LOCK_SH) { () throws(ReviewGrantError) in try load().ledger }
    }

    /// Reads the ledger under the exclusive lock, lets `body` change it, and writes it back if it
    /// changed (to a new 0600 file renamed over the old one, so a reader never sees half a file).
    @discardableResult
    func update<T>(_ body: (inout Ledger) throws(ReviewGrantError) -> T) throws(ReviewGrantError) -> T {
        try locked(LOCK_EX) { () throws(ReviewGrantError) in
            var (ledger, original) = try load()
            let result = try body(&ledger)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            guard let data = try? encoder.encode(ledger) else { throw .grantsFile(path: path, reason: "it cannot be encoded") }
            let untouchedAbsence = original == nil && ledger.grants.isEmpty && ledger.sessions.isEmpty
            if data != original, !untouchedAbsence { try write(data) }
            return result
        }
    }

    /// Runs `body` holding the lock file's `flock(2)` lock of `kind` (`LOCK_SH` or `LOCK_EX`).
    private func locked<T>(_ kind: Int32, _ body: () throws(ReviewGrantError) -> T) throws(ReviewGrantError) -> T {
        let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw .grantsFile(path: lockPath, reason: String(cString: strerror(errno))) }
        defer { close(lock) }
        guard flock(lock, kind) == 0 else { throw .grantsFile(path: lockPath, reason: String(cString: strerror(errno))) }
        defer { flock(lock, LOCK_UN) }
        return try body()
    }

    /// The ledger on disk and its bytes (`nil` when there is no file yet); call under the lock.
    private func load() throws(ReviewGrantError) -> (ledger: Ledger, original: Data?) {
        var ledger = Ledger()
        guard FileManager.default.fileExists(atPath: path) else { return (ledger, nil) }
        guard let data = FileManager.default.contents(atPath: path) else { throw .grantsFile(path: path, reason: "it cannot be read") }
        do {
            ledger = try JSONDecoder().decode(Ledger.self, from: data)
        } catch {
            throw .grantsFile(path: path, reason: "it is not a grants file (\(error))")
        }
        guard ledger.version == 1 else { throw .grantsFile(path: path, reason: "its version \(ledger.version) is not known to this fieldaudit") }
        return (ledger, data)
    }

    private func write(_ data: Data) throws(ReviewGrantError) {
        let temporary = path + ".\(Self.shortID()).new"
        guard let handle = ScratchFile.create(at: temporary) else {
            throw .grantsFile(path: temporary, reason: String(cString: strerror(errno)))
        }
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw .grantsFile(path: path, reason: error.localizedDescription)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw .grantsFile(path: path, reason: reason)
        }
    }
}
