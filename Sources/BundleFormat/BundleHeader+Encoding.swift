import Crypto
import Replication

// The header's bytes, `Sync/PROTOCOL.md` §12.
extension BundleHeader {
    /// Flag bits of the header's first field.
    enum Flag {
        static let evidence: UInt16 = 1 << 0
        static let sealed: UInt16 = 1 << 1
        static let all: UInt16 = evidence | sealed
    }

    /// The bytes from the magic to the end of the header fields: where the body starts.
    func encoded() -> [UInt8] {
        var fields = ByteWriter(capacity: 128 + engagements.count * 16 + ranges.count * 32)
        fields.write((includesEvidence ? Flag.evidence : 0) | (seal != nil ? Flag.sealed : 0))
        let listed = capabilities + (recipientCheckpoint.map(Self.capabilities(carrying:)) ?? [])
        fields.write(UInt8(truncatingIfNeeded: listed.count))
        for capability in listed {
            fields.write(UInt8(truncatingIfNeeded: capability.name.utf8.count))
            fields.write(raw: capability.name.utf8)
            fields.write(UInt8(capability.isRequired ? 1 : 0))
        }
        fields.write(raw: exporterPublicKey)
        fields.write(raw: exporter.bytes)
        fields.write(createdAt)
        fields.write(UInt32(truncatingIfNeeded: engagements.count))
        for engagement in engagements { fields.write(raw: engagement.bytes) }
        fields.write(UInt32(truncatingIfNeeded: ranges.count))
        for range in ranges {
            fields.write(raw: range.origin.bytes)
            fields.write(range.after)
            fields.write(range.through)
        }
        if let seal {
            fields.write(raw: seal.ephemeralPublicKey)
            fields.write(UInt16(truncatingIfNeeded: seal.recipients.count))
            for recipient in seal.recipients {
                fields.write(raw: recipient.recipient)
                fields.write(raw: recipient.wrappedKey)
            }
        }
        var out = ByteWriter(capacity: 14 + fields.bytes.count)
        out.write(raw: BundleLayout.magic)
        out.write(BundleLayout.formatVersion)
        out.write(UInt32(truncatingIfNeeded: fields.bytes.count))
        out.write(raw: fields.bytes)
        return out.bytes
    }

    /// Why this header cannot be written, or `nil` if it can.
    func problemForWriting() -> String? {
        if let problem = Self.problem(engagements: engagements) ?? Self.problem(ranges: ranges) { return problem }
        let carriers = recipientCheckpoint.map(Self.capabilities(carrying:)) ?? []
        guard capabilities.count + carriers.count <= BundleLayout.maximumCapabilities else { return "too many capabilities" }
        var names = Set<String>()
        for capability in capabilities {
            guard !capability.name.hasPrefix(Self.recipientCheckpointPrefix) else {
                return "capabilities named \(Self.recipientCheckpointPrefix)… carry the recipient's checkpoint: set recipientCheckpoint instead"
            }
            guard BundleCapability.isWellFormed(capability.name) else {
                return "capability name \"\(capability.name)\" must be 1 to 64 bytes of a-z, 0-9, '-' and '.'"
            }
            guard names.insert(capability.name).inserted else { return "capability \"\(capability.name)\" is listed twice" }
        }
        guard names.contains(BundleCapability.sealedBody.name) == (seal != nil) else {
            return "the capability \(BundleCapability.sealedBody.name) is set by the writer when sealing, never by hand"
        }
        return nil
    }

    /// Why a list of engagements breaks the format's rules, or `nil`.
    static func problem(engagements: [EntityID]) -> String? {
        guard engagements.count <= BundleLayout.maximumEngagements else {
            return "\(engagements.count) engagements, above the limit of \(BundleLayout.maximumEngagements)"
        }
        for (earlier, later) in zip(engagements, engagements.dropFirst()) where !(earlier < later) {
            return "engagements must be strictly ascending"
        }
        return nil
    }

    /// Why a list of origin ranges breaks the format's rules, or `nil`.
    static func problem(ranges: [OriginRange]) -> String? {
        guard ranges.count <= BundleLayout.maximumRanges else {
            return "\(ranges.count) origin ranges, above the limit of \(BundleLayout.maximumRanges)"
        }
        for (earlier, later) in zip(ranges, ranges.dropFirst()) where !(earlier.origin < later.origin) {
            return "origin ranges must be strictly ascending by origin, one per origin"
        }
        for range in ranges where !(range.after < range.through && range.through <= UInt64(Int64.max)) {
            return "origin range \(range) must have after < through < 2^63"
        }
        return nil
    }

    /// Parses the header fields (the bytes after the header length), which start at `offset` in the file.
    ///
    /// - Throws: `malformedHeader`, `exporterMismatch` or `unsupportedCapability`.
    static func decode(fields: [UInt8], offset: Int) throws(BundleError) -> BundleHeader {
        var cursor = ByteCursor(fields, place: .header(offset: offset))
        let flags = UInt16(try cursor.bigEndian(2, "flags"))
        guard flags & ~Flag.all == 0 else {
            throw cursor.fail("flags \(String(flags, radix: 2)) set bits that format version 1 does not define")
        }
        let capabilityCount = Int(try cursor.byte("capability count"))
        var capabilities: [BundleCapability] = []
        for number in 1..<(capabilityCount + 1) {
            let length = Int(try cursor.byte("length of capability \(number)"))
            let name = try cursor.utf8(length, "name of capability \(number)")
            guard BundleCapability.isWellFormed(name), !capabilities.contains(where: { $0.name == name }) else {
                throw cursor.fail("capability \(number) has a malformed or repeated name")
            }
            let required = try cursor.byte("required flag of capability \(number)")
            guard required <= 1 else { throw cursor.fail("required flag of capability \(number) must be 0 or 1") }
            capabilities.append(BundleCapability(name: name, isRequired: required == 1))
        }
        let publicKey = Array(try cursor.take(32, "exporter public key"))
        let declared = try cursor.take(ReplicaID.byteCount, "exporter replica id", as: { try ReplicaID(bytes: $0) })
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else {
            throw cursor.fail("the exporter public key is not an Ed25519 key")
        }
        let derived = ReplicaID(publicKey: key)
        guard derived == declared else { throw .exporterMismatch(declared: declared, derived: derived) }
        let createdAt = try cursor.bigEndian(8, "creation time")

        let engagementCount = try cursor.count("engagement count", elementSize: 16, limit: BundleLayout.maximumEngagements)
        var engagements: [EntityID] = []
        engagements.reserveCapacity(engagementCount)
        for number in 0..<engagementCount {
            engagements.append(try cursor.take(16, "engagement \(number + 1)", as: { try EntityID(bytes: $0) }))
        }
        if let problem = problem(engagements: engagements) { throw cursor.fail(problem) }

        let rangeCount = try cursor.count("origin range count", elementSize: 32, limit: BundleLayout.maximumRanges)
        var ranges: [OriginRange] = []
        ranges.reserveCapacity(rangeCount)
        for number in 0..<rangeCount {
            let origin = try cursor.take(16, "origin of range \(number + 1)", as: { try ReplicaID(bytes: $0) })
            let after = try cursor.bigEndian(8, "start of range \(number + 1)")
            let through = try cursor.bigEndian(8, "end of range \(number + 1)")
            ranges.append(OriginRange(origin: origin, after: after, through: through))
        }
        if let problem = problem(ranges: ranges) { throw cursor.fail(problem) }

        var seal: BundleSeal?
        if flags & Flag.sealed != 0 {
            seal = try BundleSeal.decode(from: &cursor)
        }
        try cursor.expectEnd("the header fields")

        let sealedCapability = capabilities.contains { $0 == BundleCapability.sealedBody }
        guard sealedCapability == (seal != nil) else {
            throw .malformedHeader(
                reason: "the sealed flag and the required capability \(BundleCapability.sealedBody.name) must go together",
                offset: offset)
        }
        if let unknown = capabilities.first(where: { $0.isRequired && !BundleCapability.known.contains($0.name) }) {
            throw .unsupportedCapability(unknown.name)
        }
        let (recipientCheckpoint, listed) = recipientCheckpoint(in: capabilities)
        return BundleHeader(
            exporterPublicKey: publicKey, exporter: declared, createdAt: createdAt, engagements: engagements,
            ranges: ranges, includesEvidence: flags & Flag.evidence != 0, capabilities: listed, seal: seal,
            recipientCheckpoint: recipientCheckpoint)
    }
}
