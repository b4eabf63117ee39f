import Crypto
import Replication
import TestSupport
import Testing

@testable import BundleFormat

/// Sealed bundles: only the listed recipients read the body; tampering fails authentication.
struct SealedBundleTests {
    let team = Team()
    let lead = testIdentity(401)
    let auditor = testIdentity(402)
    let outsider = testIdentity(403)

    func sealedSample(count: Int = 300) throws -> (records: [BundleRecord], bytes: [UInt8]) {
        var stream = team.stream(seed: 21)
        let header = team.header(ranges: stream.ranges())
        let records = stream.take(count).map { BundleRecord.change($0) }
        var generator = SeededGenerator(seed: 22)
        let sealing = try BundleSealing(
            recipients: [AgreementKey.derive(from: lead).publicKey, AgreementKey.derive(from: auditor).publicKey], using: &generator)
        return (records, try makeBundle(header: header, exporter: team.exporter, records: records, sealing: sealing))
    }

    @Test
    func agreementKeysAreDerivedDeterministicallyFromTheIdentity() {
        #expect(AgreementKey.derive(from: lead).publicKeyBytes == AgreementKey.derive(from: testIdentity(401)).publicKeyBytes)
        #expect(AgreementKey.derive(from: lead).publicKeyBytes != AgreementKey.derive(from: auditor).publicKeyBytes)
        #expect(AgreementKey.derive(from: lead).publicKeyBytes.count == 32)
    }

    @Test
    func everyRecipientOpensASealedBundle() throws {
        let (records, bytes) = try sealedSample()
        for recipient in [lead, auditor] {
            let read = try readBundle(bytes, agreementKey: AgreementKey.derive(from: recipient))
            #expect(read.records.map(fingerprint) == records.map(fingerprint))
            #expect(read.header.isSealed)
            #expect(read.header.capabilities.contains(.sealedBody))
        }
    }

    @Test
    func aSealedBundleOpensFedOneByteAtATime() throws {
        let (records, bytes) = try sealedSample(count: 2_000)
        let read = try readBundle(ChunkedSource(bytes, seed: 3, maximum: 3), agreementKey: AgreementKey.derive(from: auditor))
        #expect(read.records.map(fingerprint) == records.map(fingerprint))
    }

    @Test
    func aSealedBodyOfManyChunksRoundTripsAndItsChunksCannotBeReordered() throws {
        // Given a sealed bundle of several 64 KiB chunks
        let (records, bytes) = try sealedSample(count: 12_000)
        let key = AgreementKey.derive(from: auditor)
        let bodyStart = try BundleReader(source: MemorySource(bytes)).header.encoded().count
        let chunkSize = 4 + BundleLayout.sealedChunkLength + 16
        #expect(bytes.count > bodyStart + 3 * chunkSize)
        #expect(try readBundle(bytes, agreementKey: key).records.map(fingerprint) == records.map(fingerprint))

        // When its first two chunks swap places
        var swapped = bytes
        swapped.replaceSubrange(bodyStart..<(bodyStart + 2 * chunkSize), with: bytes[(bodyStart + chunkSize)..<(bodyStart + 2 * chunkSize)] + bytes[bodyStart..<(bodyStart + chunkSize)])

        // Then the first fails authentication
        #expect(readingError(swapped, agreementKey: key) == .sealedChunkRejected(chunk: 1, offset: bodyStart))

        // And dropping a whole chunk fails too
        var dropped = bytes
        dropped.removeSubrange((bodyStart + chunkSize)..<(bodyStart + 2 * chunkSize))
        #expect(readingError(dropped, agreementKey: key) == .sealedChunkRejected(chunk: 2, offset: bodyStart + chunkSize))
    }

    @Test
    func aHeaderReadFromASealedBundleIsWrittenPlainUnlessSealedAgain() throws {
        // Given the header of a sealed bundle, reused for a new bundle without sealing
        let (_, bytes) = try sealedSample(count: 5)
        let reused = try BundleReader(source: MemorySource(bytes)).header
        let plain = try makeBundle(header: reused, exporter: team.exporter, records: [])
        // Then the new bundle is plain and reads without a key
        let read = try readBundle(plain)
        #expect(!read.header.isSealed && read.header.capabilities.isEmpty)
        // And the sealing capability cannot be set by hand
        var forged = team.header(ranges: [])
        forged.capabilities = [.sealedBody]
        #expect(try readBundle(try makeBundle(header: forged, exporter: team.exporter, records: [])).header.capabilities.isEmpty)
    }

    @Test
    func aNonMemberReadsTheHeaderButNotTheBody() throws {
        let (_, bytes) = try sealedSample()
        let reader = try BundleReader(source: MemorySource(bytes))
        #expect(reader.header.seal?.recipients.count == 2)
        #expect(throws: BundleError.sealed(recipients: 2)) { _ = try reader.next() }
        #expect(readingError(bytes, agreementKey: AgreementKey.derive(from: outsider)) == .notARecipient(recipients: 2))
    }

    @Test
    func theCompressedBodyNeverAppearsInTheClear() throws {
        // Given the same change in a plain and in a sealed bundle (their compressed bodies are the same bytes)
        let header = BundleHeader(
            exporterKey: team.exporter.publicKey, createdAt: 0, engagements: [team.engagements[0]],
            ranges: [OriginRange(origin: team.exporter.id, after: 0, through: 1)])
        let change = Change(
            origin: team.exporter.id, seq: 1, stamp: .zero, transaction: 1, engagement: team.engagements[0], kind: "note",
            entity: testEntity(1), field: "text", value: .text("the auditee's supplier list is confidential"))
        let plain = try makeBundle(header: header, exporter: team.exporter, records: [.change(change)])
        let sealed = try makeBundle(
            header: header, exporter: team.exporter, records: [.change(change)],
            sealing: BundleSealing(recipients: [AgreementKey.derive(from: lead).publicKey]))

        // Then no 12-byte run of the plain body shows in the sealed bundle
        let body = Array(plain[header.encoded().count..<(plain.count - BundleLayout.trailerLength)])
        #expect(body.count > 24)
        for start in stride(from: 0, to: body.count - 12, by: 4) {
            #expect(!contains(sealed, Array(body[start..<(start + 12)])))
        }
    }

    @Test(arguments: 0..<3)
    func everyBitFlipInASealedBundleIsRefused(seed: UInt64) throws {
        let (_, bytes) = try sealedSample()
        let key = AgreementKey.derive(from: lead)
        var generator = SeededGenerator(seed: 2_000 + seed)
        for _ in 0..<100 {
            var damaged = bytes
            let offset = Int.random(in: damaged.indices, using: &generator)
            damaged[offset] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
            #expect(readingError(damaged, agreementKey: key) != nil, "a flip at byte \(offset) was accepted")
        }
    }

    @Test
    func aSealedBundleCutAtAnyByteIsRefused() throws {
        let (_, bytes) = try sealedSample(count: 40)
        let key = AgreementKey.derive(from: lead)
        for length in 0..<bytes.count {
            #expect(readingError(Array(bytes.prefix(length)), agreementKey: key) != nil, "cut to \(length) bytes was accepted")
        }
    }

    @Test
    func aTamperedChunkFailsAuthenticationBeforeTheDigestIsChecked() throws {
        let (_, bytes) = try sealedSample()
        let reader = try BundleReader(source: MemorySource(bytes))
        let bodyStart = reader.header.encoded().count
        var damaged = bytes
        damaged[bodyStart + 10] ^= 0x01
        #expect(readingError(damaged, agreementKey: AgreementKey.derive(from: lead)) == .sealedChunkRejected(chunk: 1, offset: bodyStart))
    }

    @Test
    func aChunkMovedFromAnotherBundleFailsAuthentication() throws {
        // Given two bundles sealed with the same generator (so the same content key) but different headers
        var stream = team.stream(seed: 30)
        let ranges = stream.ranges()
        let records = stream.take(10).map { BundleRecord.change($0) }
        func sealed(createdAt: UInt64) throws -> [UInt8] {
            var generator = SeededGenerator(seed: 31)
            var header = team.header(ranges: ranges)
            header.createdAt = createdAt
            return try makeBundle(
                header: header, exporter: team.exporter, records: records,
                sealing: BundleSealing(recipients: [AgreementKey.derive(from: lead).publicKey], using: &generator))
        }
        let first = try sealed(createdAt: 1), second = try sealed(createdAt: 2)
        let headerLength = try BundleReader(source: MemorySource(first)).header.encoded().count
        // When the first bundle's header is put on the second's body
        let spliced = Array(first.prefix(headerLength)) + second.dropFirst(headerLength)
        #expect(readingError(spliced, agreementKey: AgreementKey.derive(from: lead)) == .sealedChunkRejected(chunk: 1, offset: headerLength))
    }

    func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
