import CLinux
import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The file-system moves behind atomic license-set changes: hard links into a staging
/// directory and one `renameat2(RENAME_EXCHANGE)` that swaps it with the live directory.
/// ext4 and tmpfs support the exchange; it is atomic even across a power cut once the
/// parent directory is fsync'ed.
public enum DirectorySwap {
    /// Atomically exchanges the directories `first` and `second` (both must exist).
    public static func exchange(_ first: String, _ second: String) throws(AgentError) {
        guard linux_renameat2(AT_FDCWD, first, AT_FDCWD, second, linux_rename_exchange()) == 0 else {
            throw AgentError(.io, "Cannot swap the staged license directory into place", path: second,
                             cause: .system(Errno(rawValue: errno)))
        }
    }

    /// Makes `link` a second name of the file `existing` (no data is copied).
    public static func hardLink(_ existing: String, _ link: String) throws(AgentError) {
        guard Glibc.link(existing, link) == 0 else {
            throw AgentError(.io, "Cannot link a license into the staging directory", path: existing,
                             cause: .system(Errno(rawValue: errno)))
        }
    }

    /// Creates a directory with `mode`; an existing one is an error (staging names are unique).
    public static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws(AgentError) {
        guard mkdir(path, mode) == 0 else {
            throw AgentError(.io, "Cannot create a directory", path: path, cause: .system(Errno(rawValue: errno)))
        }
    }

    /// Removes `path` and everything below it without following symlinks.
    public static func removeTree(_ path: String) throws(AgentError) {
        if let entries = try Directory.entries(of: path) {
            for entry in entries {
                let child = path + "/" + entry.name
                if entry.kind == .directory { try removeTree(child) } else if unlink(child) != 0 && errno != ENOENT {
                    throw AgentError(.io, "Cannot remove a file", path: child, cause: .system(Errno(rawValue: errno)))
                }
            }
        }
        if rmdir(path) != 0 && errno != ENOENT {
            throw AgentError(.io, "Cannot remove a directory", path: path, cause: .system(Errno(rawValue: errno)))
        }
    }

    /// Writes `bytes` to a new file `path` (which must not exist) and fsyncs it.
    public static func writeNewFile(_ bytes: [UInt8], to path: String, mode: FilePermissions = [.ownerReadWrite, .groupRead, .otherRead]) throws(AgentError) {
        do {
            let descriptor = try FileDescriptor.open(
                FilePath(path), .writeOnly, options: [.create, .exclusiveCreate, .noFollow, .closeOnExec], permissions: mode)
            try descriptor.closeAfter {
                _ = try descriptor.writeAll(bytes)
                guard fsync(descriptor.rawValue) == 0 else { throw Errno(rawValue: errno) }
            }
        } catch {
            throw AgentError(.io, "Cannot write a file", path: path, cause: .system(error as? Errno ?? .ioError))
        }
    }
}
