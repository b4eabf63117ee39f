import Foundation

/// How many pushes the central takes at once, in all and per key: beyond either, a push is
/// answered 503 with `Retry-After` before any of its body is read, and the laptop tries again.
///
/// Bounds the disk space and the scratch files uploads hold at one moment, and keeps one key from
/// taking every slot.
final class UploadGate: @unchecked Sendable {
    /// The most uploads in progress at once.
    let total: Int
    /// The most uploads in progress at once for one key.
    let perKey: Int
    private let lock = NSLock()
    private var inProgress: [String: Int] = [:]
    private var count = 0

    init(total: Int, perKey: Int) {
        self.total = total
        self.perKey = perKey
    }

    /// Takes a slot for `key`, runs `body`, and gives the slot back, whatever `body` does.
    ///
    /// - Throws: `ServiceError.busy` if no slot is free; what `body` throws.
    func admit<T>(_ key: String, _ body: () async throws -> T) async throws -> T {
        try enter(key)
        defer { leave(key) }
        return try await body()
    }

    private func enter(_ key: String) throws(ServiceError) {
        let refusal: String? = lock.withLock {
            if count >= total { return "\(total) uploads are in progress, the most it takes at once" }
            if inProgress[key, default: 0] >= perKey { return "your key already has \(perKey) uploads in progress" }
            count += 1
            inProgress[key, default: 0] += 1
            return nil
        }
        if let refusal { throw .busy(reason: refusal, retryAfter: 2) }
    }

    private func leave(_ key: String) {
        lock.withLock {
            count -= 1
            inProgress[key, default: 1] -= 1
            if inProgress[key] == 0 { inProgress[key] = nil }
        }
    }
}
