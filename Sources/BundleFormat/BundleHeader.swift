import Crypto
import Replication

/// The uncompressed header of a bundle: who exported it, when, what it covers and how its body
/// is to be read.
///
/// The header is readable without opening the body (`fieldaudit bundle inspect`), also when the
/// body is sealed; it is covered by the trailer's digest and signature, so it can be trusted only
/// once the whole bundle has been read (`BundleReader.next()` returned `nil`).
public struct BundleHeader: Hashable, Sendable {
    /// Capabilities the bundle uses; a reader refuses a bundle that requires one it does not know.
    /// The writer adds `BundleCapability.sealedBody` itself when sealing, and drops it otherwise.
    public var capabilities: [BundleCapability]
    /// The exporter's Ed25519 public key, 32 bytes.
    public let exporterPublicKey: [UInt8]
    /// The exporter's replica id, derived from `exporterPublicKey`.
    public let exporter: ReplicaID
    /// When the bundle was made, in Unix milliseconds (the exporter's wall clock; informative only).
    public var createdAt: UInt64
    /// The engagements the bundle covers, ascending: every change belongs to one of them.
    public var engagements: [EntityID]
    /// Per origin, the seqs the bundle covers, ascending by origin: every change lies in one.
    public var ranges: [OriginRange]
    /// Whether the body may carry evidence blob chunks.
    public var includesEvidence: Bool
    /// The sealing of the body, when it is encrypted: set by the writer from its `BundleSealing`,
    /// and by the reader from the file.
    public internal(set) var seal: BundleSeal?
    /// The newest checkpoint the exporter holds that the *recipient's* key signed, when the bundle
    /// is made for a known peer: informational, so that a replica restored from an older backup
    /// learns that others hold more of its own history (`Sync/PROTOCOL.md` §12.2, §21.2).
    ///
    /// Carried in optional capabilities that older builds ignore; only the replica whose key
    /// signed it acts on it, after checking the signature with its own key. It vouches for
    /// nothing in the bundle's body, and no reader checks it while reading.
    public var recipientCheckpoint: Checkpoint?

    /// Describes a bundle by `exporterKey`; engagements are sorted and deduplicated, ranges sorted.
    ///
    /// `BundleWriter` checks the rest (one range per origin, `after < through`, limits).
    public init(
        exporterKey: Curve25519.Signing.PublicKey, createdAt: UInt64, engagements: [EntityID],
        ranges: [OriginRange], includesEvidence: Bool = false, capabilities: [BundleCapability] = []
    ) {
        self.exporterPublicKey = Array(exporterKey.rawRepresentation)
        self.exporter = ReplicaID(publicKey: exporterKey)
        self.createdAt = createdAt
        self.engagements = Array(Set(engagements)).sorted()
        self.ranges = ranges.sorted { $0.origin < $1.origin }
        self.includesEvidence = includesEvidence
        self.capabilities = capabilities
        self.seal = nil
        self.recipientCheckpoint = nil
    }

    init(
        exporterPublicKey: [UInt8], exporter: ReplicaID, createdAt: UInt64, engagements: [EntityID],
        ranges: [OriginRange], includesEvidence: Bool, capabilities: [BundleCapability], seal: BundleSeal?,
        recipientCheckpoint: Checkpoint?
    ) {
        self.exporterPublicKey = exporterPublicKey
        self.exporter = exporter
        self.createdAt = createdAt
        self.engagements = engagements
        self.ranges = ranges
        self.includesEvidence = includesEvidence
        self.capabilities = capabilities
        self.seal = seal
        self.recipientCheckpoint = recipientCheckpoint
    }

    /// Whether the body is encrypted for a list of recipients.
    public var isSealed: Bool { seal != nil }

    /// The range covering `origin`, if the header declares one.
    public func range(of origin: ReplicaID) -> OriginRange? {
        var low = 0, high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].origin < origin { low = middle + 1 } else { high = middle }
        }
        return low < ranges.count && ranges[low].origin == origin ? ranges[low] : nil
    }
}

/// The seqs of one origin that a bundle covers: those above `after` up to and including `through`.
///
/// A bundle need not hold every change of its ranges (an exporter sends what it holds, gaps
/// included), but it holds no change outside them.
public struct OriginRange: Hashable, Sendable, CustomStringConvertible {
    /// The origin replica.
    public var origin: ReplicaID
    /// The highest seq the receiving peer was known to hold (exclusive lower bound; 0 for none).
    public var after: UInt64
    /// The highest seq covered (inclusive upper bound).
    public var through: UInt64

    /// The seqs `after + 1 … through` of `origin`.
    public init(origin: ReplicaID, after: UInt64, through: UInt64) {
        self.origin = origin
        self.after = after
        self.through = through
    }

    /// Whether `seq` lies in the range.
    public func contains(_ seq: UInt64) -> Bool { seq > after && seq <= through }

    /// The ranges that bring a peer at `peer` up to `exporter`: one per origin where `exporter` is ahead.
    public static func covering(from peer: VersionVector, to exporter: VersionVector) -> [OriginRange] {
        exporter.sorted.compactMap { origin, seq in
            seq > peer[origin] ? OriginRange(origin: origin, after: peer[origin], through: seq) : nil
        }
    }

    /// `origin-short:(after, through]`.
    public var description: String { "\(origin.short):(\(after), \(through)]" }
}

/// A named feature a bundle uses.
///
/// A reader MUST refuse a bundle that lists a *required* capability it does not know, and MAY
/// ignore an unknown optional one. Names are 1–64 bytes of lowercase ASCII letters, digits, `-` and `.`.
public struct BundleCapability: Hashable, Sendable, CustomStringConvertible {
    /// The capability's name.
    public var name: String
    /// Whether a reader that does not know it must refuse the bundle.
    public var isRequired: Bool

    /// A capability named `name`.
    init(name: String, isRequired: Bool) {
        self.name = name
        self.isRequired = isRequired
    }

    /// The body is encrypted for a list of recipients (`Sync/PROTOCOL.md` §16); always required.
    static let sealedBody = BundleCapability(name: "sealed-body-v1", isRequired: true)

    /// The capabilities this build understands.
    static let known: Set<String> = [sealedBody.name]

    /// The name, marked `(required)` when a reader must know it, as `bundle inspect` lists it.
    public var description: String { isRequired ? "\(name) (required)" : name }

    /// Whether `name` is spelled as the format allows.
    static func isWellFormed(_ name: String) -> Bool {
        let utf8 = name.utf8
        return (1...BundleLayout.maximumCapabilityNameLength).contains(utf8.count) && utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
    }
}
