import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Crash-safe replacement and removal of whole files, and reads through `RegularFile`.
///
/// A power cut must leave either the old or the new file, never a torn one: data goes to a
/// temp file in the same directory, is fsync'ed, renamed over the target, and the directory
/// is fsync'ed so that the rename itself is on disk. Temp files are named `.NAME.tmp-PID`,
/// hidden and never ending in `.lic`, so a reader of `*.lic` can never mistake one for a license.
public enum DurableFile {
    /// The temp-file prefix: every writer's partial files start with it.
    public static let temporaryPrefix = "."
    public static let temporaryMarker = ".tmp-"

    /// Reads a regular file of at most `limit` bytes without blocking on a FIFO; nil when it
    /// does not exist. A symbolic link as the last component is refused unless
    /// `followingSymlinks` (configuration an image may link into place, like the keyring).
    public static func read(_ path: String, limit: Int = 16 << 20,
                            followingSymlinks: Bool = false) throws(AgentError) -> [UInt8]? {
        try RegularFile.read(path, limit: limit, followingSymlinks: followingSymlinks)
    }

    /// Atomically replaces (or creates) `path` with `bytes`, durably.
    ///
    /// The rename is the commit point: once it happened, the new file is what every reader
    /// sees, so a failed fsync of the directory afterwards is not thrown (a caller would
    /// report a change that was made as not made) but returned, for callers that warn; a
    /// power cut then leaves the old file or the new one, as before.
    @discardableResult
    public static func write(_ bytes: [UInt8], to path: String,
                             mode: FilePermissions = [.ownerReadWrite, .groupRead, .otherRead]) throws(AgentError) -> AgentError? {
        let (directory, name) = split(path)
        guard let parent = try OpenDirectory.open(directory) else {
            throw AgentError(.io, "Cannot write a file: its directory does not exist", path: path)
        }
        let temporary = FileName(temporaryPrefix + name.description + temporaryMarker + String(getpid()))
        // A temp file left by a killed writer with the same PID is stale by definition.
        try parent.removeFile(temporary)
        do {
            try parent.writeNewFile(temporary, bytes, mode: mode.rawValue)
            try parent.rename(temporary, to: name)
        } catch {
            try? parent.removeFile(temporary)
            throw AgentError(.io, "Cannot write a file", path: path, cause: error.cause ?? .text(error.summary))
        }
        do {
            try parent.synchronize()
            return nil
        } catch {
            return error
        }
    }

    /// Removes the file at `path` and makes the removal durable. A file already gone is fine.
    public static func remove(_ path: String) throws(AgentError) {
        let (directory, name) = split(path)
        guard let parent = try OpenDirectory.open(directory) else { return }
        try parent.removeFile(name)
        try parent.synchronize()
    }

    /// Renames `source` to `target` (replacing it) and makes the rename durable.
    public static func rename(_ source: String, to target: String) throws(AgentError) {
        try nothingOrErrno { Glibc.rename(source, target) }.orThrow("Cannot rename a file", path: source)
        try synchronizeDirectory(split(target).directory)
    }

    /// fsync of a directory: makes renames and unlinks inside it durable.
    public static func synchronizeDirectory(_ path: String) throws(AgentError) {
        guard let directory = try OpenDirectory.open(path) else {
            throw AgentError(.io, "Cannot flush a directory to disk", path: path, cause: .system(.noSuchFileOrDirectory))
        }
        try directory.synchronize()
    }

    /// Creates the directory `path` with `mode` unless it exists. Its parent must exist: the
    /// agent creates only its own directories, never a device's (CLI.md "Setup problems are
    /// named"), so a mistyped `--root` or a missing `/wfs` is an error, not a new tree.
    /// `creatingParents` is for the vendor-side tools (`license-issuer`), which write into
    /// directories of their own choosing, never a device's.
    public static func makeDirectory(_ path: String, mode: FileModeBits = 0o755, creatingParents: Bool = false) throws(AgentError) {
        let (directory, name) = split(path)
        if creatingParents, directory != path, try OpenDirectory.open(directory) == nil {
            try makeDirectory(directory, mode: mode, creatingParents: true)
        }
        guard let parent = try OpenDirectory.open(directory) else {
            throw AgentError(.io, "Cannot create a directory: its parent does not exist", path: path,
                             cause: .system(.noSuchFileOrDirectory))
        }
        try parent.makeDirectory(name, mode: mode, existingIsFine: true)
    }

    /// The size of the file at `path` (not following a last symlink), or nil when it is absent.
    public static func size(of path: String) -> Int? { RegularFile.size(of: path) }

    /// True when `name` is a writer's temp file rather than real content.
    public static func isTemporary(_ name: FileName) -> Bool {
        name.hasPrefix(temporaryPrefix) && ByteSearch.firstIndex(of: Array(temporaryMarker.utf8), in: name.bytes) != nil
    }

    /// The directory holding `path` (`.` for a bare name) and the last component.
    static func split(_ path: String) -> (directory: String, name: FileName) {
        let filePath = FilePath(path)
        let parent = filePath.removingLastComponent()
        let directory = parent.isEmpty ? "." : parent.string
        return (directory, FileName(filePath.lastComponent?.string ?? path))
    }
}
