import ArgumentParser
import FieldAudit
import FieldAuditService
import Foundation
import Logging

extension FieldAuditCommand {
    /// `fieldaudit serve [run]`: this replica as the central repository laptops sync with over HTTP.
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Serve this replica as the central repository: laptops sync with it over HTTP(S).",
            discussion: """
                Every request but GET /v1/identity must be signed by a replica key this replica knows \
                (trusted with `fieldaudit trust`, or on the team of an engagement it holds). Logs one \
                line per request on standard error; stops cleanly on SIGTERM or SIGINT. The protocol \
                is Sync/PROTOCOL.md, part three.
                """)
        @Option(help: ArgumentHelp("Where to listen; port 0 picks a free port.", valueName: "host:port")) var listen: String
        @Option(help: ArgumentHelp("The TLS certificate chain (PEM), for HTTPS.", valueName: "file")) var tlsCert: String?
        @Option(help: ArgumentHelp("The TLS private key (PEM).", valueName: "file")) var tlsKey: String?
        @Option(help: "The largest bundle a push may upload (bytes, or with KiB, MiB, GiB).") var maxUpload = ByteCount(bytes: 1 << 30)
        @Option(help: "The most pushes uploading at once (in all); more are answered 503 and retried.") var maxUploads = 16
        @Option(help: "The most connections served at once; more are answered 503 and retried.") var maxConnections = 256
        @Option(help: "Seconds a connection may wait without a complete request, or a body without a byte.") var idleTimeout = 30
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together.") }
            if maxUploads < 1 || maxConnections < 1 || idleTimeout < 1 {
                throw ValidationError("--max-uploads, --max-connections and --idle-timeout must be at least 1.")
            }
        }

        func run() throws {
            try ExitStatus.reporting {
                let replica = try store.openReplica(concurrentReads: true)
                let (host, port) = try CentralServer.Configuration.parse(listen: listen)
                let tls = tlsCert.flatMap { cert in tlsKey.map { (certificate: cert, key: $0) } }
                LoggingSystem.bootstrap(StreamLogHandler.standardError)
                var configuration = CentralServer.Configuration(host: host, port: port, tls: tls, maxUpload: maxUpload.bytes)
                configuration.maxUploads = maxUploads
                configuration.maxConnections = maxConnections
                configuration.idleTimeout = TimeInterval(idleTimeout)
                let server = try CentralServer(replica: replica, configuration: configuration)
                let scheme = tls == nil ? "http" : "https"
                let shownHost = host.contains(":") ? "[\(host)]" : host
                let banner = "Serving \(replica.name) (\(replica.identity.id.short), \(replica.identity.fingerprint))"
                let application = try server.application { port in
                    Terminal.print("\(banner) on \(scheme)://\(shownHost):\(port); stop with Ctrl-C or SIGTERM.")
                }
                try Blocking.run { try await application.runService() }
                Terminal.note("Stopped; every import in progress finished or rolled back.")
            }
        }
    }
}
