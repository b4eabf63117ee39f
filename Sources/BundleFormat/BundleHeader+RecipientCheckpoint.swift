import Replication

// The recipient's checkpoint, carried in optional capabilities (`Sync/PROTOCOL.md` §12.2).
//
// Format version 1 fixes the header fields and ends the header after the last one, so a new
// field would make every older build refuse the bundle. Optional capabilities are the one place
// an older reader skips what it does not know: the checkpoint travels there, as lowercase hex
// split over names `peer-head.K.HEX` (K = 0, 1, …), which an older build lists and ignores.
extension BundleHeader {
    /// The prefix of the capabilities that carry `recipientCheckpoint`.
    static let recipientCheckpointPrefix = "peer-head."
    /// Hex digits carried per capability: `peer-head.K.` takes 12 of a name's 64 bytes.
    static let recipientCheckpointDigitsPerPart = 52

    /// The capabilities `recipientCheckpoint` travels as: its 136 bytes (signer key 32, seq as u64
    /// big-endian, chain hash 32, signature 64) in lowercase hex, split in order. Never required.
    static func capabilities(carrying checkpoint: Checkpoint) -> [BundleCapability] {
        var bytes = ByteWriter(capacity: 136)
        bytes.write(raw: checkpoint.signerPublicKey)
        bytes.write(checkpoint.seq)
        bytes.write(raw: checkpoint.hash.bytes)
        bytes.write(raw: checkpoint.signature)
        let digits = Array(Hex.encode(bytes.bytes))
        return stride(from: 0, to: digits.count, by: recipientCheckpointDigitsPerPart).enumerated().map { part, start in
            let end = min(start + recipientCheckpointDigitsPerPart, digits.count)
            return BundleCapability(name: "\(recipientCheckpointPrefix)\(part).\(String(digits[start..<end]))", isRequired: false)
        }
    }

    /// Splits the decoded capabilities into the recipient's checkpoint they carry and the rest.
    ///
    /// A value that does not assemble (a part missing, repeated or required, not hex, not 136
    /// bytes, a key that is not Ed25519, seq 0) is not an error: the parts stay in the list as
    /// unknown optional capabilities, ignored as an older build ignores them, and the checkpoint
    /// is `nil`. The signature is not checked here: only the replica whose key signed it can.
    static func recipientCheckpoint(in capabilities: [BundleCapability]) -> (Checkpoint?, [BundleCapability]) {
        let carriers = capabilities.filter { $0.name.hasPrefix(recipientCheckpointPrefix) }
        guard !carriers.isEmpty else { return (nil, capabilities) }
        var parts: [Int: Substring] = [:]
        for carrier in carriers {
            let fields = carrier.name.dropFirst(recipientCheckpointPrefix.count).split(separator: ".", omittingEmptySubsequences: false)
            guard !carrier.isRequired, fields.count == 2, let number = Int(fields[0]), String(number) == fields[0],
                  parts[number] == nil
            else { return (nil, capabilities) }
            parts[number] = fields[1]
        }
        let hex = (0..<parts.count).compactMap { parts[$0] }.joined()
        guard parts.count == carriers.count, parts.keys.allSatisfy({ $0 < parts.count }), hex == hex.lowercased(),
              let bytes = Hex.decode(hex), bytes.count == 136,
              let hash = try? ChangeHash(bytes: Array(bytes[40..<72])),
              let checkpoint = try? Checkpoint(
                signerPublicKey: Array(bytes[0..<32]), seq: bytes[32..<40].reduce(UInt64(0)) { $0 << 8 | UInt64($1) },
                hash: hash, signature: Array(bytes[72..<136]))
        else { return (nil, capabilities) }
        return (checkpoint, capabilities.filter { !$0.name.hasPrefix(recipientCheckpointPrefix) })
    }
}
