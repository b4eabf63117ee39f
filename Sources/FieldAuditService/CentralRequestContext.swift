import Foundation
import Hummingbird

/// The context of one request to the central repository: Hummingbird's, plus what the request
/// log needs to learn from the handler (who signed, how many bytes came in).
public struct CentralRequestContext: RequestContext {
    /// What the handler tells the request log; shared by reference between the middleware and the
    /// handler, each of which holds a copy of the context.
    final class Account: @unchecked Sendable {
        private let lock = NSLock()
        private var _fingerprint = "-"
        private var _bytesIn: Int64 = 0

        var fingerprint: String {
            get { lock.withLock { _fingerprint } }
            set { lock.withLock { _fingerprint = newValue } }
        }
        var bytesIn: Int64 {
            get { lock.withLock { _bytesIn } }
            set { lock.withLock { _bytesIn = newValue } }
        }
    }

    /// Hummingbird's per-request storage (logger, channel, allocator).
    public var coreContext: CoreRequestContextStorage
    let account = Account()

    /// A context for one request arriving through `source`.
    public init(source: Source) {
        self.coreContext = .init(source: source)
    }
}
