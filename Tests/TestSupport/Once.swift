import Foundation

/// A test probe's latch: it acts once however many times it is reached (an export a probe starts
/// reaches the same probe again), and tells afterwards whether it was reached at all.
public final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    /// A latch not yet reached.
    public init() {}

    /// True the first time only.
    public func first() -> Bool {
        lock.withLock {
            defer { done = true }
            return !done
        }
    }

    /// Whether `first()` was called.
    public var happened: Bool { lock.withLock { done } }
}
