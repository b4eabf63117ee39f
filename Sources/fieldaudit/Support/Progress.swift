import Foundation

/// A progress bar on standard error, shown only when standard error is a terminal.
final class Progress {
    private let label: String
    private let enabled = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    private var shown = false

    /// A bar labelled `label`, which may name a user's file: it is shown escaped (`Terminal.shown`).
    init(label: String) {
        self.label = Terminal.shown(label)
    }

    /// Reports bytes processed so far.
    func bytes(_ count: UInt64) {
        guard enabled else { return }
        shown = true
        let megabytes = Double(count) / 1_048_576
        FileHandle.standardError.write(Data("\r\(label): \(String(format: "%.1f", megabytes)) MiB".utf8))
    }

    /// Clears the line.
    func finish() {
        guard shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
