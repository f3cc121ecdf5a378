import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An exclusive `flock` on a file, held for the length of a scope: the mechanism beneath the
/// agent's writer lock (CLI.md "Imports") and the lock that serialises `deploy` runs.
/// `LicenseAgent` gives each of those its own type, so one can never pass for the other.
///
/// The lock is scoped: `withLock` takes it, runs the body and releases it when the body
/// returns or throws, so how long it is held is visible in the code's shape and never
/// depends on when an object happens to be freed.
///
/// The holder writes its PID and command into the file so that a waiting writer can name it.
/// The kernel drops the lock when the holder's descriptor closes, also when it is killed,
/// so a crash never leaves the device locked.
public final class FileLock {
    public let path: String
    private let descriptor: FileDescriptor
    /// True from acquisition until `withLock`'s body has ended.
    public private(set) var isHeld = true

    /// Takes the lock at `path` — waiting up to `timeout` for another writer, then throwing
    /// `.lockBusy` naming the holder — runs `body`, and releases the lock however `body` ends.
    public static func withLock<Value>(path: String, purpose: String, timeout: Duration = .seconds(10),
                                       _ body: (FileLock) throws(AgentError) -> Value) throws(AgentError) -> Value {
        let lock = try FileLock(acquiring: path, purpose: purpose, timeout: timeout)
        defer { lock.release() }
        return try body(lock)
    }

    private init(acquiring path: String, purpose: String, timeout: Duration) throws(AgentError) {
        self.path = path
        // The lock's directory is the device layout's (`/run/license-agent`): opened by its path, once.
        let (directoryPath, name) = DurableFile.split(path)
        let directory = try OpenDirectory.create(directoryPath, mode: 0o755)
        let opened = name.withCString { name in
            valueOrErrno("openat") { openat(directory.descriptor.rawValue, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o600) }
        }
        descriptor = FileDescriptor(rawValue: try opened.orThrow("Cannot open a lock file", path: path))
        do {
            try RegularFile.requireRegular(descriptor, path: path)
            try Self.wait(for: descriptor, path: path, timeout: timeout)
        } catch {
            try? descriptor.close()
            isHeld = false
            throw error
        }
        let note = Array("pid=\(getpid()) \(purpose)\n".utf8)
        // The note only helps a waiting writer name the holder; failing to write it changes nothing.
        _ = nothingOrErrno("ftruncate") { ftruncate(descriptor.rawValue, 0) }
        _ = try? descriptor.writeAll(toAbsoluteOffset: 0, note)
    }

    /// A safety net only: `withLock` has released the lock long before.
    deinit { if isHeld { release() } }

    private func release() {
        guard isHeld else { return }
        isHeld = false
        _ = nothingOrErrno("ftruncate") { ftruncate(descriptor.rawValue, 0) }
        _ = nothingOrErrno("flock") { flock(descriptor.rawValue, LOCK_UN) }
        try? descriptor.close()
    }

    private static func wait(for descriptor: FileDescriptor, path: String, timeout: Duration) throws(AgentError) {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            switch nothingOrErrno("flock", { flock(descriptor.rawValue, LOCK_EX | LOCK_NB) }) {
            case .success: return
            case .failure(.wouldBlock): break
            case .failure(let failure):
                throw AgentError(.io, "Cannot take a lock", path: path, cause: .system(failure))
            }
            if clock.now >= deadline {
                throw AgentError(.lockBusy, "Another license-agent is changing this device (\(describeHolder(descriptor))) and did not finish within \(timeout.components.seconds) seconds",
                                 path: path, remedy: "Wait for it to finish, then try again")
            }
            usleep(50_000)
        }
    }

    private static func describeHolder(_ descriptor: FileDescriptor) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = (try? buffer.withUnsafeMutableBytes { try descriptor.read(fromAbsoluteOffset: 0, into: $0) }) ?? 0
        let text = DisplayText.escaping(String(decoding: buffer[0..<count], as: UTF8.self).trimmingASCIIWhitespace())
        return text.isEmpty ? "holder unknown" : text
    }
}
