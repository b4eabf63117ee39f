import Replication

/// Everything that can go wrong writing or reading a bundle: each case says what was wrong, where
/// (a byte offset in the file, or a frame number and its offset in the decompressed body), and
/// what to do next.
///
/// Readers never crash and never allocate more than the limits of `BundleLayout` on any input;
/// every malformed, truncated, tampered or unsupported bundle ends in one of these cases.
public enum BundleError: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: - The file as a whole

    /// The first bytes are not `FABUNDLE`: this is not a FieldAudit bundle.
    case notABundle(found: [UInt8])
    /// The bundle's format version is not one this build reads (`found` is newer, or 0).
    case unsupportedVersion(found: UInt16, newestSupported: UInt16)
    /// The header requires a capability this build does not know.
    case unsupportedCapability(String)
    /// The input ended early: `what` was being read at byte `offset` of the file.
    case truncated(what: String, offset: Int)
    /// The header breaks a rule of the format; `offset` is the byte where the broken field starts.
    case malformedHeader(reason: String, offset: Int)
    /// The header names an exporter id that is not the one derived from the exporter's public key.
    case exporterMismatch(declared: ReplicaID, derived: ReplicaID)
    /// The compressed body could not be decompressed; `offset` is the byte of the file reached.
    case corruptBody(reason: String, offset: Int)
    /// Bytes follow the trailer, starting at `offset`.
    case trailingBytes(offset: Int)
    /// The digest in the trailer is not the SHA-256 of the bytes before it.
    case digestMismatch(recorded: [UInt8], computed: [UInt8])
    /// The trailer's signature is not the exporter's signature of the digest.
    case badSignature(exporter: ReplicaID)

    // MARK: - Frames

    /// A frame breaks a rule of the format. Frames are numbered from 1; `offset` is where the frame
    /// starts in the decompressed body.
    case malformedFrame(frame: Int, offset: Int, reason: String)
    /// A frame has a type this format version does not define.
    case unknownFrameType(UInt8, frame: Int, offset: Int)
    /// A length or count field exceeds its limit.
    case limitExceeded(what: String, found: UInt64, limit: Int, frame: Int, offset: Int)
    /// A change decoded from a frame breaks an invariant of the change record.
    case invalidChange(frame: Int, ReplicationError)
    /// A change lies outside the engagements or origin ranges that the header declares.
    case outsideHeader(frame: Int, change: ChangeID, reason: String)
    /// A checkpoint's signature is not its origin's signature of (origin, seq, hash); `frame` is
    /// `nil` when the checkpoint was checked outside a bundle.
    case forgedCheckpoint(origin: ReplicaID, seq: UInt64, frame: Int?)
    /// The body ended (or its end frame was reached) with something missing or extra.
    case incompleteBody(afterFrame: Int, reason: String)
    /// The bundle carries more redacted changes than its size allows
    /// (`BundleLayout.maximumRedactedChanges(inBundleOf:)`): it would make the receiver store far
    /// more than it sent.
    case tooManyRedactedChanges(found: UInt64, limit: UInt64, bundleBytes: UInt64)

    // MARK: - Sealed bodies

    /// The body is sealed and no agreement key was given to open it.
    case sealed(recipients: Int)
    /// The agreement key given is not one of the bundle's recipients'.
    case notARecipient(recipients: Int)
    /// A sealed chunk failed authentication: it was altered, reordered, cut or belongs to another bundle.
    case sealedChunkRejected(chunk: Int, offset: Int)

    // MARK: - Writing

    /// The writer refused a record or header because it would make an invalid bundle; nothing was written.
    case refused(reason: String)
    /// A byte sink or source failed.
    case io(String)

    /// The message a user reads: what is wrong with the bundle (with the byte offset, frame or
    /// change where known) and what to do next: copy it again, update fieldaudit, or refuse it as
    /// altered.
    public var description: String {
        switch self {
        case let .notABundle(found):
            "not a FieldAudit bundle: it starts with \(Hex.encode(found)) instead of \"FABUNDLE\"; check that this is the file that was exported"
        case let .unsupportedVersion(found, newest) where found > newest:
            "bundle format version \(found) is newer than this build reads (up to \(newest)); update fieldaudit on this machine and import it again"
        case let .unsupportedVersion(found, newest):
            "bundle format version \(found) is not a version this build reads (1 to \(newest)); the file is damaged or was not made by fieldaudit"
        case let .unsupportedCapability(name):
            "the bundle requires the capability \"\(name)\", which this build does not have; update fieldaudit and import it again"
        case let .truncated(what, offset):
            "the bundle is cut short: it ends at byte \(offset) while reading \(what); copy it again from its source"
        case let .malformedHeader(reason, offset):
            "the bundle's header is damaged at byte \(offset): \(reason); copy it again from its source"
        case let .exporterMismatch(declared, derived):
            "the bundle claims exporter \(declared) but its key belongs to \(derived); it was tampered with, do not import it"
        case let .corruptBody(reason, offset):
            "the bundle's compressed body is damaged near byte \(offset) (\(reason)); copy it again from its source"
        case let .trailingBytes(offset):
            "the bundle has extra bytes after its trailer, from byte \(offset); copy it again from its source"
        case let .digestMismatch(recorded, computed):
            "the bundle's contents do not match its digest (recorded \(Hex.encode(recorded).prefix(16))…, computed \(Hex.encode(computed).prefix(16))…): it was damaged or altered; copy it again from its source"
        case let .badSignature(exporter):
            "the bundle's signature is not exporter \(exporter)'s: it was altered or forged; do not import it"
        case let .malformedFrame(frame, offset, reason):
            "frame \(frame) (body offset \(offset)) is malformed: \(reason); the bundle is damaged, copy it again from its source"
        case let .unknownFrameType(type, frame, offset):
            "frame \(frame) (body offset \(offset)) has unknown type \(type); the bundle is damaged or needs a newer fieldaudit"
        case let .limitExceeded(what, found, limit, frame, offset):
            "\(what) is \(found) in frame \(frame) (body offset \(offset)), above the limit of \(limit); the bundle is damaged or hostile, do not import it"
        case let .invalidChange(frame, error):
            "frame \(frame) holds an invalid change: \(error); the bundle is damaged or was made by a faulty exporter"
        case let .outsideHeader(frame, change, reason):
            "change \(change) in frame \(frame) lies outside what the header declares: \(reason); the bundle was altered or made by a faulty exporter"
        case let .forgedCheckpoint(origin, seq, frame):
            "the checkpoint for \(origin.short):\(seq)\(frame.map { " in frame \($0)" } ?? "") is not signed by \(origin.short)'s key: it was forged or altered; do not import the bundle"
        case let .incompleteBody(afterFrame, reason):
            "the bundle's body is incomplete after frame \(afterFrame): \(reason); copy it again from its source"
        case let .tooManyRedactedChanges(found, limit, bundleBytes):
            "the bundle carries \(found) withheld changes in \(bundleBytes) bytes, more than the \(limit) a bundle of its size may carry (one per \(BundleLayout.bytesPerRedactedChange) bytes): it would make this replica store far more than it sent, so it was crafted or made by a faulty exporter; do not import it"
        case let .sealed(recipients):
            "the bundle is sealed for \(recipients) recipient(s); open it with the agreement key of one of them"
        case let .notARecipient(recipients):
            "this replica is not among the bundle's \(recipients) recipient(s), so it cannot open it; ask the exporter to seal it for this replica"
        case let .sealedChunkRejected(chunk, offset):
            "sealed chunk \(chunk) at byte \(offset) failed authentication: the bundle was altered, cut or reordered; copy it again from its source"
        case let .refused(reason):
            "refused to write the bundle: \(reason)"
        case let .io(reason):
            "could not read or write the bundle: \(reason)"
        }
    }
}
