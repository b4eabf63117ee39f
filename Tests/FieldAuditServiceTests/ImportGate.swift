import Foundation

/// Holds an import open inside its transaction (`Replica.importBundle(beforeCommit:)`) until the
/// test lets it go. `hold` runs on the import's thread (a dispatch queue of the central); the test
/// waits for it without blocking the concurrency pool. Only the first attempt is held (PostgreSQL
/// may run an import's transaction again).
final class ImportGate: @unchecked Sendable {
    private let condition = NSCondition()
    private var entered = false
    private var released = false

    /// Called inside the import's transaction: waits until `release`.
    func hold() {
        condition.lock()
        defer { condition.unlock() }
        entered = true
        condition.broadcast()
        while !released { condition.wait() }
    }

    /// Returns once an import is held in `hold`.
    func held() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.condition.lock()
                while !self.entered { self.condition.wait() }
                self.condition.unlock()
                continuation.resume()
            }
        }
    }

    /// Lets the held import commit.
    func release() {
        condition.lock()
        released = true
        condition.broadcast()
        condition.unlock()
    }
}
