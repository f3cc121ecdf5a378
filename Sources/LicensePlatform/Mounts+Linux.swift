import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Named wrappers for mount(2) and umount2(2), with errors that say what was attempted.
///
/// Making `/license` writable and read-only again restores **exactly** the mount state that
/// was found (CLI.md "The license partition's mount"). A remount through mount(2) replaces
/// every per-mount flag and the superblock's `sync`/`lazytime`/`mand`/`iversion` flags with
/// the ones passed, so each option the kernel reported is passed back. A read-only mount
/// point over a read-write filesystem (a read-only bind mount) changes only the mount point
/// (`MS_BIND`): the filesystem underneath, which other mounts may share, is never remounted.
public enum Mounts {
    /// Per-mount options as `/proc/self/mountinfo` spells them.
    static let perMountFlags: [(String, UInt)] = [
        ("nosuid", UInt(MS_NOSUID)), ("nodev", UInt(MS_NODEV)), ("noexec", UInt(MS_NOEXEC)),
        ("noatime", UInt(MS_NOATIME)), ("nodiratime", UInt(MS_NODIRATIME)), ("relatime", UInt(MS_RELATIME)),
        ("nosymfollow", 256 /* MS_NOSYMFOLLOW, Linux 5.10 */),
    ]
    /// Superblock options that a remount through mount(2) resets unless passed again.
    static let superblockFlags: [(String, UInt)] = [
        ("sync", UInt(MS_SYNCHRONOUS)), ("dirsync", UInt(MS_DIRSYNC)), ("lazytime", UInt(1 << 25) /* MS_LAZYTIME */),
        ("mand", UInt(MS_MANDLOCK)), ("i_version", UInt(MS_I_VERSION)), ("iversion", UInt(MS_I_VERSION)),
    ]

    /// Mounts `source` on `target` read-only with nosuid, nodev, noexec: how a stick is read.
    public static func mountReadOnly(source: String, target: String, type: String) throws(AgentError) {
        let flags = UInt(MS_RDONLY) | UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC)
        try nothingOrErrno("mount") { mount(source, target, type, flags, nil) }
            .orThrow(.mount, "Cannot mount \(source) as \(type)", path: target)
    }

    /// Makes the read-only mount `found` at `target` writable, touching as little as possible:
    /// only the mount point when the filesystem underneath is writable already.
    public static func makeWritable(_ target: String, found: MountTable.Entry) throws(AgentError) {
        let perMount = flags(found.mountOptions, perMountFlags, atimeDefault: true)
        if found.superOptions.contains("ro") {
            let superblock = flags(found.superOptions, superblockFlags, atimeDefault: false)
            try remount(target, UInt(MS_REMOUNT) | superblock | perMount, "Cannot remount read-write")
        } else {
            try remount(target, UInt(MS_REMOUNT) | UInt(MS_BIND) | perMount, "Cannot make the mount point writable")
        }
    }

    /// Puts the mount at `target` back into the state `found` describes, then checks with the
    /// kernel's mount table that every option is as it was.
    public static func restore(_ target: String, to found: MountTable.Entry) throws(AgentError) {
        let perMount = flags(found.mountOptions, perMountFlags, atimeDefault: true)
        if found.superOptions.contains("ro") {
            let superblock = flags(found.superOptions, superblockFlags, atimeDefault: false)
            try remount(target, UInt(MS_REMOUNT) | UInt(MS_RDONLY) | superblock | perMount, "Cannot remount read-only")
        }
        let perMountReadOnly = found.mountOptions.contains("ro") ? UInt(MS_RDONLY) : 0
        try remount(target, UInt(MS_REMOUNT) | UInt(MS_BIND) | perMount | perMountReadOnly, "Cannot make the mount point read-only")
        guard let now = try MountInfo.read().entry(forMountPoint: target) else {
            throw AgentError(.mount, "The mount disappeared while it was being restored", path: target)
        }
        guard Set(now.mountOptions) == Set(found.mountOptions), Set(now.superOptions) == Set(found.superOptions) else {
            throw AgentError(.mount, "The mount could not be restored exactly", path: target,
                             cause: .text("found \(found.mountOptions.joined(separator: ",")) / \(found.superOptions.joined(separator: ",")), now \(now.mountOptions.joined(separator: ",")) / \(now.superOptions.joined(separator: ","))"),
                             remedy: "Remount it by hand with the options in /etc/fstab")
        }
    }

    /// `restore`, tried again at short intervals for up to `limit` while it fails; the last failure
    /// when it never succeeded.
    public static func restore(_ target: String, to found: MountTable.Entry, retryingFor limit: Duration) throws(AgentError) {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: limit)
        while true {
            do throws(AgentError) {
                return try restore(target, to: found)
            } catch {
                if clock.now >= deadline { throw error }
                usleep(100_000)
            }
        }
    }

    /// Unmounts `target`; with `lazy`, detaches it now and lets the kernel finish when it is no longer busy.
    public static func unmount(_ target: String, lazy: Bool = false) throws(AgentError) {
        try nothingOrErrno("umount2") { umount2(target, lazy ? Int32(MNT_DETACH) : 0) }.orThrow(.mount, "Cannot unmount", path: target)
    }

    /// The canonical absolute form of `path` (symlinks resolved), as mountinfo spells mount points.
    public static func canonicalPath(_ path: String) -> String {
        guard case .success(let resolved) = pointerOrErrno("realpath", { realpath(path, nil) }) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The flags for the options in `options` that `table` knows. For per-mount options an
    /// absent atime option means strictatime, which must be said: a remount that names
    /// `nodiratime` alone would otherwise fall back to relatime.
    static func flags(_ options: [String], _ table: [(String, UInt)], atimeDefault: Bool) -> UInt {
        var result: UInt = 0
        for (name, flag) in table where options.contains(name) { result |= flag }
        if atimeDefault && !options.contains("noatime") && !options.contains("relatime") {
            result |= UInt(MS_STRICTATIME)
        }
        return result
    }

    private static func remount(_ target: String, _ flags: UInt, _ summary: String) throws(AgentError) {
        try nothingOrErrno("mount") { mount(nil, target, nil, flags, nil) }.orThrow(.mount, summary, path: target)
    }
}
