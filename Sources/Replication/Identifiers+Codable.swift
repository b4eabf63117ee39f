/// Identifiers travel in JSON as their text forms.
public protocol TextIdentifier: Codable {
    /// Parses the text form.
    init(text: String) throws(ReplicationError)
    /// The text form.
    var text: String { get }
}

extension TextIdentifier {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

extension EntityID: TextIdentifier {
    public init(text: String) throws(ReplicationError) { try self.init(text) }
    public var text: String { description }
}

extension ReplicaID: TextIdentifier {
    public init(text: String) throws(ReplicationError) { try self.init(hex: text) }
    public var text: String { hex }
}

extension BlobDigest: TextIdentifier {
    public init(text: String) throws(ReplicationError) { try self.init(hex: text) }
    public var text: String { hex }
}
