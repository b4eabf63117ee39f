import FieldAudit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress line on standard error, shown only when standard error is a terminal.
///
/// The work reports how far it is (`update`, cheap: it only stores numbers); a timer redraws the
/// line every `interval`, so the display moves (count, rate, elapsed time) even while one large
/// chunk is being written, and never costs the work more than storing two numbers. With a total
/// it shows a bar, the percentage and both amounts. `NO_COLOR` only removes colour: the line
/// itself is plain text, redrawn with a carriage return and erased with spaces, so no escape
/// sequence is written at all without colour. Into a pipe or a file nothing is shown.
final class Progress: @unchecked Sendable {
    /// How often the line is redrawn.
    static let interval: DispatchTimeInterval = .milliseconds(100)

    private struct State {
        var label: String
        var done: UInt64 = 0
        var total: UInt64?
        var unit: WorkProgress.Unit
        var started = DispatchTime.now()
        var width = 0
        var ticks = 0
        var finished = false
    }

    private let lock = NSLock()
    private var state: State
    private let colour: Bool
    private let timer: DispatchSourceTimer?

    /// A progress line labelled `label` (which may name a user's file: it is shown escaped,
    /// `Terminal.shown`), counting `unit` out of `total` when known. Shown only when standard
    /// error is a terminal; coloured unless `NO_COLOR` is set.
    init(label: String, total: UInt64? = nil, unit: WorkProgress.Unit = .bytes) {
        state = State(label: Terminal.shown(label), total: total, unit: unit)
        let environment = ProcessInfo.processInfo.environment
        let terminal = isatty(STDERR_FILENO) == 1
        colour = terminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
        guard terminal else {
            timer = nil
            return
        }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "fieldaudit.progress"))
        self.timer = timer
        timer.schedule(deadline: .now() + Self.interval, repeating: Self.interval)
        timer.setEventHandler { [weak self] in self?.draw() }
        timer.resume()
    }

    deinit { timer?.cancel() }

    /// Records the amount done so far (bytes, changes or files, as the line counts).
    func update(_ done: UInt64) {
        lock.withLock { state.done = done }
    }

    /// Records bytes processed so far.
    func bytes(_ count: UInt64) { update(count) }

    /// Records what a piece of work reported: its step (shown after the label), amount and total.
    func update(_ progress: WorkProgress, label: String) {
        lock.withLock {
            let shown = Terminal.shown("\(label) \(progress.step)")
            if shown != state.label || progress.unit != state.unit {
                state.label = shown
                state.started = DispatchTime.now()
            }
            state.done = progress.done
            state.total = progress.total
            state.unit = progress.unit
        }
    }

    /// Stops redrawing and erases the line (a no-op when nothing was shown).
    func finish() {
        timer?.cancel()
        lock.withLock {
            guard !state.finished else { return }
            state.finished = true
            guard state.width > 0 else { return }
            Self.write("\r" + String(repeating: " ", count: state.width) + "\r")
        }
    }

    // MARK: - Drawing

    private func draw() {
        lock.withLock {
            guard !state.finished else { return }
            state.ticks += 1
            let columns = max(40, Self.terminalColumns() - 1)
            let line = Self.line(state, columns: columns, colour: colour)
            let visible = Self.render(state, columns: columns, bar: { filled, empty in filled + empty }).count
            let padding = String(repeating: " ", count: max(0, state.width - visible))
            state.width = visible
            Self.write("\r" + line + padding)
        }
    }

    /// The line for `state` in at most `columns` columns: with colour, the bar's filled part green.
    private static func line(_ state: State, columns: Int, colour: Bool) -> String {
        render(state, columns: columns) { filled, empty in
            colour ? "\u{1B}[32m" + filled + "\u{1B}[0m" + empty : filled + empty
        }
    }

    private static func render(_ state: State, columns: Int, bar: (String, String) -> String) -> String {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - state.started.uptimeNanoseconds) / 1e9
        let elapsed = String(format: "%.1fs", seconds)
        let spinner = ["|", "/", "-", "\\"][state.ticks % 4]
        var parts: [String]
        if let total = state.total, total > 0 {
            let fraction = min(1, Double(state.done) / Double(total))
            let amounts = "\(amount(state.done, state.unit)) / \(amount(total, state.unit))"
            let percent = String(format: "%3d%%", Int(fraction * 100))
            let fixed = amounts.count + percent.count + elapsed.count + 10
            let width = max(10, min(30, columns - fixed - state.label.count - 2))
            let filled = Int(fraction * Double(width))
            parts = ["[" + bar(String(repeating: "#", count: filled), String(repeating: "-", count: width - filled)) + "]", percent, amounts, elapsed]
        } else {
            let counted = state.done > 0 ? [amount(state.done, state.unit), rate(state, seconds: seconds)] : []
            parts = ([spinner] + counted + [elapsed]).filter { !$0.isEmpty }
        }
        let tail = parts.joined(separator: "  ")
        let visibleTail = tail.replacingOccurrences(of: "\u{1B}[32m", with: "").replacingOccurrences(of: "\u{1B}[0m", with: "").count
        let labelRoom = max(8, columns - visibleTail - 2)
        let label = state.label.count > labelRoom ? String(state.label.prefix(labelRoom - 1)) + "…" : state.label
        return label + ": " + tail
    }

    /// The size of the file at `path`, for a total; `nil` when it cannot be read.
    static func size(of path: String) -> UInt64? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value
    }

    /// `12.3 MiB`, `1,204 changes`, `3 files`.
    static func amount(_ value: UInt64, _ unit: WorkProgress.Unit) -> String {
        switch unit {
        case .bytes:
            value < 1 << 20 ? String(format: "%.1f KiB", Double(value) / 1024) : String(format: "%.1f MiB", Double(value) / 1_048_576)
        case .changes: "\(grouped(value)) change\(value == 1 ? "" : "s")"
        case .files: "\(grouped(value)) file\(value == 1 ? "" : "s")"
        }
    }

    private static func rate(_ state: State, seconds: Double) -> String {
        guard seconds >= 0.5, state.done > 0 else { return "" }
        let perSecond = UInt64(Double(state.done) / seconds)
        return amount(perSecond, state.unit) + "/s"
    }

    private static func grouped(_ value: UInt64) -> String {
        var digits = String(value)
        var index = digits.endIndex
        while digits.distance(from: digits.startIndex, to: index) > 3 {
            index = digits.index(index, offsetBy: -3)
            digits.insert(",", at: index)
        }
        return digits
    }

    /// The terminal's width in columns (`TIOCGWINSZ` on standard error), 80 when unknown.
    private static func terminalColumns() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
