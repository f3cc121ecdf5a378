import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Whole-file reads and crash-safe replacement of files.
///
/// A power cut must leave either the old or the new file, never a torn one: data goes to a
/// temp file in the same directory, is fsync'ed, renamed over the target, and the directory
/// is fsync'ed so that the rename itself is on disk. Temp files are named `.NAME.tmp-PID`,
/// hidden and never ending in `.lic`, so a reader of `*.lic` can never mistake one for a license.
public enum DurableFile {
    /// The temp-file prefix: every writer's partial files start with it.
    public static let temporaryPrefix = "."
    public static let temporaryMarker = ".tmp-"

    /// Reads a regular file of at most `limit` bytes without blocking on a FIFO. Returns nil
    /// when the file does not exist. A symlink at the last component is refused unless
    /// `followingSymlinks` (for configuration an administrator may link, like the keyring);
    /// license candidates are never followed.
    public static func read(_ path: String, limit: Int = 16 << 20,
                            followingSymlinks: Bool = false) throws(AgentError) -> [UInt8]? {
        let descriptor: FileDescriptor
        var options: FileDescriptor.OpenOptions = [.closeOnExec, .nonBlocking]
        if !followingSymlinks { options.insert(.noFollow) }
        do {
            descriptor = try FileDescriptor.open(FilePath(path), .readOnly, options: options)
        } catch Errno.noSuchFileOrDirectory {
            return nil
        } catch Errno.tooManySymbolicLinkLevels {
            throw AgentError(.io, "Refusing a symbolic link", path: path)
        } catch {
            throw AgentError(.io, "Cannot open a file", path: path, cause: .system(error as? Errno ?? .ioError))
        }
        defer { try? descriptor.close() }
        return try readAll(descriptor, path: path, limit: limit)
    }

    /// Reads everything from an open descriptor, refusing non-regular files and anything
    /// longer than `limit` (checked while reading, so a growing file cannot exceed it).
    public static func readAll(_ descriptor: FileDescriptor, path: String, limit: Int) throws(AgentError) -> [UInt8] {
        var status = stat()
        guard fstat(descriptor.rawValue, &status) == 0 else {
            throw AgentError(.io, "Cannot inspect a file", path: path, cause: .system(Errno(rawValue: errno)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw AgentError(.io, "Not a regular file", path: path)
        }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count: Int
            do {
                count = try chunk.withUnsafeMutableBytes { try descriptor.read(into: $0, retryOnInterrupt: true) }
            } catch {
                throw AgentError(.io, "Cannot read a file", path: path, cause: .system(error as? Errno ?? .ioError))
            }
            if count == 0 { return contents }
            contents.append(contentsOf: chunk[0..<count])
            if contents.count > limit {
                throw AgentError(.io, "The file is larger than the limit of \(limit) bytes", path: path)
            }
        }
    }

    /// Atomically replaces (or creates) `path` with `bytes`, durably.
    public static func write(_ bytes: [UInt8], to path: String, mode: FilePermissions = [.ownerReadWrite, .groupRead, .otherRead]) throws(AgentError) {
        let target = FilePath(path)
        let parent = target.removingLastComponent()
        let directory = parent.isEmpty ? FilePath(".") : parent
        let name = target.lastComponent?.string ?? "file"
        let temporary = directory.appending("\(temporaryPrefix)\(name)\(temporaryMarker)\(getpid())")
        do {
            let descriptor = try FileDescriptor.open(
                temporary, .writeOnly, options: [.create, .truncate, .noFollow, .closeOnExec], permissions: mode)
            do {
                _ = try descriptor.writeAll(bytes)
                try fsyncOrThrow(descriptor)
                try descriptor.close()
            } catch {
                try? descriptor.close()
                throw error
            }
            guard Glibc.rename(temporary.string, target.string) == 0 else { throw Errno(rawValue: errno) }
        } catch {
            _ = unlink(temporary.string)
            throw AgentError(.io, "Cannot write a file", path: path, cause: .system(error as? Errno ?? .ioError))
        }
        try synchronizeDirectory(directory.string)
    }

    /// Removes `path` and makes the removal durable. A file that is already gone is fine.
    public static func remove(_ path: String) throws(AgentError) {
        if unlink(path) != 0 && errno != ENOENT {
            throw AgentError(.io, "Cannot remove a file", path: path, cause: .system(Errno(rawValue: errno)))
        }
        try synchronizeDirectory(parentDirectory(of: path))
    }

    /// The directory holding `path` (`.` for a bare file name).
    static func parentDirectory(of path: String) -> String {
        let parent = FilePath(path).removingLastComponent()
        return parent.isEmpty ? "." : parent.string
    }

    /// Renames `source` to `target` (replacing it) and makes the rename durable.
    public static func rename(_ source: String, to target: String) throws(AgentError) {
        guard Glibc.rename(source, target) == 0 else {
            throw AgentError(.io, "Cannot rename a file", path: source, cause: .system(Errno(rawValue: errno)))
        }
        try synchronizeDirectory(parentDirectory(of: target))
    }

    /// fsync of a directory: makes renames and unlinks inside it durable.
    public static func synchronizeDirectory(_ path: String) throws(AgentError) {
        do {
            let descriptor = try FileDescriptor.open(FilePath(path), .readOnly, options: [.directory, .closeOnExec])
            defer { try? descriptor.close() }
            try fsyncOrThrow(descriptor)
        } catch {
            throw AgentError(.io, "Cannot flush a directory to disk", path: path,
                             cause: .system(error as? Errno ?? .ioError))
        }
    }

    /// Creates `path` and its missing parents with `mode`.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(AgentError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw AgentError(.io, "Cannot create a directory", path: current, cause: .system(Errno(rawValue: errno)))
            }
        }
    }

    /// The size of the file at `path` (not following a last symlink), or nil when it is absent.
    public static func size(of path: String) -> Int? {
        var status = stat()
        return lstat(path, &status) == 0 ? Int(status.st_size) : nil
    }

    /// True when `name` is a writer's temp file rather than real content.
    public static func isTemporary(_ name: String) -> Bool {
        name.hasPrefix(temporaryPrefix) && name.contains(temporaryMarker)
    }

    private static func fsyncOrThrow(_ descriptor: FileDescriptor) throws {
        guard fsync(descriptor.rawValue) == 0 else { throw Errno(rawValue: errno) }
    }
}
