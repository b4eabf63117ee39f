import FieldAudit
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import Replication

/// The central repository as an HTTP service (Sync/PROTOCOL.md, part three): a replica behind
/// `GET /v1/identity`, `POST /v1/pull`, `GET /v1/vector` and `POST /v1/push`, every route but the
/// first signed by a laptop's replica key.
public struct CentralServer: Sendable {
    /// Where and how the server listens, and its limits.
    public struct Configuration: Sendable {
        /// The address to bind, e.g. `127.0.0.1` or `0.0.0.0`.
        public var host: String
        /// The port; 0 picks a free one (reported to `onListening`).
        public var port: Int
        /// PEM files of the certificate chain and its private key, for HTTPS; `nil` for HTTP.
        public var tls: (certificate: String, key: String)?
        /// The largest bundle a push may upload, in bytes.
        public var maxUpload: Int64
        /// The largest vector a pull may send, in bytes.
        public var maxVector: Int64
        /// How far a request's date may be from the server's clock, in seconds.
        public var window: TimeInterval
        /// The most pushes uploading at once, in all.
        public var maxUploads: Int = 16
        /// The most pushes uploading at once by one key.
        public var maxUploadsPerKey: Int = 2
        /// The most connections served at once; beyond it, a connection's request is answered 503
        /// with `Retry-After` (`ConnectionLimitHandler`) and the laptop tries again.
        public var maxConnections: Int = 256
        /// How many connections beyond `maxConnections` may be open at once being answered 503;
        /// more wait in the listen backlog until one closes.
        public var maxRefusing: Int = 64
        /// How long a connection may go without a complete request head, or a request without any
        /// of its body arriving, in seconds, before it is closed.
        public var idleTimeout: TimeInterval = 30
        /// The slowest a request body may arrive, in bytes per second, once the server has waited
        /// `bodyGrace` seconds for it; slower, the connection is closed.
        public var minimumBodyRate: Int64 = 1024
        /// How long a body may arrive slower than `minimumBodyRate`, in seconds of the server's waiting.
        public var bodyGrace: TimeInterval = 10

        /// Settings; by default loopback port 8443 without TLS, 1 GiB uploads, 1 MiB vectors, ±300 s;
        /// 16 uploads at once (2 per key), 256 connections (64 more answered 503), 30 s idle, bodies
        /// at 1 KiB/s or faster.
        public init(
            host: String = "127.0.0.1", port: Int = 8443, tls: (certificate: String, key: String)? = nil,
            maxUpload: Int64 = 1 << 30, maxVector: Int64 = 1 << 20, window: TimeInterval = 300
        ) {
            self.host = host
            self.port = port
            self.tls = tls
            self.maxUpload = maxUpload
            self.maxVector = maxVector
            self.window = window
        }

        /// Reads `HOST:PORT` (`[::1]:PORT` for an IPv6 address).
        ///
        /// - Throws: `ServiceError.invalidListenAddress`.
        public static func parse(listen text: String) throws(ServiceError) -> (host: String, port: Int) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
                throw .invalidListenAddress(text)
            }
            var host = String(text[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty, !host.contains(" ") else { throw .invalidListenAddress(text) }
            return (host, port)
        }
    }

    /// Each route's path and the one method it takes; another method is answered 405.
    static let routes = ["/v1/identity": "GET", "/v1/vector": "GET", "/v1/pull": "POST", "/v1/push": "POST"]

    /// The media type of a bundle.
    public static let bundleMediaType = "application/vnd.fieldaudit.bundle"

    let central: CentralReplica
    let configuration: Configuration
    let authenticator: RequestAuthenticator
    let logger: Logger
    /// The pushes uploading now.
    let uploads: UploadGate
    /// Where request bodies and outgoing bundles wait: `service-scratch` in the store's directory.
    let scratch: String

    /// A server for `replica`; removes what an earlier run left in its scratch directory.
    ///
    /// - Throws: `ServiceError.replicaRefused` (status 500) if the scratch directory cannot be made.
    public init(replica: Replica, configuration: Configuration, logger: Logger = Logger(label: "fieldaudit.serve"), now: @escaping @Sendable () -> Date = { Date() }) throws(ServiceError) {
        try self.init(central: CentralReplica(replica), configuration: configuration, logger: logger, now: now)
    }

    /// A server for a central replica shared with other work in this process (a test holding an
    /// import open on it); removes what an earlier run left in its scratch directory.
    ///
    /// - Throws: `ServiceError.replicaRefused` (status 500) if the scratch directory cannot be made.
    public init(central: CentralReplica, configuration: Configuration, logger: Logger = Logger(label: "fieldaudit.serve"), now: @escaping @Sendable () -> Date = { Date() }) throws(ServiceError) {
        let replica = central.replica
        self.central = central
        self.configuration = configuration
        self.logger = logger
        self.uploads = UploadGate(total: configuration.maxUploads, perKey: configuration.maxUploadsPerKey)
        self.authenticator = RequestAuthenticator(server: replica.identity.id, window: configuration.window, now: now) { client in
            try await central.read { replica throws(FieldAuditError) in try replica.knows(client) }
        }
        self.scratch = replica.location.directory + "/service-scratch"
        try? FileManager.default.removeItem(atPath: scratch)
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .replicaRefused(message: "cannot create \(scratch): \(error.localizedDescription)", status: 500, category: .inputOutput)
        }
    }

    /// The routes, behind the request log (which also turns every error into a JSON answer).
    public func router() -> Router<CentralRequestContext> {
        let router = Router(context: CentralRequestContext.self)
        router.add(middleware: CentralMiddleware(logger: logger))
        router.get("v1/identity") { request, _ in try self.identity(request) }
        router.get("v1/vector") { request, context in try await self.vector(request, context: context) }
        router.post("v1/pull") { request, context in try await self.pull(request, context: context) }
        router.post("v1/push") { request, context in try await self.push(request, context: context) }
        ReviewWindow(central: central, logger: logger).register(on: router)
        return router
    }

    /// The application: HTTP, or HTTPS when the configuration names a certificate.
    ///
    /// Run it with `runService()`: it stops on SIGTERM and SIGINT, letting requests in progress
    /// finish (an import either commits or rolls back whole).
    ///
    /// Bounds: a connection beyond `maxConnections` is answered 503 with `Retry-After`, and beyond
    /// `maxRefusing` more waits in the backlog; a connection without a
    /// complete head, or a body without a byte, for `idleTimeout` is closed, and so is one whose
    /// body trickles slower than `minimumBodyRate` (`SlowBodyHandler`); a request's headers may
    /// take 16 KiB, and bodies stream with backpressure, so memory per connection stays bounded.
    ///
    /// - Throws: `ServiceError.tls` if the certificate or key cannot be read.
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) throws(ServiceError) -> some ApplicationProtocol {
        let grace = TimeAmount.nanoseconds(Int64(configuration.bodyGrace * 1e9))
        let rate = configuration.minimumBodyRate
        let connections = ConnectionCount(limit: configuration.maxConnections)
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionLimitHandler(count: connections), SlowBodyHandler(grace: grace, minimumRate: rate)],
            idleTimeout: .nanoseconds(Int64(configuration.idleTimeout * 1e9)),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: 8 << 10, maxHeaderListSize: 16 << 10, maxHeaderFieldCount: 100))
        var server: HTTPServerBuilder = .http1(configuration: http1)
        if let tls = configuration.tls {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
                let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
                server = try .tls(.http1(configuration: http1), tlsConfiguration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
            } catch {
                throw .tls(reason: "\(error)")
            }
        }
        let port = configuration.port
        return Application(
            router: router(), server: server,
            configuration: .init(
                address: .hostname(configuration.host, port: port), serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections + configuration.maxRefusing)),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// A new scratch file's path.
    func scratchFile(_ suffix: String) -> String {
        "\(scratch)/\(UUID().uuidString).\(suffix)"
    }
}
