import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Named wrappers for mount(2) and umount2(2), with errors that say what was attempted.
public enum Mounts {
    /// Per-mount options that a remount must repeat, or the kernel would clear them.
    static let preservedOptions: [(String, UInt)] = [
        ("nosuid", UInt(MS_NOSUID)), ("nodev", UInt(MS_NODEV)), ("noexec", UInt(MS_NOEXEC)),
        ("noatime", UInt(MS_NOATIME)), ("nodiratime", UInt(MS_NODIRATIME)), ("relatime", UInt(MS_RELATIME)),
    ]

    /// Mounts `source` on `target` read-only with nosuid, nodev, noexec: how a stick is read.
    public static func mountReadOnly(source: String, target: String, type: String) throws(AgentError) {
        let flags = UInt(MS_RDONLY) | UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC)
        guard mount(source, target, type, flags, nil) == 0 else {
            throw AgentError(.mount, "Cannot mount \(source) as \(type)", path: target, cause: .system(Errno(rawValue: errno)))
        }
    }

    /// Remounts the mount at `target` read-only or read-write, keeping `options` such as nosuid.
    public static func remount(_ target: String, readOnly: Bool, keeping options: [String]) throws(AgentError) {
        var flags = UInt(MS_REMOUNT)
        for (name, flag) in preservedOptions where options.contains(name) { flags |= flag }
        if readOnly { flags |= UInt(MS_RDONLY) }
        guard mount(nil, target, nil, flags, nil) == 0 else {
            throw AgentError(.mount, "Cannot remount \(readOnly ? "read-only" : "read-write")", path: target,
                             cause: .system(Errno(rawValue: errno)))
        }
        // A read-only bind mount is read-only per mount as well; clear or set that flag too.
        _ = mount(nil, target, nil, flags | UInt(MS_BIND), nil)
    }

    /// Unmounts `target`; with `lazy`, detaches it now and lets the kernel finish when it is no longer busy.
    public static func unmount(_ target: String, lazy: Bool = false) throws(AgentError) {
        guard umount2(target, lazy ? Int32(MNT_DETACH) : 0) == 0 else {
            throw AgentError(.mount, "Cannot unmount", path: target, cause: .system(Errno(rawValue: errno)))
        }
    }

    /// The canonical absolute form of `path` (symlinks resolved), as mountinfo spells mount points.
    public static func canonicalPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Holds off termination signals while a critical section runs, so that a SIGTERM or
/// SIGINT arriving while `/license` is read-write is acted on only after it is read-only again.
public enum TerminationSignals {
    static let deferred: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGQUIT]

    /// Runs `body` with the termination signals blocked; pending ones are delivered after it.
    public static func deferred<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        for signal in deferred { sigaddset(&blocked, signal) }
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }
}
