import AuditModel
import AuditStore
@testable import BundleFormat
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// Bundles that would cost the importer far more than their sender: an unknown exporter's bundle
/// is refused from its header, before any of its body is read (`Sync/PROTOCOL.md` §21, step 0).
struct CostlyImportTests {
    let sync = SyncTests()

    /// A bundle by `exporter` of its own first change in `engagement`, checkpoint included.
    func bundle(by exporter: ReplicaIdentity, engagement: EntityID) throws -> [UInt8] {
        let change = Change(
            origin: exporter.id, seq: 1, stamp: Timestamp(milliseconds: 1_764_000_000_000, counter: 0), transaction: 1,
            engagement: engagement, kind: "note", entity: testEntity(61), field: "text", value: .text("from nowhere"))
        let header = BundleHeader(
            exporterKey: exporter.publicKey, createdAt: 1, engagements: [engagement],
            ranges: [OriginRange(origin: exporter.id, after: 0, through: 1)])
        let writer = try BundleWriter(header: header, exporter: exporter, sink: MemorySink())
        try writer.append(change)
        for _ in 0..<16 { try writer.append(Checkpoint.sign(seq: 1, hash: ChangeHash.of(change, after: .genesis), by: exporter)) }
        try writer.finish()
        return writer.sink.bytes
    }

    func write(_ bytes: [UInt8]) throws -> String {
        let path = sync.directory.file("costly-\(UUID().uuidString.prefix(6)).fabundle")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func anUnknownExportersBundleIsRefusedBeforeItsBodyIsRead() throws {
        // Given a lead's replica and a bundle by a key it has never seen, whose body is then damaged
        let (lead, _, _) = try sync.team()
        let engagement = try #require(try lead.store.snapshots(ofKind: EntityKind.engagement.rawValue).first?.id)
        let stranger = testIdentity(60)
        var bytes = try bundle(by: stranger, engagement: engagement)
        let headerEnd = 14 + Int(bytes[10...13].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        for offset in (headerEnd + 2)..<(bytes.count - 96) { bytes[offset] ^= 0x5a }
        let before = try lead.store.digest()

        // When the lead imports it
        let path = try write(bytes)
        #expect {
            _ = try lead.importBundle(at: path)
        } throws: { error in
            // Then it is refused for its exporter, not for the damage: the body was never read
            guard case let FieldAuditError.untrustedSigner(exporter, _) = error else { return false }
            return exporter == stranger.id
        }
        #expect(try lead.store.digest() == before)
    }

    @Test func anUnknownExporterRelayingATrustedFoundersChangesIsReadToTheEnd() throws {
        // Given a bundle by an unknown key whose header covers the lead's own origin, which may
        // write the roster (so the body could make the exporter a member)
        let (lead, ben, _) = try sync.team()
        let engagement = try #require(try lead.store.snapshots(ofKind: EntityKind.engagement.rawValue).first?.id)
        let stranger = testIdentity(62)
        let header = BundleHeader(
            exporterKey: stranger.publicKey, createdAt: 1, engagements: [engagement],
            ranges: [OriginRange(origin: lead.identity.id, after: 0, through: 1)])

        // Then the importer reads on: the header alone cannot refuse it
        #expect(try lead.mayBeAccepted(header, trusted: []))
        #expect(try !lead.mayBeAccepted(
            BundleHeader(exporterKey: stranger.publicKey, createdAt: 1, engagements: [engagement],
                         ranges: [OriginRange(origin: stranger.id, after: 0, through: 1)]), trusted: []))
        // And a member of a held engagement is known from the header too
        #expect(try lead.mayBeAccepted(
            BundleHeader(exporterKey: ben.identity.publicKey, createdAt: 1, engagements: [engagement], ranges: []), trusted: []))
    }
}
