/// A version vector travels in JSON as an object: each origin's 32 hex digits to its gap-free seq.
extension VersionVector: Codable {
    /// Decodes the JSON object; a seq of 0 reads as the origin being absent.
    ///
    /// - Throws: `DecodingError.dataCorrupted` for a key that is not 32 hex digits.
    public init(from decoder: any Decoder) throws {
        let entries = try decoder.singleValueContainer().decode([String: UInt64].self)
        var vector = VersionVector()
        for (origin, seq) in entries {
            do { vector[try ReplicaID(hex: origin)] = seq } catch {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
            }
        }
        self = vector
    }

    /// Encodes the JSON object; with `JSONEncoder.OutputFormatting.sortedKeys` the text is the same on every replica.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Dictionary(uniqueKeysWithValues: sorted.map { ($0.origin.hex, $0.seq) }))
    }
}
