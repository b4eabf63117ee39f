/// Identifiers travel in JSON as their text forms.
public protocol TextIdentifier: Codable {
    /// Parses the text form.
    init(text: String) throws(ReplicationError)
    /// The text form.
    var text: String { get }
}

extension TextIdentifier {
    /// Decodes the text form from a JSON string.
    ///
    /// - Throws: `DecodingError.dataCorrupted` whose description is the `ReplicationError`'s message.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// Encodes the text form as a JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

extension EntityID: TextIdentifier {
    /// Parses the `8-4-4-4-12` UUID spelling (see `init(_:)`).
    public init(text: String) throws(ReplicationError) { try self.init(text) }
    /// The lowercase `8-4-4-4-12` UUID spelling.
    public var text: String { description }
}

extension ReplicaID: TextIdentifier {
    /// Parses 32 hex digits.
    public init(text: String) throws(ReplicationError) { try self.init(hex: text) }
    /// 32 lowercase hex digits.
    public var text: String { hex }
}

extension BlobDigest: TextIdentifier {
    /// Parses 64 hex digits.
    public init(text: String) throws(ReplicationError) { try self.init(hex: text) }
    /// 64 lowercase hex digits.
    public var text: String { hex }
}
