import AsyncHTTPClient
import Crypto
import FieldAudit
import Foundation
import NIOCore
import NIOHTTP1
import Replication

/// A laptop's client of a central repository: every request but `identity` signed with the
/// laptop's replica key for the pinned central (`RequestSignature`).
///
/// Bodies stream: a pulled bundle goes to a file as it arrives, a pushed one is read from its
/// file in pieces.
public struct CentralClient: Sendable {
    /// The central's base address, without a trailing slash.
    public let url: String
    /// The laptop's identity, which signs.
    let identity: ReplicaIdentity
    /// The central's replica id, which every signature covers.
    let server: ReplicaID
    /// The longest a request may take; a bundle's transfer included.
    let timeout: TimeAmount

    /// A client of the central at `url` (trailing slashes dropped), signing as `identity` for the
    /// central `server`; a request (a bundle's transfer included) may take up to `timeout`.
    public init(url: String, identity: ReplicaIdentity, server: ReplicaID, timeout: TimeAmount = .seconds(600)) {
        self.url = Self.normalized(url)
        self.identity = identity
        self.server = server
        self.timeout = timeout
    }

    /// The central's identity card (`GET /v1/identity`, unsigned).
    ///
    /// - Throws: `ServiceError.unreachable`, `.refused`, or `.invalidResponse` if it is not a card.
    public static func identity(at url: String, timeout: TimeAmount = .seconds(30)) async throws(ServiceError) -> IdentityCard {
        let base = normalized(url)
        let response = try await execute(HTTPClientRequest(url: base + "/v1/identity"), base: base, timeout: timeout)
        let data = try await collect(response, base: base, limit: 64 << 10)
        do throws(FieldAuditError) {
            return try IdentityCard.decode(data, source: base + "/v1/identity")
        } catch {
            throw .invalidResponse(url: base, reason: error.description)
        }
    }

    /// `POST /v1/pull`: writes the bundle of what `holdings` lacks to a new file at `path`;
    /// returns its size.
    public func pull(_ holdings: VectorFile, to path: String, progress: @escaping @Sendable (UInt64) -> Void = { _ in }) async throws(ServiceError) -> UInt64 {
        let body = holdings.encoded()
        var request = signed("POST", "/v1/pull", bodyDigest: RequestSignature.digest(of: body))
        request.body = .bytes(ByteBuffer(bytes: body))
        request.headers.add(name: "Content-Type", value: "application/json")
        let response = try await Self.execute(request, base: url, timeout: timeout)
        try await Self.check(response, base: url)
        guard let handle = ScratchFile.create(at: path) else { throw .invalidResponse(url: url, reason: "the pulled bundle cannot be written to \(path)") }
        defer { try? handle.close() }
        var received: UInt64 = 0
        do {
            for try await buffer in response.body {
                try handle.write(contentsOf: Data(buffer.readableBytesView))
                received += UInt64(buffer.readableBytes)
                progress(received)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw .unreachable(url: url, reason: "the connection broke during the pull: \(Self.reason(error))")
        }
        return received
    }

    /// `GET /v1/vector`: what the central holds.
    public func vector() async throws(ServiceError) -> VersionVector {
        let request = signed("GET", "/v1/vector", bodyDigest: RequestSignature.digest(of: Data()))
        let response = try await Self.execute(request, base: url, timeout: timeout)
        let data = try await Self.collect(response, base: url, limit: 16 << 20)
        do throws(FieldAuditError) {
            return try VectorFile.decode(data, source: url + "/v1/vector").versionVector(path: url + "/v1/vector")
        } catch {
            throw .invalidResponse(url: url, reason: error.description)
        }
    }

    /// `POST /v1/push`: uploads the bundle file at `path`; returns the central's import summary.
    public func push(bundleAt path: String, progress: @escaping @Sendable (UInt64) -> Void = { _ in }) async throws(ServiceError) -> PushSummary {
        let (digest, length) = try Self.digest(ofFile: path)
        var request = signed("POST", "/v1/push", bodyDigest: digest)
        request.headers.add(name: "Content-Type", value: CentralServer.bundleMediaType)
        request.body = .stream(FileChunks(path: path, progress: progress), length: .known(Int64(length)))
        let response = try await Self.execute(request, base: url, timeout: timeout)
        let data = try await Self.collect(response, base: url, limit: 1 << 20)
        guard let summary = try? JSONDecoder().decode(PushSummary.self, from: data) else {
            throw .invalidResponse(url: url, reason: "the push's answer is not an import summary")
        }
        return summary
    }

    // MARK: - Requests

    /// The HTTP client: a refused connection fails at once (an offline laptop hears so without
    /// waiting), connecting may take 10 s, redirects are not followed (a signature is for one server).
    private static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    private func signed(_ method: String, _ path: String, bodyDigest: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url + path)
        request.method = HTTPMethod(rawValue: method)
        let signature = RequestSignature.sign(method: method, path: path, server: server, bodyDigest: bodyDigest, by: identity)
        for header in signature.headers { request.headers.add(name: header.name, value: header.value) }
        return request
    }

    private static func execute(_ request: HTTPClientRequest, base: String, timeout: TimeAmount) async throws(ServiceError) -> HTTPClientResponse {
        do {
            return try await http.execute(request, timeout: timeout)
        } catch {
            throw .unreachable(url: base, reason: reason(error))
        }
    }

    /// Throws the server's JSON error for any status but 200.
    private static func check(_ response: HTTPClientResponse, base: String) async throws(ServiceError) {
        guard response.status != .ok else { return }
        struct Answer: Decodable { var error: String; var hint: String? }
        let data = (try? await response.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
        guard let answer = try? JSONDecoder().decode(Answer.self, from: data) else {
            throw .invalidResponse(url: base, reason: "HTTP \(response.status.code) without a FieldAudit error")
        }
        throw .refused(url: base, status: Int(response.status.code), error: answer.error, hint: answer.hint ?? "")
    }

    /// The body of a 200 answer, at most `limit` bytes.
    private static func collect(_ response: HTTPClientResponse, base: String, limit: Int) async throws(ServiceError) -> Data {
        try await check(response, base: base)
        do {
            return Data(try await response.body.collect(upTo: limit).readableBytesView)
        } catch {
            throw .invalidResponse(url: base, reason: "the answer broke off or is larger than \(limit) bytes (\(reason(error)))")
        }
    }

    /// A short reason for a transport error: "connection refused", "timed out", …
    static func reason(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("connectTimeout") || text.contains("deadlineExceeded") || text.contains("readTimeout") { return "timed out" }
        if text.localizedCaseInsensitiveContains("refused") { return "connection refused" }
        if text.contains("remoteConnectionClosed") || text.contains("ioOnClosedChannel") { return "the connection was closed" }
        if text.localizedCaseInsensitiveContains("resolve") || text.contains("NXDOMAIN") { return "the host name cannot be resolved" }
        return String(text.prefix(160))
    }

    /// The SHA-256 (hex) and size of a file, read in pieces.
    private static func digest(ofFile path: String) throws(ServiceError) -> (String, UInt64) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .invalidResponse(url: path, reason: "the bundle to push cannot be read") }
        defer { try? handle.close() }
        var hasher = SHA256()
        var length: UInt64 = 0
        while let data = try? handle.read(upToCount: 1 << 16), !data.isEmpty {
            hasher.update(data: data)
            length += UInt64(data.count)
        }
        return (RequestSignature.hex(hasher.finalize()), length)
    }

    static func normalized(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}

/// What the central's import of a push did: the fields of `ImportSummary` a laptop prints.
public struct PushSummary: Codable, Sendable, Equatable {
    /// Changes new to the central.
    public var newChanges: Int
    /// Changes it already held.
    public var knownChanges: Int
    /// Changes withheld from it (other engagements), kept as chain placeholders.
    public var withheld: Int
    /// Entities new to it.
    public var newEntities: Int
    /// Evidence files new to it.
    public var newEvidence: Int
    /// Fields newly in conflict.
    public var newConflicts: Int
}
