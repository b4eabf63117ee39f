import Foundation
import FieldAudit
import Hummingbird
import Logging

/// Logs one line per request (key fingerprint, route, status, bytes in and out, milliseconds) and
/// answers every error as JSON `{"error": "...", "hint": "..."}`, whatever route threw it.
struct CentralMiddleware: RouterMiddleware {
    typealias Context = CentralRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = Self.answer(Self.serviceError(error, request: request), logger: logger)
        }
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info("request", metadata: [
            "key": .string(context.account.fingerprint),
            "route": .string(DisplayText.shown("\(request.method) \(request.uri.path.prefix(200))")),
            "status": .stringConvertible(response.status.code),
            "in": .stringConvertible(context.account.bytesIn),
            "out": .string(response.body.contentLength.map(String.init) ?? "-"),
            "ms": .string(String(format: "%.1f", milliseconds)),
        ])
        return response
    }

    /// The service's reading of any error a route threw.
    static func serviceError(_ error: any Error, request: Request) -> ServiceError {
        switch error {
        case let error as ServiceError: error
        case let error as any HTTPResponseError where error.status == .notFound:
            if let allowed = CentralServer.routes[request.uri.path] {
                .methodNotAllowed(method: "\(request.method)", path: request.uri.path, allowed: allowed)
            } else {
                .noRoute(method: "\(request.method)", path: request.uri.path)
            }
        case let error as any HTTPResponseError where error.status.code < 500:
            .badRequest(reason: "\(error.status)")
        default:
            .replicaRefused(message: "the server failed: \(error)", status: 500, category: .internalFailure)
        }
    }

    /// A JSON error answer: `error`, `hint` and `category` (the cause's, by its wire name), with
    /// `Retry-After` when the server is busy.
    static func answer(_ error: ServiceError, logger: Logger) -> Response {
        let data = body(of: error)
        if error.httpStatus >= 500 && error.httpStatus != 503 { logger.error("\(DisplayText.guarded(error.description))") }
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if case let .busy(_, retryAfter) = error { headers[.retryAfter] = "\(retryAfter)" }
        if case let .methodNotAllowed(_, _, allowed) = error { headers[.allow] = allowed }
        return Response(status: .init(code: error.httpStatus), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The JSON body of an error answer: `error`, `hint` and `category` (the cause's wire name).
    static func body(of error: ServiceError) -> Data {
        struct Body: Encodable { var error: String; var hint: String; var category: String }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = Body(error: error.description, hint: error.hint, category: error.category.wireName)
        return (try? encoder.encode(body)) ?? Data("{}".utf8)
    }
}
