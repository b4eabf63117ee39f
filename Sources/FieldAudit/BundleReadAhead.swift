import AuditStore
import BundleFormat
import Foundation
import Replication

/// Pass two's reading of a bundle, on a thread of its own for a large bundle: it reads, inflates
/// and decodes the bundle into a small bounded queue of links (`depth` batches of `batch` links),
/// with each change's content digest (`SyncLink.change`'s `digest`), so the thread that applies
/// them only applies. Links of origins refused from a seq on (`refusedFrom`: their forks) are
/// left out, as are checkpoints and evidence chunks (pass one has kept what it needs of them).
///
/// The reader's errors (a damaged frame, the trailer's digest or signature) reach `next` in
/// order: after every link read before them. Memory is bounded by `(depth + 2) × batch` links
/// (the queue, the batch being filled and the one being applied), whatever the size of the
/// bundle. A small bundle is read on the caller's thread as `next` is called (`onThread` false,
/// and no digest computed ahead): a thread of its own would cost more memory (its own heap) than
/// it saves time.
///
/// `@unchecked Sendable`: `batches`, `end`, `stopped`, `ended` and `bytes` are read and written
/// only under `condition`'s lock; `current` and `inline` only by the one thread that calls `next`
/// and `stop`.
final class BundleReadAhead: @unchecked Sendable {
    private let condition = NSCondition()
    /// Batches of links, each in reverse order, so that `next` takes links off its end (a move,
    /// where taking one from the front would copy it and release it later: 3 % of an import).
    private var batches: [[SyncLink]] = []
    /// How the reading ended, once it has: after the last batch, or with the reader's error.
    private var end: Result<Void, any Error>?
    private var stopped = false
    private var ended = false
    private var bytes = 0
    private let depth: Int
    /// The batch being applied, in reverse order.
    private var current: [SyncLink] = []
    /// The reader and the forks, when the bundle is read on the caller's thread.
    private var inline: (reader: BundleReader<FileHandleSource>, refusedFrom: [ReplicaID: UInt64])?

    /// Starts reading `reader` on a new thread (`onThread`), or prepares to read it as `next` is
    /// called. The caller must not use `reader` afterwards, and must call `stop()` before it
    /// closes the reader's file.
    init(
        _ reader: BundleReader<FileHandleSource>, refusedFrom: [ReplicaID: UInt64], onThread: Bool, batch: Int = 1024, depth: Int = 2
    ) {
        self.depth = depth
        guard onThread else {
            inline = (reader, refusedFrom)
            ended = true
            return
        }
        let handover = Handover(reader)
        let thread = Thread { [self] in
            guard let reader = handover.take() else { return }
            read(reader, refusedFrom: refusedFrom, batch: batch)
        }
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// The bundle's bytes read so far (on a thread of its own, as far as the links queued).
    var bytesRead: Int {
        if let inline { return inline.reader.bytesRead }
        return condition.withLock { bytes }
    }

    /// The next link, in bundle order; `nil` at the end of a bundle read whole.
    ///
    /// - Throws: the reader's error, once every link read before it has been returned.
    func next() throws -> SyncLink? {
        if let inline {
            while let record = try inline.reader.next() {
                if let link = Self.link(record, refusedFrom: inline.refusedFrom, digested: false) { return link }
            }
            // Read to the end: let its reference tables go before the transaction commits.
            condition.withLock {
                bytes = inline.reader.bytesRead
                end = .success(())
            }
            self.inline = nil
            return nil
        }
        while current.isEmpty {
            let taken: [SyncLink]? = try condition.withLock {
                while batches.isEmpty, end == nil { condition.wait() }
                if batches.isEmpty {
                    try end?.get()
                    return nil
                }
                condition.broadcast()
                return batches.removeFirst()
            }
            guard let taken else { return nil }
            current = taken
        }
        return current.popLast()
    }

    /// Asks the read-ahead thread to stop and waits until it has: it reads at most one more
    /// batch. Call it once done with the links, whether or not they were all read.
    func stop() {
        condition.withLock {
            stopped = true
            condition.broadcast()
            while !ended { condition.wait() }
            batches = []
        }
        current = []
        inline = nil
    }

    /// The link a record carries for pass two, with its content digest if `digested`; `nil` for a
    /// checkpoint, an evidence chunk, or a link at or beyond its origin's fork (set aside, not applied).
    private static func link(_ record: BundleRecord, refusedFrom: [ReplicaID: UInt64], digested: Bool) -> SyncLink? {
        /// Whether a link is at or beyond its origin's fork.
        func refused(_ id: ChangeID) -> Bool { refusedFrom[id.origin].map { id.seq >= $0 } ?? false }
        switch record {
        case let .change(change):
            return refused(change.id) ? nil : .change(change, digest: digested ? ChangeDigest(of: change) : nil)
        case let .redacted(id, content): return refused(id) ? nil : .withheld(id, content)
        case .checkpoint, .blobChunk: return nil
        }
    }

    /// The read-ahead thread's work.
    private func read(_ reader: BundleReader<FileHandleSource>, refusedFrom: [ReplicaID: UInt64], batch size: Int) {
        var batch: [SyncLink] = []
        batch.reserveCapacity(size)
        var outcome: Result<Void, any Error> = .success(())
        do {
            while let record = try reader.next() {
                guard let link = Self.link(record, refusedFrom: refusedFrom, digested: true) else {
                    // Evidence chunks, checkpoints and set-aside links fill no batch: a stop is
                    // looked for after each of them too, so it never waits for the rest of a
                    // bundle of evidence.
                    if condition.withLock({ stopped }) { break }
                    continue
                }
                batch.append(link)
                if batch.count == size {
                    guard queue(&batch, bytesRead: reader.bytesRead) else { break }
                    batch.reserveCapacity(size)
                }
            }
        } catch {
            outcome = .failure(error)
        }
        _ = queue(&batch, bytesRead: reader.bytesRead)
        condition.withLock {
            end = outcome
            ended = true
            condition.broadcast()
        }
    }

    /// Queues a batch, reversed for `next`, once there is room; `false` once the reading is stopped.
    private func queue(_ batch: inout [SyncLink], bytesRead: Int) -> Bool {
        batch.reverse()  // in place: the elements are moved, not copied
        let queued = batch
        batch = []
        return condition.withLock {
            while batches.count >= depth, !stopped { condition.wait() }
            guard !stopped else { return false }
            if !queued.isEmpty { batches.append(queued) }
            bytes = bytesRead
            condition.broadcast()
            return true
        }
    }
}

/// A value handed to the one piece of work that uses it from then on (often on another thread),
/// taken there once, so that it goes when that work is done with it rather than when its giver
/// returns: a pass's `BundleReader`, whose reference tables would otherwise stay alive beside the
/// other pass's.
///
/// `@unchecked Sendable`: the value (a `BundleReader`, which keeps a file position and reference
/// tables) is set before the receiving thread starts and taken once by that thread; the thread
/// that hands it over never touches it again, so it is never used on two threads at once.
final class Handover<Value>: @unchecked Sendable {
    private var value: Value?

    init(_ value: Value) {
        self.value = value
    }

    /// The value, once; `nil` after.
    func take() -> Value? {
        defer { value = nil }
        return value
    }
}
