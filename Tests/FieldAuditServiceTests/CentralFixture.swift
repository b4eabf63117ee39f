import AuditModel
import FieldAudit
import FieldAuditService
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Replication
import TestSupport

/// A central repository that founded two engagements, Helix (with the auditors on its team, who
/// trust the central and hold nothing yet) and Other (without them), and a stranger it never met.
struct CentralFixture: Sendable {
    let directory = TemporaryDirectory("fieldaudit-service")
    let central: Replica
    let auditors: [Replica]
    let stranger: Replica
    let helix: EntityID
    let other: EntityID

    /// The central's store is SQLite, or the PostgreSQL database at `database` (a fresh schema).
    init(auditors count: Int = 1, database: String? = nil) throws {
        let directory = directory
        func replica(_ name: String, seed: UInt64, database: String? = nil) throws -> Replica {
            try Replica.create(at: StoreLocation(directory: directory.file(name)), name: name, identity: testIdentity(seed), database: database)
        }
        central = try replica("Central", seed: 1, database: database)
        auditors = try (0..<count).map { try replica("Auditor \($0)", seed: UInt64(10 + $0)) }
        stranger = try replica("Stranger", seed: 3)
        other = try central.createEngagement(EngagementDraft(client: "Other Client plc", auditType: .stage1))
        helix = try central.createEngagement(EngagementDraft(client: "Helix Diagnostics Ltd", auditType: .stage2))
        try central.use(engagement: helix)
        for auditor in auditors {
            _ = try central.addMember(auditor.card, role: .auditor, engagement: nil)
            _ = try auditor.trust(central.card)
        }
    }

    /// The central's application, listening on a free port of 127.0.0.1 when run.
    func server(maxUpload: Int64 = 1 << 30) throws -> some ApplicationProtocol {
        try CentralServer(replica: central, configuration: .init(host: "127.0.0.1", port: 0, maxUpload: maxUpload)).application()
    }

    /// The central's application with its configuration adjusted by `configure`, logging to `logger`.
    func server(logger: Logger = Logger(label: "test"), _ configure: (inout CentralServer.Configuration) -> Void) throws -> some ApplicationProtocol {
        var configuration = CentralServer.Configuration(host: "127.0.0.1", port: 0)
        configure(&configuration)
        return try CentralServer(replica: central, configuration: configuration, logger: logger).application()
    }

    /// The files in the central's scratch directory.
    func scratchFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: central.location.directory + "/service-scratch")
    }

    /// Brings `auditor` the kickoff (by a bundle, as a USB stick would) and has it note `text` in
    /// Helix (or `engagement`); returns its bundle of that for the central, as `sync` would push it.
    func note(_ text: String, by auditor: Replica, in engagement: EntityID? = nil) throws -> Data {
        let pulled = directory.file("kickoff-\(auditor.identity.id.short)-\(UUID().uuidString).fabundle")
        _ = try central.writeBundle(ExportRequest(peer: auditor.identity.id), toNewFile: pulled)
        _ = try auditor.importBundle(at: pulled)
        try auditor.use(engagement: engagement ?? helix)
        _ = try auditor.addNote(text, ref: "6.1.2", engagement: nil)
        let path = directory.file("push-\(auditor.identity.id.short)-\(UUID().uuidString).fabundle")
        let holds = try central.vectorFile().versionVector(path: "central")
        _ = try auditor.writeBundle(ExportRequest(peer: central.identity.id, peerHolds: holds), toNewFile: path)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// The five signature headers for a request by `identity`.
    func signed(_ method: String, _ path: String, body: Data = Data(), by identity: ReplicaIdentity, at date: Date = Date(), for server: ReplicaID? = nil) -> HTTPFields {
        let signature = RequestSignature.sign(
            method: method, path: path, server: server ?? central.identity.id, bodyDigest: RequestSignature.digest(of: body), by: identity, at: date)
        var fields = HTTPFields()
        for header in signature.headers { fields[HTTPField.Name(header.name)!] = header.value }
        return fields
    }

    /// Writes `bundle` to a new file in the fixture's directory; returns its path.
    func file(_ bundle: Data, named name: String) throws -> String {
        let path = directory.file(name)
        try bundle.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A replica's state digest, from `verify`.
    func digest(_ replica: Replica) throws -> String { "\(try replica.verify().digest)" }
}
