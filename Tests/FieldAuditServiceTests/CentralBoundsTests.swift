import AuditStore
import FieldAudit
import FieldAuditService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Replication
import Testing

/// The live central's bounds and the security fixes of review: a request is admitted from its
/// headers before its body is read, uploads at once are capped, nothing is left behind by a
/// laptop that goes away, slow clients are cut off, a busy central is retried, and a pulled
/// bundle is capped on the laptop.
struct CentralBoundsTests {
    let fixture: CentralFixture
    var ben: Replica { fixture.auditors[0] }

    init() throws {
        fixture = try CentralFixture(auditors: 2)
    }

    func remote(port: Int) -> Remote {
        Remote(name: "central", url: "http://127.0.0.1:\(port)", card: fixture.central.card)
    }

    /// Ben's signed request for the vector, as raw bytes.
    func vectorRequest(port: Int) throws -> RawConnection {
        let connection = try RawConnection(port: port)
        connection.send(RawConnection.head("GET", "/v1/vector", headers: RawConnection.pairs(fixture.signed("GET", "/v1/vector", by: ben.identity)), contentLength: 0))
        return connection
    }

    /// Ben's push of `bundle` as raw bytes: its signed head and the first `sent` bytes of the body.
    func startPush(_ bundle: Data, sending sent: Int, port: Int, by identity: ReplicaIdentity? = nil) throws -> RawConnection {
        let connection = try RawConnection(port: port)
        let headers = fixture.signed("POST", "/v1/push", body: bundle, by: identity ?? ben.identity)
        connection.send(RawConnection.head("POST", "/v1/push", headers: RawConnection.pairs(headers), contentLength: bundle.count))
        connection.send(bundle.prefix(sent))
        return connection
    }

    @Test func aPushByAnUnknownKeyIsRefusedFromItsHeadersBeforeAnyOfItsBodyIsSent() async throws {
        let body = Data(repeating: 0x42, count: 1 << 20)
        try await fixture.server { _ in }.test(.live) { client in
            // Given only the head of a stranger's 1 MiB push (no byte of the body sent)
            let connection = try startPush(body, sending: 0, port: try #require(client.port), by: fixture.stranger.identity)
            // Then the answer comes without the body: 401, and no scratch file was made
            let head = await connection.readHeadInBackground()
            #expect(head.hasPrefix("HTTP/1.1 401"), "\(head)")
            #expect(try fixture.scratchFiles().isEmpty)
        }
    }

    @Test func aPushBeyondTheUploadsAKeyMayHaveAtOnceIsAnswered503WithRetryAfterAndChangesNothing() async throws {
        let bundle = try fixture.note("Risk register reviewed quarterly", by: ben)
        let before = try fixture.digest(fixture.central)
        try await fixture.server { $0.maxUploadsPerKey = 1 }.test(.live) { client in
            // Given one of Ben's pushes uploading (half its body sent)
            let first = try startPush(bundle, sending: bundle.count / 2, port: try #require(client.port))
            #expect(try await eventually { !(try fixture.scratchFiles().isEmpty) })
            // When Ben pushes again at the same time
            let second = try await client.execute(
                uri: "/v1/push", method: .post, headers: fixture.signed("POST", "/v1/push", body: bundle, by: ben.identity), body: ByteBuffer(bytes: bundle))
            // Then the second is told to come back, and nothing changed
            #expect(second.status == .serviceUnavailable)
            #expect(second.headers[.retryAfter] == "2")
            let answer = try JSONSerialization.jsonObject(with: Data(second.body.readableBytesView)) as? [String: String]
            #expect(answer?["category"] == "temporary-failure")
            #expect(answer?["error"]?.contains("already has 1 uploads in progress") == true, "\(answer ?? [:])")
            #expect(try fixture.digest(fixture.central) == before)
            // And the first completes
            first.send(bundle.dropFirst(bundle.count / 2))
            #expect(await first.readHeadInBackground().hasPrefix("HTTP/1.1 200"))
        }
        #expect(try fixture.central.search("quarterly", engagement: fixture.helix.description).count == 1)
    }

    @Test func aSyncMeetingABusyCentralWaitsAndTriesAgainWithoutShowingIt() async throws {
        let bundle = try fixture.note("Risk register reviewed quarterly", by: ben)
        let log = CapturedLog()
        try await fixture.server(logger: log.logger) { $0.maxUploadsPerKey = 1 }.test(.live) { client in
            let port = try #require(client.port)
            // Given one of Ben's pushes holding his only upload slot
            let first = try startPush(bundle, sending: bundle.count / 2, port: port)
            #expect(try await eventually { !(try fixture.scratchFiles().isEmpty) })
            // When Ben syncs, and his sync's push is answered busy
            let sync = Task { try await CentralSync(replica: ben, remote: remote(port: port)).run() }
            #expect(await eventually { log.lines.contains("POST /v1/push 503") }, "\(log.lines)")
            first.send(bundle.dropFirst(bundle.count / 2))
            #expect(await first.readHeadInBackground().hasPrefix("HTTP/1.1 200"))
            // Then the sync tries again by itself and succeeds
            let report = try await sync.value
            #expect(report.pushed?.knownChanges ?? 0 > 0)
            #expect(log.lines.filter { $0 == "POST /v1/push 200" }.count == 2, "\(log.lines)")
        }
    }

    @Test func aPullLeavesNothingOnTheCentralWhenTheLaptopGoesAwayWithoutReadingTheBundle() async throws {
        let vector = try ben.vectorFile().encoded()
        try await fixture.server { _ in }.test(.live) { client in
            let connection = try RawConnection(port: try #require(client.port))
            let headers = fixture.signed("POST", "/v1/pull", body: vector, by: ben.identity)
            connection.send(RawConnection.head("POST", "/v1/pull", headers: RawConnection.pairs(headers), contentLength: vector.count))
            connection.send(vector)
            // Given the answer started (the bundle was written for Ben)
            let head = await connection.readHeadInBackground()
            #expect(head.hasPrefix("HTTP/1.1 200"), "\(head)")
            // Then its scratch file is already gone, before Ben reads a byte of it or hangs up
            #expect(try fixture.scratchFiles().isEmpty)
        }
        #expect(try fixture.scratchFiles().isEmpty)
    }

    @Test func aClientTricklingItsRequestHeadIsCutOffByTheIdleTimeout() async throws {
        try await fixture.server { $0.idleTimeout = 1 }.test(.live) { client in
            let connection = try RawConnection(port: try #require(client.port))
            let head = RawConnection.head("GET", "/v1/vector", headers: RawConnection.pairs(fixture.signed("GET", "/v1/vector", by: ben.identity)), contentLength: 0)
            // Given a head sent one byte every 100 ms (it would take over 30 s)
            var sent = 0
            for byte in head.utf8 {
                guard !connection.isClosedByServer, connection.send(Data([byte])) else { break }
                sent += 1
                try await Task.sleep(for: .milliseconds(100))
            }
            // Then the server hung up before the head was complete
            #expect(sent < head.utf8.count, "the whole head was accepted, byte by byte")
            #expect(connection.isClosedByServer)
        }
    }

    @Test func aClientTricklingItsBodyIsCutOffWhileAnotherLaptopSyncsAndNothingIsLeftBehind() async throws {
        let cleo = fixture.auditors[1]
        let bundle = try fixture.note("Risk register reviewed quarterly", by: ben)
        _ = try fixture.note("Supplier audits are scheduled", by: cleo)
        try await fixture.server { $0.idleTimeout = 10; $0.bodyGrace = 1; $0.minimumBodyRate = 1024 }.test(.live) { client in
            let port = try #require(client.port)
            // Given Ben's push sending its body one byte every 100 ms (10 bytes/s)
            let connection = try startPush(bundle, sending: 0, port: port)
            let trickle = Task {
                var sent = 0
                for byte in bundle {
                    guard !connection.isClosedByServer, connection.send(Data([byte])) else { break }
                    sent += 1
                    try await Task.sleep(for: .milliseconds(100))
                }
                return sent
            }
            // When Cleo syncs meanwhile, she gets through
            let report = try await CentralSync(replica: cleo, remote: remote(port: port)).run()
            #expect(report.pushed?.newChanges ?? 0 > 0)
            // Then Ben's trickle is cut off long before its end, and its scratch file goes
            let sent = try await trickle.value
            #expect(sent < bundle.count, "the whole body was accepted at 10 bytes/s")
            #expect(try await eventually { try fixture.scratchFiles().isEmpty })
        }
        #expect(try fixture.central.search("Supplier audits", engagement: fixture.helix.description).count == 1)
        #expect(try fixture.central.search("quarterly", engagement: fixture.helix.description).isEmpty)
    }

    @Test func aRequestHeadBeyond16KiBIsRefusedBeforeItIsHeldInMemory() async throws {
        try await fixture.server { _ in }.test(.live) { client in
            let connection = try RawConnection(port: try #require(client.port))
            // Given a head with one 32 KiB header field
            connection.send("GET /v1/vector HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: \(String(repeating: "a", count: 32 << 10))\r\n\r\n")
            // Then it is refused and the connection closed
            let head = await connection.readHeadInBackground()
            #expect(head.hasPrefix("HTTP/1.1 400") || head.isEmpty, "\(head)")
            #expect(await eventually { connection.isClosedByServer })
        }
    }

    @Test func aPulledBundleBeyondTheLaptopsCapIsRefusedAndLeavesNoFile() async throws {
        try await fixture.server { _ in }.test(.live) { client in
            let url = "http://127.0.0.1:\(try #require(client.port))"
            let capped = CentralClient(url: url, identity: ben.identity, server: fixture.central.identity.id, maxPull: 64)
            let path = fixture.directory.file("pulled.fabundle")
            await #expect(throws: ServiceError.pullTooLarge(url: url, limit: 64)) {
                _ = try await capped.pull(try ben.vectorFile(), to: path)
            }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func aServerThatCannotProveItHoldsTheKeyOnTheCardItPresentsIsNotBelieved() async throws {
        // Given an impostor presenting a copy of the central's card, without its private key
        let router = Router()
        let card = fixture.central.card.encoded()
        router.get("v1/identity") { _, _ in Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: card))) }
        try await Application(router: router).test(.live) { client in
            let url = "http://127.0.0.1:\(try #require(client.port))"
            do {
                _ = try await CentralClient.identity(at: url)
                Issue.record("the copied card was believed")
            } catch let ServiceError.invalidResponse(_, reason) {
                #expect(reason.contains("did not prove that it holds the key"))
            }
        }
        // And the genuine central proves it
        try await fixture.server { _ in }.test(.live) { client in
            let port = try #require(client.port)
            let card = try await CentralClient.identity(at: "http://127.0.0.1:\(port)")
            #expect(card == fixture.central.card)
        }
    }

    @Test(.timeLimit(.minutes(2))) func aConnectionBeyondTheLimitIsAnswered503WithRetryAfterChangesNothingAndTheServerServesOthersAfterwards() async throws {
        let bundle = try fixture.note("Risk register reviewed quarterly", by: ben)
        let before = try fixture.digest(fixture.central)
        try await fixture.server { $0.maxConnections = 2 }.test(.live) { client in
            let port = try #require(client.port)
            // Given the server's 2 connections taken (the test client's own among them): each
            // opened one asks for the vector, is answered and kept open, until one is refused
            var held: [RawConnection] = []
            for _ in 0..<2 {
                let connection = try vectorRequest(port: port)
                guard await connection.readHeadInBackground().hasPrefix("HTTP/1.1 200") else { break }
                held.append(connection)
            }
            // When one more laptop pushes its bundle
            let pushing = try startPush(bundle, sending: bundle.count, port: port)
            let head = await pushing.readHeadInBackground()
            // Then it is told plainly that the central is busy, and to come back, as `sync` does
            #expect(head.hasPrefix("HTTP/1.1 503"), "\(head)")
            #expect(head.lowercased().contains("retry-after: 2"), "\(head)")
            let answer = try JSONSerialization.jsonObject(with: pushing.readAll()) as? [String: String]
            #expect(answer?["category"] == "temporary-failure")
            #expect(answer?["error"]?.contains("2 connections, the most it takes at once") == true, "\(answer ?? [:])")
            // And nothing changed
            #expect(try fixture.digest(fixture.central) == before)
            // When the held connections close, the server serves the next push again
            held.removeAll()
            let served = try await eventually {
                try startPush(bundle, sending: bundle.count, port: port).readHead().hasPrefix("HTTP/1.1 200")
            }
            #expect(served)
        }
        #expect(try fixture.central.search("quarterly", engagement: fixture.helix.description).count == 1)
    }

    @Test func aBusyStoreIsAnswered503ToBeRetriedNot500() {
        let refusal = ServiceError.refusal(of: .store(.busy(path: "/srv/central/store.sqlite")), shownAs: "the pushed bundle", scratch: "/tmp/x")
        #expect(refusal.httpStatus == 503)
        #expect(refusal.category == .temporaryFailure)
        guard case .busy = refusal else { Issue.record("not busy: \(refusal)"); return }
    }
}

/// The request log's lines as "METHOD PATH STATUS".
final class CapturedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var captured: [String] = []

    var lines: [String] { lock.withLock { captured } }

    var logger: Logger { Logger(label: "test") { _ in Handler(log: self) } }

    fileprivate func append(_ line: String) { lock.withLock { captured.append(line) } }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            guard let route = metadata?["route"], let status = metadata?["status"] else { return }
            log.append("\(route) \(status)")
        }
    }
}
