import Dispatch

/// Runs `body` on a thread of a dispatch queue, never the caller's, and waits for it: what a test
/// does inside a store's pinned read (`withPinnedRead`) to commit beside it, as another request
/// of a server would. A task would inherit the caller's task-local values; a queue's thread does not.
public func onAnotherThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let outcome = Outcome<T>()
    DispatchQueue.global().async {
        outcome.result = Result { try body() }
        done.signal()
    }
    done.wait()
    return try outcome.result!.get()
}

/// The result handed from the other thread; the semaphore orders the write before the read.
private final class Outcome<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
