import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Holds off termination signals while a change runs, and until the command has said what it
/// did (CLI.md "One failed syscall never costs the truth").
///
/// A SIGTERM or SIGINT that arrives while `/license` is read-write is not acted on then: the
/// change completes and the partition is read-only again. Nor right after: a signal that
/// arrived during the change is taken off the pending set and kept, and `honourHeld` ends the
/// process with it once the command's result and audit line are out — so a terminated import
/// still reports what it installed, and exits with the signal's status.
public enum TerminationSignals {
    static let deferred: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGQUIT]

    /// The first termination signal that arrived during a change.
    private static let held = Mutex<Int32?>(nil)

    /// Runs `body` with the termination signals blocked; one that arrived meanwhile is held.
    public static func deferred<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        for signal in deferred { sigaddset(&blocked, signal) }
        // pthread_sigmask cannot fail with a valid `how` and set; its result needs no check.
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer {
            takePending()
            pthread_sigmask(SIG_SETMASK, &previous, nil)
        }
        return try body()
    }

    /// Takes the pending termination signals off the set (still blocked), keeping the first.
    private static func takePending() {
        var pending = sigset_t()
        sigpending(&pending)
        for signal in deferred where sigismember(&pending, signal) == 1 {
            var one = sigset_t()
            sigemptyset(&one)
            sigaddset(&one, signal)
            var immediately = timespec(tv_sec: 0, tv_nsec: 0)
            if sigtimedwait(&one, nil, &immediately) == signal {
                held.withLock { if $0 == nil { $0 = signal } }
            }
        }
    }

    /// Ends the process with the signal held during a change, if one was: called once the
    /// command's result is out. Returns when none was held.
    public static func honourHeld() {
        guard let signal = held.withLock({ $0 }) else { return }
        Glibc.signal(signal, SIG_DFL)
        var one = sigset_t()
        sigemptyset(&one)
        sigaddset(&one, signal)
        pthread_sigmask(SIG_UNBLOCK, &one, nil)
        raise(signal)
    }
}
