import FieldAudit
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The process group of the command `CommandRun` is running, for the signal handler; 0 when none.
nonisolated(unsafe) private var runningGroup: pid_t = 0
/// The last of SIGINT, SIGTERM or SIGHUP that reached `fieldaudit` while a command ran; 0 for none.
nonisolated(unsafe) private var receivedSignal: sig_atomic_t = 0

/// Runs a command for `evidence run` and a capture session's `/run`: no shell, argv exactly as
/// given, standard output and error combined into one pipe, shown live as they arrive, and kept
/// (up to a limit) to be recorded.
///
/// The command runs in a process group of its own, so a time limit stops it and everything it
/// started (SIGTERM to the group, SIGKILL two seconds later). On a terminal the group becomes the
/// foreground job while it runs (as a shell does), so Ctrl-C reaches it directly; otherwise
/// SIGINT, SIGTERM and SIGHUP sent to `fieldaudit` are forwarded to the group. Either way the run
/// counts as interrupted.
struct CommandRun {
    /// How long the command may run, in seconds.
    var timeout: Double
    /// How many bytes of output are kept; the rest is shown but not kept.
    var limit: Int
    /// Whether the command reads `fieldaudit`'s standard input (else `/dev/null`).
    var inheritsStandardInput: Bool

    /// What a run produced.
    struct Outcome {
        /// The first `limit` bytes of the combined output.
        var output: [UInt8]
        /// How many bytes the command wrote in all.
        var outputBytes: Int64
        var exitStatus: Int32?
        var signal: Int32?
        var timedOut: Bool
        /// Whether the user interrupted it (Ctrl-C, or a signal forwarded to it).
        var interrupted: Bool
        /// Unix milliseconds.
        var startedAt: Int64
        var endedAt: Int64
        var truncated: Bool { outputBytes > Int64(output.count) }
    }

    /// The time now, Unix milliseconds.
    static func milliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// This machine's host name (`gethostname(2)`).
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Runs `argv` and returns what it printed and how it ended.
    ///
    /// - Throws: `FieldAuditError.commandUnavailable` when the command cannot be started (it
    ///   does not exist, is not executable); `.io` when no pipe can be made.
    func run(_ argv: [String]) throws(FieldAuditError) -> Outcome {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw .io(path: "a pipe", reason: String(cString: strerror(errno))) }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        // Neither end may leak into the command beyond its standard output and error.
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if !inheritsStandardInput { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTTIN, SIGTTOU] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        // The handler forwards to `runningGroup`; touch both globals before it can run.
        runningGroup = 0
        receivedSignal = 0
        let previous = Self.installForwarding()
        defer { Self.restore(previous) }

        var arguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        var pid: pid_t = 0
        let startedAt = Self.milliseconds()
        let spawned = posix_spawnp(&pid, argv[0], &actions, &attributes, &arguments, environ)
        close(writeEnd)
        guard spawned == 0 else {
            close(readEnd)
            let reason = switch spawned {
            case ENOENT: argv[0].contains("/") ? "no such file" : "no such command in $PATH"
            case EACCES: "permission denied: it is not an executable file"
            case ENOEXEC: "it is not an executable this system can run"
            default: String(cString: strerror(spawned))
            }
            throw .commandUnavailable(command: argv[0], reason: reason)
        }
        runningGroup = pid
        let foreground = inheritsStandardInput && isatty(STDIN_FILENO) == 1 && tcgetpgrp(STDIN_FILENO) == getpgrp()
        if foreground { Self.giveTerminal(to: pid) }
        defer { if foreground { Self.giveTerminal(to: getpgrp()) } }

        var outcome = Outcome(output: [], outputBytes: 0, timedOut: false, interrupted: false, startedAt: startedAt, endedAt: startedAt)
        let deadline = startedAt + Int64(timeout * 1000)
        var killAt: Int64?
        var exitedAt: Int64?
        var open = true
        var status: Int32 = 0
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while open || exitedAt == nil {
            let now = Self.milliseconds()
            if exitedAt == nil {
                if now >= deadline && !outcome.timedOut {
                    outcome.timedOut = true
                    kill(-pid, SIGTERM)
                    kill(-pid, SIGCONT)
                    killAt = now + 2000
                } else if let at = killAt, now >= at {
                    kill(-pid, SIGKILL)
                    killAt = nil
                }
            } else if open, let exited = exitedAt, now - exited > 1000 {
                // The command ended, but something it started still holds the pipe: stop reading.
                break
            }
            if open {
                var descriptor = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&descriptor, 1, 50)
                if ready > 0 {
                    let count = read(readEnd, &chunk, chunk.count)
                    if count > 0 {
                        Self.show(chunk[..<count])
                        outcome.outputBytes += Int64(count)
                        let room = limit - outcome.output.count
                        if room > 0 { outcome.output += chunk[..<min(count, room)] }
                    } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                        open = false
                    }
                }
            } else {
                usleep(20_000)
            }
            if exitedAt == nil {
                let waited = waitpid(pid, &status, WNOHANG)
                if waited == pid || (waited < 0 && errno == ECHILD) {
                    exitedAt = Self.milliseconds()
                    outcome.endedAt = exitedAt!
                }
            }
        }
        close(readEnd)
        runningGroup = 0
        // `status` as `wait(2)` encodes it: WIFEXITED and WEXITSTATUS, WIFSIGNALED and WTERMSIG.
        if status & 0x7F == 0 {
            outcome.exitStatus = (status >> 8) & 0xFF
        } else {
            outcome.signal = status & 0x7F
        }
        let signal = outcome.signal
        // Ctrl-C on a terminal reaches the command directly: it ends by SIGINT (or SIGQUIT), or,
        // catching it, with the status 130 shells use for it.
        outcome.interrupted = receivedSignal != 0
            || (!outcome.timedOut && (signal == SIGINT || signal == SIGQUIT || (foreground && outcome.exitStatus == 130)))
        return outcome
    }

    /// Writes output to standard output as it comes: a terminal sees the command as it would
    /// without `fieldaudit`.
    private static func show(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(STDOUT_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 {
                    if written < 0 && errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    /// Makes `group` the terminal's foreground process group (`tcsetpgrp(3)`), with SIGTTOU
    /// ignored meanwhile so a background `fieldaudit` may take the terminal back.
    private static func giveTerminal(to group: pid_t) {
        let old = Glibc.signal(SIGTTOU, SIG_IGN)
        tcsetpgrp(STDIN_FILENO, group)
        Glibc.signal(SIGTTOU, old)
        if group != getpgrp() { kill(-group, SIGCONT) }
    }

    private static let forwarded = [SIGINT, SIGTERM, SIGHUP]

    /// Installs the handler that forwards SIGINT, SIGTERM and SIGHUP to the running command's
    /// group; returns the actions it replaced, and ignores SIGPIPE (a closed standard output must
    /// not end the recording).
    private static func installForwarding() -> [sigaction] {
        Glibc.signal(SIGPIPE, SIG_IGN)
        // A parent may have started fieldaudit with these signals blocked: they must arrive.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in forwarded { sigaddset(&unblock, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        return forwarded.map { signal in
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { received in
                receivedSignal = received
                if runningGroup > 0 { kill(-runningGroup, received) }
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            var old = sigaction()
            sigaction(signal, &action, &old)
            return old
        }
    }

    private static func restore(_ actions: [sigaction]) {
        for (signal, var action) in zip(forwarded, actions) { sigaction(signal, &action, nil) }
    }
}
