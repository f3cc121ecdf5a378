import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The one way this target calls the kernel (the model is swift-system's `valueOrErrno`):
/// run the call, read `errno` at once — before anything else can overwrite it — and retry
/// while it is `EINTR`. Every syscall result is checked through here, never dropped.
///
/// `name` is the system call's name as strace spells it (`openat`, `fsync`): under a test's
/// `SystemCallFaults` the call can be made to fail with an errno instead of being made.
@inline(__always)
func valueOrErrno<Value: FixedWidthInteger>(_ name: StaticString, retryOnInterrupt: Bool = true,
                                            _ call: () -> Value) -> Result<Value, Errno> {
    while true {
        if let injected = SystemCallFaults.failure(of: name) {
            guard retryOnInterrupt && injected == .interrupted else { return .failure(injected) }
            continue
        }
        let value = call()
        guard value == -1 else { return .success(value) }
        let failure = Errno(rawValue: errno)
        guard retryOnInterrupt && failure == .interrupted else { return .failure(failure) }
    }
}

/// `valueOrErrno` for calls whose only result is success.
@inline(__always)
func nothingOrErrno<Value: FixedWidthInteger>(_ name: StaticString, retryOnInterrupt: Bool = true,
                                              _ call: () -> Value) -> Result<Void, Errno> {
    valueOrErrno(name, retryOnInterrupt: retryOnInterrupt, call).map { _ in () }
}

/// `valueOrErrno` for calls that return a pointer, nil on failure (opendir, fdopendir, libudev's constructors); retried while `EINTR` too.
@inline(__always)
func pointerOrErrno<Pointer>(_ name: StaticString, _ call: () -> Pointer?) -> Result<Pointer, Errno> {
    while true {
        let failure: Errno
        if let injected = SystemCallFaults.failure(of: name) {
            failure = injected
        } else if let pointer = call() {
            return .success(pointer)
        } else {
            failure = Errno(rawValue: errno)
        }
        guard failure == .interrupted else { return .failure(failure) }
    }
}

/// `valueOrErrno` for swift-system's calls, which throw their `Errno` (`Stat`, `fstat`):
/// retried while `EINTR`, and open to `SystemCallFaults` under `name` like every other call.
@inline(__always)
func resultOrErrno<Value>(_ name: StaticString, _ call: () throws(Errno) -> Value) -> Result<Value, Errno> {
    while true {
        if let injected = SystemCallFaults.failure(of: name) {
            if injected == .interrupted { continue }
            return .failure(injected)
        }
        let result = Result(catching: call)
        if case .failure(.interrupted) = result { continue }
        return result
    }
}

extension Result where Failure == Errno {
    /// The value, or an `.io` error that names what was attempted, where, and the errno.
    func orThrow(_ summary: String, path: String?) throws(AgentError) -> Success {
        try orThrow(.io, summary, path: path)
    }

    /// The value, or an `AgentError` that names what was attempted, where, and the errno.
    func orThrow(_ code: AgentError.Code, _ summary: String, path: String?,
                 remedy: String? = nil) throws(AgentError) -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let failure):
            throw AgentError(code, summary, path: path, cause: .system(failure), remedy: remedy)
        }
    }

    /// Success, or success because the call found nothing to do (`ENOENT` for a removal,
    /// `EEXIST` for a creation): the state the caller wanted is there.
    func ignoring(_ harmless: Errno) -> Result<Void, Errno> {
        switch self {
        case .success: return .success(())
        case .failure(let failure) where failure == harmless: return .success(())
        case .failure(let failure): return .failure(failure)
        }
    }
}

extension Result where Failure == Errno {
    /// `value` instead of an `EINTR` failure: for waits that a signal may cut short.
    func ignoringInterruption(as value: Success) -> Result<Success, Errno> {
        if case .failure(.interrupted) = self { return .success(value) }
        return self
    }
}

extension FileName {
    /// Runs `body` with the name as a NUL-terminated C string (for the `*at` system calls).
    /// A name holding a NUL byte cannot exist in a directory; it is passed truncated, which
    /// the kernel then fails to find.
    func withCString<Result>(_ body: (UnsafePointer<CChar>) -> Result) -> Result {
        (bytes + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }
}
