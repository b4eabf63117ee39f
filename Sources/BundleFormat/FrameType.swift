/// The type byte of a body frame (`Sync/PROTOCOL.md` §13); fixed forever, never renumbered.
enum FrameType: UInt8 {
    /// One change record.
    case change = 1
    /// A piece of an evidence file.
    case blobChunk = 2
    /// An origin's signed checkpoint.
    case checkpoint = 3
    /// The last frame: counts of what came before.
    case end = 4
    /// A change withheld from this peer: its id and chain hash only, so the chain stays whole.
    case redacted = 5
}
