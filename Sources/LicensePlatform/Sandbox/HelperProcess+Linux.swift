internal import CSandbox
import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs a helper program the agent trusts no further than its output: the request goes to the
/// helper's stdin, its answer comes from its stdout, and the parent enforces what the helper
/// might not — a time limit (then the helper's whole process group is killed) and a
/// size limit on the answer (then too).
///
/// The helper gets one end of a socket pair as stdin and stdout, `/dev/null` as stderr, and no
/// other descriptor of the agent's: not the writer lock, not a directory of `/license`.
/// `posix_spawn`, not `fork`: nothing of the agent's state runs in the child.
public enum HelperProcess {
    /// How a helper ended.
    public enum Ending: Sendable, Equatable {
        /// It exited with this status; `output` is everything it wrote.
        case exited(status: Int32, output: [UInt8])
        /// A signal ended it (SIGSYS: its system-call filter).
        case signalled(Int32)
        /// It was still running at the time limit, and was killed.
        case timedOut
        /// It wrote more than the answer may hold, and was killed.
        case saidTooMuch
    }

    /// Runs `executable` with `arguments` (the first is its `argv[0]`), hands it `input`, and
    /// returns how it ended.
    public static func run(_ executable: String, arguments: [String], input: [UInt8], maximumOutput: Int,
                           timeout: Duration) throws(AgentError) -> Ending {
        var ends: [Int32] = [-1, -1]
        try nothingOrErrno("socketpair") { socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) }
            .orThrow(.io, "Cannot connect to the network helper", path: nil)
        let parent = FileDescriptor(rawValue: ends[0])
        defer { try? parent.close() }
        let child: pid_t
        do {
            defer { close(ends[1]) }
            child = try spawn(executable, arguments: arguments, stdio: ends[1])
        }
        let exchanged = exchange(over: parent, input: input, maximumOutput: maximumOutput,
                                 deadline: ContinuousClock.now.advanced(by: timeout))
        return reap(child, after: exchanged)
    }

    private static func spawn(_ executable: String, arguments: [String], stdio: Int32) throws(AgentError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdio, STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, stdio, STDOUT_FILENO)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        sandbox_spawn_close_from(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so that a time limit ends everything it started; default
        // signal actions and an empty mask, whatever the agent had.
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        var noSignal = sigset_t()
        sigemptyset(&noSignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setsigmask(&attributes, &noSignal)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let spawned = (argv + [nil]).withUnsafeBufferPointer { argvBuffer in
            posix_spawn(&child, executable, &actions, &attributes, UnsafeMutablePointer(mutating: argvBuffer.baseAddress!), environ)
        }
        guard spawned == 0 else {
            throw AgentError(.io, "Cannot start the network helper", path: executable, cause: .system(Errno(rawValue: spawned)))
        }
        return child
    }

    /// What the exchange over the socket came to.
    private enum Exchange: Equatable {
        case closed(output: [UInt8])
        case timedOut
        case saidTooMuch
    }

    /// Writes `input`, then reads until the helper closes its end, the answer grows past
    /// `maximumOutput`, or the deadline passes. A helper that stops reading early (it died)
    /// is not written to any more; what it said is still read.
    private static func exchange(over socket: FileDescriptor, input: [UInt8], maximumOutput: Int,
                                 deadline: ContinuousClock.Instant) -> Exchange {
        var sent = 0
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return .timedOut }
            let writing = sent < input.count
            var wanted = pollfd(fd: socket.rawValue, events: Int16(POLLIN) | (writing ? Int16(POLLOUT) : 0), revents: 0)
            let (seconds, attoseconds) = remaining.components
            let ready = poll(&wanted, 1, Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1))
            guard ready > 0 else {
                if ready < 0, errno != EINTR { return .closed(output: output) }
                continue
            }
            if writing, wanted.revents & Int16(POLLOUT) != 0 {
                let written = input[sent...].withUnsafeBytes {
                    send(socket.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                }
                if written > 0 {
                    sent += written
                } else if written < 0, errno != EAGAIN, errno != EINTR {
                    sent = input.count
                }
                if sent == input.count { shutdown(socket.rawValue, Int32(SHUT_WR)) }
                continue
            }
            guard wanted.revents & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)) != 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(socket.rawValue, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count < 0, errno == EAGAIN || errno == EINTR { continue }
            guard count > 0 else { return .closed(output: output) }
            output += buffer[..<count]
            if output.count > maximumOutput { return .saidTooMuch }
        }
    }

    /// Waits for the helper to end (killing its process group when the exchange already
    /// failed, or when it lingers after closing its end) and says how it ended.
    private static func reap(_ child: pid_t, after exchange: Exchange) -> Ending {
        var output: [UInt8] = []
        switch exchange {
        case .timedOut, .saidTooMuch:
            kill(-child, SIGKILL)
            _ = wait(for: child, until: nil)
            return exchange == .timedOut ? .timedOut : .saidTooMuch
        case .closed(let said):
            output = said
        }
        guard let status = wait(for: child, until: ContinuousClock.now.advanced(by: .seconds(5))) else {
            kill(-child, SIGKILL)
            _ = wait(for: child, until: nil)
            return .timedOut
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import (they are macros).
        let signal = status & 0x7F
        return signal == 0 ? .exited(status: (status >> 8) & 0xFF, output: output) : .signalled(signal)
    }

    /// The child's wait status, or nil when it is still running at `deadline`.
    private static func wait(for child: pid_t, until deadline: ContinuousClock.Instant?) -> Int32? {
        var status: Int32 = 0
        while true {
            let waited = waitpid(child, &status, deadline == nil ? 0 : WNOHANG)
            if waited == child { return status }
            if waited < 0 && errno != EINTR { return 0 }
            if let deadline, ContinuousClock.now >= deadline { return nil }
            if waited == 0 { usleep(10_000) }
        }
    }
}
