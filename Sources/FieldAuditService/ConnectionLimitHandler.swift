import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore

/// The connections the server holds open, counted across all of them, against the limit
/// (`CentralServer.Configuration.maxConnections`).
final class ConnectionCount: @unchecked Sendable {
    /// The most connections served at once.
    let limit: Int
    private let lock = NSLock()
    private var open = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a new connection in if there is room; `false` if the limit is reached.
    func enter() -> Bool {
        lock.withLock {
            guard open < limit else { return false }
            open += 1
            return true
        }
    }

    /// Counts a served connection out.
    func leave() {
        lock.withLock { open -= 1 }
    }
}

/// Answers a connection beyond the limit 503 with `Retry-After`, and the JSON error every
/// refusal carries, as soon as its request head arrives, then closes it: the laptop learns the
/// central is busy (and `sync` tries again by itself) instead of waiting unanswered, and nothing
/// of the request reaches a route. Its body, if any, is read and dropped (so the answer is not
/// lost to a reset) for at most `drainTime`.
final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP1Channel.Value.InboundPart
    typealias InboundOut = HTTP1Channel.Value.InboundPart
    typealias OutboundOut = HTTP1Channel.Value.OutboundPart

    /// How long a refused request's body is read and dropped before the connection is closed.
    static let drainTime = TimeAmount.seconds(5)

    let count: ConnectionCount
    private var admitted = false
    private var answered = false

    init(count: ConnectionCount) {
        self.count = count
    }

    func handlerAdded(context: ChannelHandlerContext) {
        admitted = count.enter()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if admitted { count.leave() }
        admitted = false
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !admitted else {
            context.fireChannelRead(data)
            return
        }
        switch unwrapInboundIn(data) {
        case .head where !answered:
            answered = true
            let error = ServiceError.busy(reason: "it serves \(count.limit) connections, the most it takes at once", retryAfter: 2)
            let body = CentralMiddleware.body(of: error)
            var head = HTTPResponse(status: .serviceUnavailable)
            head.headerFields = [
                .contentType: "application/json; charset=utf-8", .retryAfter: "2", .contentLength: "\(body.count)", .connection: "close",
            ]
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            let channel = context.channel
            context.eventLoop.scheduleTask(in: Self.drainTime) { channel.close(promise: nil) }
        case .end:
            context.close(promise: nil)
        case .head, .body:
            break
        }
    }
}
