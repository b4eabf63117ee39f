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
    /// The largest bundle a pull may bring, in bytes.
    public let maxPull: UInt64
    /// How many times a request answered 503 (busy) is sent again before the laptop gives up.
    let busyRetries: Int

    /// How many times a busy answer is waited out by default: 40, about 80 s at the central's
    /// `Retry-After: 2`. (8, 16 s, ran out with 200 laptops pushing at once to a SQLite central,
    /// whose imports take turns while each holds an upload slot: Benchmarks/run-service.)
    public static let defaultBusyRetries = 40

    /// A client of the central at `url` (trailing slashes dropped), signing as `identity` for the
    /// central `server`; a request (a bundle's transfer included) may take up to `timeout`, a
    /// pulled bundle may be up to `maxPull` bytes (default 4 GiB), and a busy server is asked
    /// again up to `busyRetries` times, waiting its `Retry-After` (at most 10 s) each time.
    public init(url: String, identity: ReplicaIdentity, server: ReplicaID, timeout: TimeAmount = .seconds(600), maxPull: UInt64 = 4 << 30, busyRetries: Int = CentralClient.defaultBusyRetries) {
        self.url = Self.normalized(url)
        self.identity = identity
        self.server = server
        self.timeout = timeout
        self.maxPull = maxPull
        self.busyRetries = busyRetries
    }

    /// The central's identity card (`GET /v1/identity?challenge=…`, unsigned), accepted only if
    /// the server proves it holds the card's key by signing a fresh random challenge
    /// (`IdentityProof`). A busy server (503: all its connections taken) is asked again after its
    /// `Retry-After`, up to `defaultBusyRetries` times, as signed requests are.
    ///
    /// - Throws: `ServiceError.unreachable`, `.refused`, or `.invalidResponse` if it is not a card
    ///   or the proof is missing or does not hold.
    public static func identity(at url: String, timeout: TimeAmount = .seconds(30)) async throws(ServiceError) -> IdentityCard {
        let base = normalized(url)
        var challenge = IdentityProof.newChallenge()
        var response = try await execute(HTTPClientRequest(url: base + "/v1/identity?\(IdentityProof.parameter)=\(challenge)"), base: base, timeout: timeout)
        for _ in 0..<defaultBusyRetries where response.status == .serviceUnavailable {
            _ = try? await response.body.collect(upTo: 1 << 20)
            try? await Task.sleep(for: .seconds(min(max(response.headers.first(name: "Retry-After").flatMap(Int.init) ?? 1, 1), 10)))
            challenge = IdentityProof.newChallenge()
            response = try await execute(HTTPClientRequest(url: base + "/v1/identity?\(IdentityProof.parameter)=\(challenge)"), base: base, timeout: timeout)
        }
        let data = try await collect(response, base: base, limit: 64 << 10)
        let card: IdentityCard
        do throws(FieldAuditError) {
            card = try IdentityCard.decode(data, source: base + "/v1/identity")
        } catch {
            throw .invalidResponse(url: base, reason: error.description)
        }
        guard let proof = response.headers.first(name: IdentityProof.header), IdentityProof.holds(proof, challenge: challenge, card: card) else {
            throw .invalidResponse(url: base, reason: "it did not prove that it holds the key on the identity card it presents (\(IdentityProof.header) is missing or does not hold); nothing was pinned or sent")
        }
        return card
    }

    /// `POST /v1/pull`: writes the bundle of what `holdings` lacks to a new file at `path`;
    /// returns its size.
    ///
    /// - Throws: `ServiceError.pullTooLarge` beyond `maxPull` (declared or as it streams; the
    ///   partial file is removed); `.unreachable` if the connection breaks.
    public func pull(_ holdings: VectorFile, to path: String, progress: @escaping @Sendable (UInt64) -> Void = { _ in }) async throws(ServiceError) -> UInt64 {
        let body = holdings.encoded()
        let response = try await send {
            var request = signed("POST", "/v1/pull", bodyDigest: RequestSignature.digest(of: body))
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.add(name: "Content-Type", value: "application/json")
            return request
        }
        try await Self.check(response, base: url)
        if let declared = response.headers.first(name: "Content-Length").flatMap(UInt64.init), declared > maxPull {
            throw .pullTooLarge(url: url, limit: maxPull)
        }
        guard let handle = ScratchFile.create(at: path) else { throw .invalidResponse(url: url, reason: "the pulled bundle cannot be written to \(path)") }
        defer { try? handle.close() }
        var received: UInt64 = 0
        do {
            for try await buffer in response.body {
                received += UInt64(buffer.readableBytes)
                guard received <= maxPull else { throw ServiceError.pullTooLarge(url: url, limit: maxPull) }
                try handle.write(contentsOf: Data(buffer.readableBytesView))
                progress(received)
            }
        } catch let error as ServiceError {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw .unreachable(url: url, reason: "the connection broke during the pull: \(Self.reason(error))")
        }
        return received
    }

    /// `GET /v1/vector`: what the central holds.
    public func vector() async throws(ServiceError) -> VectorAnswer {
        var nonce = ""
        let response = try await send {
            let request = signed("GET", "/v1/vector", bodyDigest: RequestSignature.digest(of: Data()))
            nonce = request.headers.first(name: RequestSignature.Header.nonce) ?? ""
            return request
        }
        let proof = response.headers.first(name: AnswerProof.header)
        let data = try await Self.collect(response, base: url, limit: 16 << 20)
        do throws(FieldAuditError) {
            let vector = try VectorFile.decode(data, source: url + "/v1/vector").versionVector(path: url + "/v1/vector")
            return VectorAnswer(vector: vector, body: data, nonce: nonce, proof: proof)
        } catch {
            throw .invalidResponse(url: url, reason: error.description)
        }
    }

    /// `POST /v1/push`: uploads the bundle file at `path`; returns the central's import summary.
    public func push(bundleAt path: String, progress: @escaping @Sendable (UInt64) -> Void = { _ in }) async throws(ServiceError) -> PushSummary {
        let (digest, length) = try Self.digest(ofFile: path)
        let response = try await send {
            var request = signed("POST", "/v1/push", bodyDigest: digest)
            request.headers.add(name: "Content-Type", value: CentralServer.bundleMediaType)
            request.body = .stream(FileChunks(path: path, progress: progress), length: .known(Int64(length)))
            return request
        }
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

    /// Sends the request `make` builds (signed anew each time: a new nonce and date), again while
    /// the server answers 503 (busy), at most `busyRetries` times, waiting its `Retry-After`
    /// (1 to 10 s); returns the first other answer, or the last busy one.
    private func send(_ make: () -> HTTPClientRequest) async throws(ServiceError) -> HTTPClientResponse {
        var attempt = 0
        while true {
            let response = try await Self.execute(make(), base: url, timeout: timeout)
            guard response.status == .serviceUnavailable, attempt < busyRetries else { return response }
            attempt += 1
            _ = try? await response.body.collect(upTo: 1 << 20)
            let wait = min(max(response.headers.first(name: "Retry-After").flatMap(Int.init) ?? 1, 1), 10)
            try? await Task.sleep(for: .seconds(wait))
        }
    }

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
        struct Answer: Decodable { var error: String; var hint: String?; var category: String? }
        let data = (try? await response.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
        guard let answer = try? JSONDecoder().decode(Answer.self, from: data) else {
            throw .invalidResponse(url: base, reason: "HTTP \(response.status.code) without a FieldAudit error")
        }
        throw .refused(
            url: base, status: Int(response.status.code), error: answer.error, hint: answer.hint ?? "",
            category: answer.category.flatMap(FieldAuditError.Category.init(wireName:)))
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

/// The central's answer to `GET /v1/vector`: what it holds, and what proves the answer its own.
public struct VectorAnswer: Sendable {
    /// What the central holds, origin by origin.
    public let vector: VersionVector
    /// The answer's body as received.
    let body: Data
    /// The nonce of the request it answers.
    let nonce: String
    /// The `FieldAudit-Answer-Proof` header, if the answer had one.
    let proof: String?

    /// Whether the central pinned as `remote` signed this answer to this request (`AnswerProof`).
    public func isSigned(by remote: Remote) -> Bool {
        AnswerProof.holds(proof, body: body, nonce: nonce, remote: remote)
    }
}
