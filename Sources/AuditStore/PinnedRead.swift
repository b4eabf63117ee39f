import Foundation

/// The reads pinned to one snapshot (`ChangeStorage.withPinnedRead`), per store: while a store's
/// pinned block runs, every read of that store on the same thread reuses the pinned connection
/// and its transaction instead of opening a transaction of its own, and every write is refused.
///
/// A pin is a task-local value (outside a task, a dispatch queue's thread, it is the thread's)
/// that also names its thread: a task started inside the block inherits the value, but not the
/// connection, whose reads then run as if nothing were pinned. So a connection is only ever used
/// on the thread that pinned it, inside the block that holds it: a pin also carries a lease that
/// ends with its block, so a task that outlives the block and runs later on the same thread finds
/// nothing pinned.
public enum PinnedRead {
    /// A connection pinned by one store on one thread.
    private struct Pin: @unchecked Sendable {
        /// The store's connection (`Database`, `PostgresConnection`), used only on `thread`.
        let handle: Any
        let thread: pthread_t
        let lease: Lease

        /// Whether the pin may be used here and now: on its thread, while its block runs.
        var isLive: Bool { pthread_equal(thread, pthread_self()) != 0 && lease.live }
    }

    /// Whether a pinned block is still running; read and ended only on the pin's own thread.
    private final class Lease: @unchecked Sendable {
        var live = true
    }

    @TaskLocal private static var pins: [ObjectIdentifier: Pin] = [:]

    /// The connection `store` pinned on this thread for the block running now, if any.
    public static func handle<Handle>(of store: AnyObject, as type: Handle.Type = Handle.self) -> Handle? {
        guard let pin = pins[ObjectIdentifier(store)], pin.isLive else { return nil }
        return pin.handle as? Handle
    }

    /// Whether `store` has a read pinned on this thread.
    public static func isPinned(_ store: AnyObject) -> Bool {
        pins[ObjectIdentifier(store)]?.isLive ?? false
    }

    /// Runs `body` with `handle`, a connection in an open read transaction, pinned for `store` on
    /// this thread; other stores' pins stay as they are.
    public static func pinning<Handle, T>(_ handle: Handle, for store: AnyObject, _ body: () throws -> T) rethrows -> T {
        var pinned = pins
        let lease = Lease()
        defer { lease.live = false }
        pinned[ObjectIdentifier(store)] = Pin(handle: handle, thread: pthread_self(), lease: lease)
        return try $pins.withValue(pinned, operation: body)
    }

    /// Refuses a write to `store` (at `path`, for the message) inside a read it pinned on this
    /// thread: a read transaction cannot write, and on one connection (SQLite's `DatabaseQueue`)
    /// the write would wait for the read that waits for it.
    ///
    /// - Throws: `StoreError.unexpected`, naming the store: a caller's mistake, nothing written.
    public static func refuseWrite(to store: AnyObject, path: String) throws(StoreError) {
        guard isPinned(store) else { return }
        throw .unexpected(
            "a write to the store at \(path) was attempted inside a read pinned to one snapshot (withPinnedRead); nothing was written. Write after the block ends.")
    }
}
