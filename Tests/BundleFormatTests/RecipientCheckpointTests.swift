import Crypto
import Replication
import TestSupport
import Testing

@testable import BundleFormat

/// The recipient's checkpoint in a bundle header (`Sync/PROTOCOL.md` §12.2): it survives the
/// round trip, travels as optional capabilities an older build ignores, and a damaged value is
/// ignored rather than refused.
struct RecipientCheckpointTests {
    let team = Team()

    /// A checkpoint of the auditor's origin with a seeded seq and hash.
    func checkpoint(seed: UInt64) -> Checkpoint {
        var generator = SeededGenerator(seed: seed)
        let hash = try! ChangeHash(bytes: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        return Checkpoint.sign(seq: UInt64.random(in: 1...UInt64(Int64.max), using: &generator), hash: hash, by: team.auditor)
    }

    /// The capabilities listed in an encoded header, read the way format version 1 reads them.
    func listedCapabilities(_ bundle: [UInt8]) -> [(name: String, required: UInt8)] {
        var index = 14 + 2
        let count = Int(bundle[index])
        index += 1
        return (0..<count).map { _ in
            let length = Int(bundle[index])
            let name = String(decoding: bundle[(index + 1)..<(index + 1 + length)], as: UTF8.self)
            let required = bundle[index + 1 + length]
            index += length + 2
            return (name, required)
        }
    }

    @Test(arguments: 1...40)
    func aRecipientCheckpointSurvivesTheRoundTripAndIsNotListedAsACapability(seed: UInt64) throws {
        var header = team.header(ranges: [OriginRange(origin: team.exporter.id, after: 0, through: 1)])
        header.recipientCheckpoint = checkpoint(seed: seed)
        let bundle = try makeBundle(header: header, exporter: team.exporter, records: [])
        let read = try readBundle(bundle)
        #expect(read.header.recipientCheckpoint == header.recipientCheckpoint)
        #expect(read.header.capabilities.isEmpty)
        #expect(read.header == header)
    }

    @Test func aSealedBundleCarriesTheRecipientCheckpointInItsClearHeader() throws {
        var header = team.header(ranges: [OriginRange(origin: team.exporter.id, after: 0, through: 1)])
        header.recipientCheckpoint = checkpoint(seed: 7)
        let key = AgreementKey.derive(from: team.auditor)
        let sealing = try BundleSealing(recipients: [try Curve25519.KeyAgreement.PublicKey(rawRepresentation: key.publicKeyBytes)])
        let bundle = try makeBundle(header: header, exporter: team.exporter, records: [], sealing: sealing)
        let read = try readBundle(bundle, agreementKey: key)
        #expect(read.header.recipientCheckpoint == header.recipientCheckpoint)
        #expect(read.header.capabilities.map(\.name) == [BundleCapability.sealedBody.name])
    }

    @Test func anOlderBuildSeesOnlyOptionalWellFormedCapabilitiesItMayIgnore() throws {
        var header = team.header(ranges: [OriginRange(origin: team.exporter.id, after: 0, through: 1)])
        header.recipientCheckpoint = checkpoint(seed: 3)
        let listed = listedCapabilities(try makeBundle(header: header, exporter: team.exporter, records: []))
        #expect(listed.count == 6)
        for capability in listed {
            #expect(capability.required == 0, "\(capability.name)")
            #expect(BundleCapability.isWellFormed(capability.name), "\(capability.name)")
            #expect(capability.name.hasPrefix("peer-head."), "\(capability.name)")
        }
    }

    @Test func aDamagedOrIncompleteCarrierIsIgnoredAndKeptAsUnknownOptionalCapabilities() throws {
        let carriers = BundleHeader.capabilities(carrying: checkpoint(seed: 5))
        #expect(BundleHeader.recipientCheckpoint(in: carriers).0 == checkpoint(seed: 5))
        let other = BundleCapability(name: "some-feature", isRequired: false)
        var notHex = carriers
        notHex[2] = BundleCapability(name: String(notHex[2].name.dropLast()) + "z", isRequired: false)
        var required = carriers
        required[0] = BundleCapability(name: required[0].name, isRequired: true)
        let damaged: [(String, [BundleCapability])] = [
            ("a part missing", Array(carriers.dropLast())), ("a part out of place", Array(carriers.dropFirst())),
            ("a part repeated", carriers + [carriers[1]]), ("not hex", notHex), ("required", required),
            ("a bad index", carriers + [BundleCapability(name: "peer-head.01.00", isRequired: false)]),
        ]
        for (what, capabilities) in damaged {
            let (found, rest) = BundleHeader.recipientCheckpoint(in: capabilities + [other])
            #expect(found == nil, "\(what)")
            #expect(rest == capabilities + [other], "\(what)")
        }
    }

    @Test func aWriterRefusesACapabilityNamedLikeTheCarrier() throws {
        let header = team.header(
            ranges: [OriginRange(origin: team.exporter.id, after: 0, through: 1)],
            capabilities: [BundleCapability(name: "peer-head.0.00", isRequired: false)])
        #expect(throws: BundleError.self) { _ = try makeBundle(header: header, exporter: team.exporter, records: []) }
    }
}
