import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The one-writer-at-a-time lock of CLI.md ("Imports"): `flock` on `/run/license-agent/lock`.
///
/// The holder writes its PID and command into the file so that a waiting writer can name it.
/// The kernel drops the lock when the holder's descriptor closes, also when it is killed,
/// so a crash never leaves the device locked.
public final class WriterLock {
    private let descriptor: FileDescriptor
    public let path: String

    /// Waits up to `timeout` seconds for the lock; then throws `.lockBusy` naming the holder.
    public init(path: String, purpose: String, timeout: Double = 10) throws(AgentError) {
        self.path = path
        let parent = FilePath(path).removingLastComponent().string
        try DurableFile.makeDirectories(parent)
        do {
            descriptor = try FileDescriptor.open(
                FilePath(path), .readWrite, options: [.create, .noFollow, .closeOnExec],
                permissions: [.ownerReadWrite])
        } catch {
            throw AgentError(.io, "Cannot open the writer lock", path: path, cause: .system(error as? Errno ?? .ioError))
        }
        let deadline = WriterLock.monotonicSeconds() + timeout
        while flock(descriptor.rawValue, LOCK_EX | LOCK_NB) != 0 {
            let failure = errno
            guard failure == EWOULDBLOCK || failure == EINTR else {
                try? descriptor.close()
                throw AgentError(.io, "Cannot take the writer lock", path: path, cause: .system(Errno(rawValue: failure)))
            }
            if WriterLock.monotonicSeconds() >= deadline {
                let holder = WriterLock.describeHolder(descriptor)
                try? descriptor.close()
                throw AgentError(.lockBusy, "Another license-agent is changing this device (\(holder)) and did not finish within \(Int(timeout)) seconds",
                                 path: path, remedy: "Wait for it to finish, then try again")
            }
            usleep(50_000)
        }
        let note = Array("pid=\(getpid()) \(purpose)\n".utf8)
        _ = ftruncate(descriptor.rawValue, 0)
        _ = try? descriptor.writeAll(toAbsoluteOffset: 0, note)
    }

    deinit {
        _ = ftruncate(descriptor.rawValue, 0)
        try? descriptor.close()
    }

    private static func describeHolder(_ descriptor: FileDescriptor) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = (try? buffer.withUnsafeMutableBytes { try descriptor.read(fromAbsoluteOffset: 0, into: $0) }) ?? 0
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingASCIIWhitespace()
        return text.isEmpty ? "holder unknown" : text
    }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
