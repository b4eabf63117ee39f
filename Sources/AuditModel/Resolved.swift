import Foundation

/// A value computed on first use and kept: for parts of a record that cost more to build than
/// most readers need (a catalog is decoded from JSON, and a capture command never looks at it).
/// Safe to share between threads; the computation runs at most once.
final class Resolved<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var compute: (@Sendable () -> Value)?
    private var resolved: Value?

    init(_ compute: @escaping @Sendable () -> Value) {
        self.compute = compute
    }

    /// The value, computed by the first caller.
    var value: Value {
        lock.withLock {
            if let resolved { return resolved }
            let value = compute!()
            resolved = value
            compute = nil
            return value
        }
    }
}
