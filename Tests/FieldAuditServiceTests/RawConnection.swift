import Foundation
import HTTPTypes
#if canImport(Glibc)
import Glibc
#endif

/// A TCP connection to 127.0.0.1 that sends exactly the bytes a test gives, when it gives them:
/// for the requests an HTTP client would never make (a body cut short, a head trickled byte by
/// byte, a reader that goes away).
final class RawConnection: @unchecked Sendable {
    private let socket: Int32

    /// Connects; reads wait at most `timeout` seconds.
    init(port: Int, timeout: Int = 20) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socket)
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot connect to port \(port)"])
        }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(socket) }

    /// Sends `data`; false if the server closed the connection.
    @discardableResult
    func send(_ data: Data) -> Bool {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = Glibc.send(socket, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    /// Sends `text` as UTF-8.
    @discardableResult
    func send(_ text: String) -> Bool { send(Data(text.utf8)) }

    /// Whether the server has closed the connection, without waiting: a read that finds the end.
    var isClosedByServer: Bool {
        var byte: UInt8 = 0
        let read = recv(socket, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK))
        return read == 0 || (read < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    /// Reads until the end of the answer's head (an empty line), the server closing, or the
    /// timeout; returns what came.
    func readHead() -> String {
        var data = Data()
        var byte: UInt8 = 0
        while !data.suffix(4).elementsEqual([13, 10, 13, 10]), recv(socket, &byte, 1, 0) == 1 {
            data.append(byte)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads until the server closes or the timeout.
    func readAll() -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let read = recv(socket, &buffer, buffer.count, 0)
            if read <= 0 { return data }
            data.append(contentsOf: buffer[0..<read])
        }
    }

    /// The head of a request: its line, `headers` and `Content-Length`.
    static func head(_ method: String, _ path: String, headers: [(String, String)], contentLength: Int) -> String {
        "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + headers.map { "\($0.0): \($0.1)\r\n" }.joined()
            + "Content-Length: \(contentLength)\r\n\r\n"
    }
}

extension RawConnection {
    /// `readHead`, on a thread of its own, so the server's tasks keep the concurrency pool.
    func readHeadInBackground() async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.readHead()) }
        }
    }

    /// The signature headers of `fields` as name–value pairs.
    static func pairs(_ fields: HTTPFields) -> [(String, String)] {
        fields.map { ($0.name.rawName, $0.value) }
    }
}

/// Waits until `condition` holds, checking every 50 ms, for at most `seconds`; whether it held.
func eventually(within seconds: Double = 20, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try condition()
}
