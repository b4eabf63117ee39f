import HummingbirdCore
import NIOCore

/// Closes a connection whose request body arrives slower than a minimum rate while the server is
/// waiting for it (a slow-loris client trickling its body), so it cannot hold a connection, nor
/// a scratch file, for ever.
///
/// Only the time the server has asked for more of the body (`read`) and not yet received it
/// counts: a body that waits because the server is busy elsewhere is not the client's fault.
/// A body that stops altogether, and a head that never completes, are cut by the HTTP channel's
/// idle timeout; this handler sees the parts after HTTP decoding.
final class SlowBodyHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP1Channel.Value.InboundPart
    typealias InboundOut = HTTP1Channel.Value.InboundPart
    typealias OutboundIn = HTTP1Channel.Value.OutboundPart
    typealias OutboundOut = HTTP1Channel.Value.OutboundPart

    /// After this much waiting, the body must have come at `minimumRate` or more.
    let grace: TimeAmount
    /// Bytes per second.
    let minimumRate: Int64
    private var readingBody = false
    private var waitingSince: NIODeadline?
    private var waited: TimeAmount = .zero
    private var received: Int64 = 0

    init(grace: TimeAmount, minimumRate: Int64) {
        self.grace = grace
        self.minimumRate = minimumRate
    }

    func read(context: ChannelHandlerContext) {
        if readingBody && waitingSince == nil { waitingSince = .now() }
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let since = waitingSince {
            waited = waited + (.now() - since)
            waitingSince = nil
        }
        switch unwrapInboundIn(data) {
        case .head:
            readingBody = true
            waited = .zero
            received = 0
        case let .body(buffer):
            received += Int64(buffer.readableBytes)
            if tooSlow {
                context.close(promise: nil)
                return
            }
        case .end:
            readingBody = false
        }
        context.fireChannelRead(data)
    }

    /// Whether the body has been waited for longer than the grace at less than the minimum rate.
    private var tooSlow: Bool {
        guard waited >= grace else { return false }
        let seconds = Double(waited.nanoseconds) / 1e9
        return Double(received) < Double(minimumRate) * seconds
    }
}

/// Names the parts an HTTP/1 channel carries (NIOHTTPTypes' `HTTPRequestPart` and
/// `HTTPResponsePart`), as Hummingbird's channel type holds them.
protocol AsyncChannelParts {
    associatedtype InboundPart
    associatedtype OutboundPart
}

extension NIOAsyncChannel: AsyncChannelParts {
    typealias InboundPart = Inbound
    typealias OutboundPart = Outbound
}
