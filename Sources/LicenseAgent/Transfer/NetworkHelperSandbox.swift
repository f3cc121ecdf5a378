import LicensePlatform
import LicensePolicy

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What confines the network helper, as data: the user it becomes, the limits, and the
/// system calls libcurl, OpenSSL and glibc's resolver make during a transfer. Any other call
/// kills the helper. Files may be opened for reading only.
enum NetworkHelperSandbox {
    /// The package's system user (sysusers.d), else `nobody` (a development tree).
    static let users = ["license-agent", "nobody"]

    /// Glibc starts threads with `clone3` and falls back to `clone` when it is refused; `clone`'s
    /// flags can be checked, `clone3`'s (behind a pointer) cannot.
    static let refused = ["clone3"]

    static let allowed: [SystemCallFilter.Rule] = [
        // Memory, threads, signals, time, the process itself.
        "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "futex", "set_robust_list", "rseq",
        "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "sched_getaffinity", "sched_yield",
        "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "getrandom",
        "getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "prlimit64", "uname", "sysinfo",
        "exit", "exit_group",
        // Files: CA store, resolver configuration, NSS modules (read-only: see `openat` below).
        "read", "pread64", "readv", "write", "writev", "close", "fstat", "newfstatat", "statx", "lseek",
        "access", "faccessat", "faccessat2", "readlink", "getdents64", "fcntl", "ioctl", "dup", "getcwd",
        // The network and the waiting for it.
        "socket", "connect", "getsockopt", "setsockopt", "getsockname", "getpeername", "shutdown", "bind",
        "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "poll", "ppoll", "select", "pselect6",
        "pipe2", "eventfd2", "socketpair",
    ].map(SystemCallFilter.Rule.allow) + [
        // Files are opened for reading only: no O_WRONLY, O_RDWR, O_CREAT or O_TRUNC.
        .allow("openat", argument: 2, masked: UInt64(O_WRONLY | O_RDWR | O_CREAT | O_TRUNC), equals: 0),
        // Threads only (the threaded resolver): never a new process.
        .threadsOnly,
    ]

    /// Confines the calling process for good and returns libcurl, opened before the filter
    /// closes the door on loading it.
    static func enter() throws(AgentError) -> CurlTransfer {
        try PrivilegeDrop.drop(toFirstOf: users)
        try ResourceLimits.apply(ResourceLimits.networkHelper)
        let transfer = try CurlTransfer()
        try SystemCallFilter(allowing: allowed, failing: refused).load()
        return transfer
    }
}
