import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Debian's headless `chromium`, driven over the DevTools protocol on a pipe
/// (`--remote-debugging-pipe`: JSON messages ending in a NUL byte, commands on the child's file
/// descriptor 3, answers on 4), so one browser keeps its cookies from page to page, as a
/// reviewer's would. No WebSocket, no Python, no Node.
public final class HeadlessBrowser: @unchecked Sendable {
    /// Where Debian installs it; `nil` when it is not installed.
    public static let executable: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    private let pid: pid_t
    private let commands: Int32
    private let answers: Int32
    private var buffer = [UInt8]()
    private var nextID = 0
    private var session = ""
    private var events: [[String: Any]] = []
    private let profile: TemporaryDirectory
    private var closed = false

    /// Starts a headless browser with a new profile and opens one blank page, `width`×`height`.
    public init(width: Int = 1280, height: Int = 900) throws {
        guard let executable = Self.executable else { throw Failure("chromium is not installed (apt-get install chromium)") }
        profile = TemporaryDirectory("fieldaudit-chromium")
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else { throw Failure("pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 4)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = [
            executable, "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-background-networking", "--disable-sync",
            "--user-data-dir=\(profile.path)", "--window-size=\(width),\(height)", "--hide-scrollbars", "about:blank",
        ]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, &argv, environ)
        Glibc.close(toChild[0])
        Glibc.close(fromChild[1])
        guard status == 0 else { throw Failure("cannot start chromium: \(String(cString: strerror(status)))") }
        pid = child
        commands = toChild[1]
        answers = fromChild[0]
        let target = try call("Target.createTarget", ["url": "about:blank"], inSession: false)
        guard let targetID = target["targetId"] as? String else { throw Failure("no target: \(target)") }
        let attached = try call("Target.attachToTarget", ["targetId": targetID, "flatten": true], inSession: false)
        guard let session = attached["sessionId"] as? String else { throw Failure("not attached: \(attached)") }
        self.session = session
        _ = try call("Page.enable")
        _ = try call("Emulation.setDeviceMetricsOverride", ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false])
    }

    deinit { close() }

    /// Stops the browser.
    public func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(commands)
        Glibc.close(answers)
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    /// Opens `url` in the page and waits for it to load (following redirects, keeping cookies).
    public func open(_ url: String) throws {
        events.removeAll()
        let answer = try call("Page.navigate", ["url": url])
        if let error = answer["errorText"] as? String, !error.isEmpty { throw Failure("navigation to \(url) failed: \(error)") }
        _ = try waitFor(event: "Page.loadEventFired")
    }

    /// Evaluates a JavaScript expression in the page (by the DevTools protocol, outside the page's
    /// content security policy) and returns its value.
    public func evaluate(_ expression: String) throws -> Any? {
        let answer = try call("Runtime.evaluate", ["expression": expression, "returnByValue": true])
        if let exception = answer["exceptionDetails"] { throw Failure("evaluating \(expression): \(exception)") }
        return (answer["result"] as? [String: Any])?["value"]
    }

    /// The page's title.
    public func title() throws -> String { try evaluate("document.title") as? String ?? "" }
    /// The page's DOM as HTML, as `--dump-dom` prints it.
    public func dom() throws -> String { try evaluate("document.documentElement.outerHTML") as? String ?? "" }
    /// The text the page shows.
    public func text() throws -> String { try evaluate("document.body.innerText") as? String ?? "" }
    /// The page's address now (after redirects).
    public func location() throws -> String { try evaluate("location.href") as? String ?? "" }

    /// A PNG of the window, or of the whole page.
    public func screenshot(wholePage: Bool = false) throws -> Data {
        let answer = try call("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": wholePage])
        guard let text = answer["data"] as? String, let data = Data(base64Encoded: text) else { throw Failure("no screenshot") }
        return data
    }

    // MARK: - The protocol

    /// Sends one command and returns its result (events that arrive meanwhile are kept).
    @discardableResult
    public func call(_ method: String, _ params: [String: Any] = [:], inSession: Bool = true) throws -> [String: Any] {
        nextID += 1
        var message: [String: Any] = ["id": nextID, "method": method, "params": params]
        if inSession { message["sessionId"] = session }
        var data = try JSONSerialization.data(withJSONObject: message)
        data.append(0)
        try data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(commands, bytes.baseAddress! + offset, bytes.count - offset)
                guard written > 0 else { throw Failure("chromium closed its pipe") }
                offset += written
            }
        }
        while true {
            let message = try readMessage()
            if message["id"] as? Int == nextID {
                if let error = message["error"] { throw Failure("\(method) failed: \(error)") }
                return message["result"] as? [String: Any] ?? [:]
            }
            if message["method"] != nil { events.append(message) }
        }
    }

    /// Waits for an event of the page (at most `timeout` seconds).
    func waitFor(event name: String, timeout: TimeInterval = 30) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let index = events.firstIndex(where: { $0["method"] as? String == name }) { return events.remove(at: index) }
            guard Date() < deadline else { throw Failure("no \(name) within \(Int(timeout)) s") }
            let message = try readMessage(until: deadline)
            if message["method"] != nil { events.append(message) }
        }
    }

    private func readMessage(until deadline: Date = Date().addingTimeInterval(60)) throws -> [String: Any] {
        while true {
            if let end = buffer.firstIndex(of: 0) {
                let data = Data(buffer[..<end])
                buffer.removeSubrange(...end)
                return (try JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            }
            var descriptor = pollfd(fd: answers, events: Int16(POLLIN), revents: 0)
            let wait = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            guard poll(&descriptor, 1, wait) > 0 else { throw Failure("chromium did not answer in time") }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = read(answers, &chunk, chunk.count)
            guard count > 0 else { throw Failure("chromium closed its pipe") }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// A failure to drive the browser.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
        init(_ description: String) { self.description = description }
    }
}

extension HeadlessBrowser {
    /// Waits for the page to finish loading after something in it navigated (a form submitted).
    public func waitForLoad(timeout: TimeInterval = 30) throws {
        _ = try waitFor(event: "Page.loadEventFired", timeout: timeout)
    }
}

extension HeadlessBrowser {
    /// Opens a URL that answers a download: the browser saves it in `directory` (under a GUID),
    /// and this returns, once the download completed, the name the browser would give the file
    /// and where it is.
    public func download(_ url: String, into directory: String, timeout: TimeInterval = 30) throws -> (suggestedName: String, path: String) {
        try call("Browser.setDownloadBehavior", ["behavior": "allowAndName", "downloadPath": directory, "eventsEnabled": true], inSession: false)
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
        _ = try call("Page.navigate", ["url": url])
        let begun = try waitFor(event: "Browser.downloadWillBegin", timeout: timeout)
        let params = begun["params"] as? [String: Any] ?? [:]
        let guid = params["guid"] as? String ?? ""
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let progress = try waitFor(event: "Browser.downloadProgress", timeout: max(1, deadline.timeIntervalSinceNow))
            let state = (progress["params"] as? [String: Any])?["state"] as? String
            if state == "completed" { break }
            if state == "canceled" { throw Failure("the download of \(url) was cancelled") }
        }
        let after = Set((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
        guard after.subtracting(before).contains(guid) else { throw Failure("no file for the download of \(url) in \(directory)") }
        return (params["suggestedFilename"] as? String ?? "", "\(directory)/\(guid)")
    }
}
