import AuditStore
import Foundation
import NIOSSL
import PostgresNIO

/// A `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?PARAMETERS]` URL, read into a connection
/// configuration.
///
/// The parameters are libpq's names, so a URL an IT department already uses with `psql` works
/// here: `schema` (FieldAudit's own: the schema the tables live in), `sslmode`, `sslrootcert`,
/// `sslcert` and `sslkey`. Any other parameter is refused, never ignored.
struct DatabaseURL {
    let configuration: PostgresConnection.Configuration
    /// The URL without its password, for messages.
    let redacted: String
    /// The schema named by `?schema=NAME`: lowercase letters, digits and underscores.
    let schema: String?
    /// How the connection is encrypted and the server checked (`?sslmode=`, libpq's default `prefer`).
    let tlsMode: TLSMode

    /// libpq's `sslmode` values that FieldAudit supports, with libpq's meaning.
    enum TLSMode: String, CaseIterable {
        /// Never encrypt.
        case disable
        /// Encrypt if the server offers it, without checking its certificate (libpq's default).
        case prefer
        /// Always encrypt; check the certificate against `sslrootcert` if one is given, else not.
        case require
        /// Always encrypt, and check that a trusted authority signed the server's certificate.
        case verifyCA = "verify-ca"
        /// As `verify-ca`, and check that the certificate names the host connected to.
        case verifyFull = "verify-full"
    }

    /// The query parameters a URL may carry.
    static let parameters = ["schema", "sslmode", "sslrootcert", "sslcert", "sslkey"]

    init(_ url: String) throws(StoreError) {
        let usage = "expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME&sslmode=MODE&sslrootcert=FILE]"
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
            throw .cannotOpen(path: url.split(separator: "@").last.map(String.init) ?? "", reason: usage)
        }
        let host = components.host ?? ""
        let user = components.user ?? ""
        let database = String(components.path.drop(while: { $0 == "/" }))
        let port = components.port ?? 5432
        let items = components.queryItems ?? []
        func parameter(_ name: String) -> String? { items.last { $0.name == name }?.value }
        schema = parameter("schema")
        let mode = parameter("sslmode")
        let shown = [("schema", schema), ("sslmode", mode)].compactMap { name, value in value.map { "\(name)=\($0)" } }
        redacted = "postgres://\(user)@\(host):\(port)/\(database)" + (shown.isEmpty ? "" : "?" + shown.joined(separator: "&"))
        guard !host.isEmpty, !user.isEmpty, !database.isEmpty else { throw .cannotOpen(path: redacted, reason: usage) }
        if let unknown = items.first(where: { !Self.parameters.contains($0.name) }) {
            throw .cannotOpen(
                path: redacted,
                reason: "the URL parameter '\(unknown.name.prefix(40))' is not one FieldAudit reads; it reads \(Self.parameters.joined(separator: ", "))")
        }
        if let schema {
            guard let first = schema.unicodeScalars.first, ("a"..."z").contains(first) || first == "_",
                  schema.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }), schema.count <= 63
            else {
                throw .cannotOpen(path: redacted, reason: "a schema name is lowercase letters, digits and underscores, starting with a letter")
            }
        }
        guard let tlsMode = TLSMode(rawValue: mode ?? TLSMode.prefer.rawValue) else {
            throw .cannotOpen(
                path: redacted,
                reason: "sslmode is one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", ")), not '\((mode ?? "").prefix(40))'")
        }
        self.tlsMode = tlsMode
        let tls = try Self.tls(
            tlsMode, rootCertificate: parameter("sslrootcert"), certificate: parameter("sslcert"), key: parameter("sslkey"), at: redacted)
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user,
            password: components.password ?? ProcessInfo.processInfo.environment["PGPASSWORD"], database: database, tls: tls)
        if let schema { configuration.options.additionalStartupParameters = [("search_path", schema)] }
        self.configuration = configuration
    }

    /// The connection's TLS for `mode`: the authorities in `rootCertificate` (a PEM file; the
    /// system's when none is named), and this client's own certificate and key if both are named.
    private static func tls(
        _ mode: TLSMode, rootCertificate: String?, certificate: String?, key: String?, at path: String
    ) throws(StoreError) -> PostgresConnection.Configuration.TLS {
        if mode == .disable { return .disable }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = switch mode {
        case .disable, .prefer: .none
        case .require: rootCertificate == nil ? .none : .noHostnameVerification
        case .verifyCA: .noHostnameVerification
        case .verifyFull: .fullVerification
        }
        for file in [rootCertificate, certificate, key].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: file) {
            throw .cannotOpen(path: path, reason: "the file '\(file.prefix(200))' named in the URL cannot be read")
        }
        do {
            if let rootCertificate { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(rootCertificate)) }
            switch (certificate, key) {
            case let (certificate?, key?):
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            case (nil, nil):
                break
            default:
                throw StoreError.cannotOpen(path: path, reason: "sslcert and sslkey go together: name both files, or neither")
            }
            let context = try NIOSSLContext(configuration: configuration)
            return mode == .prefer ? .prefer(context) : .require(context)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .cannotOpen(path: path, reason: "the TLS files named in the URL cannot be used (PEM expected): \(error)")
        }
    }
}
