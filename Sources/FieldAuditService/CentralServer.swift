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

        /// Settings; by default loopback port 8443 without TLS, 1 GiB uploads, 1 MiB vectors, ±300 s.
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

    /// The media type of a bundle.
    public static let bundleMediaType = "application/vnd.fieldaudit.bundle"

    let central: CentralReplica
    let configuration: Configuration
    let authenticator: RequestAuthenticator
    let logger: Logger
    /// Where request bodies and outgoing bundles wait: `service-scratch` in the store's directory.
    let scratch: String

    /// A server for `replica`; removes what an earlier run left in its scratch directory.
    ///
    /// - Throws: `ServiceError.replicaRefused` (status 500) if the scratch directory cannot be made.
    public init(replica: Replica, configuration: Configuration, logger: Logger = Logger(label: "fieldaudit.serve"), now: @escaping @Sendable () -> Date = { Date() }) throws(ServiceError) {
        let central = CentralReplica(replica)
        self.central = central
        self.configuration = configuration
        self.logger = logger
        self.authenticator = RequestAuthenticator(server: replica.identity.id, window: configuration.window, now: now) { client in
            try await central.read { replica throws(FieldAuditError) in try replica.knows(client) }
        }
        self.scratch = replica.location.directory + "/service-scratch"
        try? FileManager.default.removeItem(atPath: scratch)
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .replicaRefused(message: "cannot create \(scratch): \(error.localizedDescription)", status: 500)
        }
    }

    /// The routes, behind the request log (which also turns every error into a JSON answer).
    public func router() -> Router<CentralRequestContext> {
        let router = Router(context: CentralRequestContext.self)
        router.add(middleware: CentralMiddleware(logger: logger))
        router.get("v1/identity") { _, _ in self.identity() }
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
    /// - Throws: `ServiceError.tls` if the certificate or key cannot be read.
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) throws(ServiceError) -> some ApplicationProtocol {
        var server: HTTPServerBuilder = .http1()
        if let tls = configuration.tls {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
                let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
                server = try .tls(.http1(), tlsConfiguration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
            } catch {
                throw .tls(reason: "\(error)")
            }
        }
        let port = configuration.port
        return Application(
            router: router(), server: server,
            configuration: .init(address: .hostname(configuration.host, port: port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// A new scratch file's path.
    func scratchFile(_ suffix: String) -> String {
        "\(scratch)/\(UUID().uuidString).\(suffix)"
    }
}
