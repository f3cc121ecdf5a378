import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Crash-safe changes of whole files in an open directory: what the license store and the
/// agent's state (`/wfs/license-agent`, `/run/license-agent`, the settings file) are written with.
///
/// A power cut must leave either the old or the new file, never a torn one: data goes to a
/// temp file in the same directory, is fsync'ed, renamed over the target, and the directory
/// is fsync'ed so that the rename itself is on disk. Temp files are named `.NAME.tmp-PID` from
/// the target's bytes, hidden and never ending in `.lic`, so a reader of `*.lic` can never
/// mistake one for a license, and messages name the target, never a temp file.
extension OpenDirectory {
    /// Atomically replaces (or creates) `name` with `bytes`, durably.
    ///
    /// The rename is the commit point: once it happened, the new file is what every reader
    /// sees, so a failed fsync of the directory afterwards is not thrown (a caller would
    /// report a change that was made as not made) but returned, for callers that warn; a
    /// power cut then leaves the old file or the new one, as before.
    @discardableResult
    public func replace(_ name: FileName, with bytes: [UInt8], mode: FileModeBits = 0o644) throws(AgentError) -> AgentError? {
        let temporary = DurableFile.temporaryName(for: name)
        do {
            // A temp file left by a killed writer with the same PID is stale by definition.
            try removeFile(temporary)
            try writeNewFile(temporary, bytes, mode: mode)
            try rename(temporary, to: name)
        } catch {
            try? removeFile(temporary)
            throw AgentError(.io, "Cannot write a file", path: display(name), cause: error.cause ?? .text(error.summary))
        }
        do {
            try synchronize()
            return nil
        } catch {
            return error
        }
    }

    /// Removes the file `name` and makes the removal durable. A file already gone is fine.
    public func removeFileDurably(_ name: FileName) throws(AgentError) {
        try removeFile(name)
        try synchronize()
    }

    /// Renames `name` to `newName` (replacing it) and makes the rename durable.
    public func renameDurably(_ name: FileName, to newName: FileName) throws(AgentError) {
        try name.withCString { source in
            newName.withCString { target in
                nothingOrErrno("renameat") { renameat(descriptor.rawValue, source, descriptor.rawValue, target) }
            }
        }.orThrow("Cannot rename a file", path: display(name))
        try synchronize()
    }

    /// Creates the directory `path` with `mode` unless it exists, and opens it. Its parent
    /// must exist: the agent creates only its own directories, never a device's (CLI.md
    /// "Setup problems are named"), so a mistyped `--root` or a missing `/wfs` is an error,
    /// not a new tree. `path` is where a device layout puts one of the agent's directories:
    /// the edge where a path becomes a descriptor.
    public static func create(_ path: String, mode: FileModeBits = 0o755) throws(AgentError) -> OpenDirectory {
        try DurableFile.makeDirectory(path, mode: mode)
        guard let made = try open(path) else {
            throw AgentError(.io, "Cannot open a directory", path: path, cause: .system(.noSuchFileOrDirectory))
        }
        return made
    }
}

/// Files named by a path: the edges, where a path comes from outside the device layout (a
/// file named on the command line, a keyring, a CA file for libcurl, the mount table) or from
/// a vendor-side tool that writes into directories of its own choosing. Everything in the
/// license store and the agent's state goes through `OpenDirectory` instead.
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

    /// `OpenDirectory.replace` for the file at `path`. Kept for the vendor-side tools
    /// (`license-issuer`, `ThrowawayPKI`) and for `BootCheck`'s published answer in `/run`.
    @discardableResult
    public static func write(_ bytes: [UInt8], to path: String,
                             mode: FilePermissions = [.ownerReadWrite, .groupRead, .otherRead]) throws(AgentError) -> AgentError? {
        let (directory, name) = split(path)
        guard let parent = try OpenDirectory.open(directory) else {
            throw AgentError(.io, "Cannot write a file: its directory does not exist", path: path)
        }
        return try parent.replace(name, with: bytes, mode: mode.rawValue)
    }

    /// Removes the file at `path` and makes the removal durable. A file already gone is fine.
    /// Kept for `BootCheck`'s published answer.
    public static func remove(_ path: String) throws(AgentError) {
        let (directory, name) = split(path)
        guard let parent = try OpenDirectory.open(directory) else { return }
        try parent.removeFileDurably(name)
    }

    /// Creates the directory `path` unless it exists; its parent must exist (see
    /// `OpenDirectory.create`, which also opens it). Kept for `BootCheck` and, with `creatingParents`, for the vendor-side tools, which write into
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
    /// For a device node named on the command line.
    public static func size(of path: String) -> Int? { RegularFile.size(of: path) }

    /// True when `name` is a writer's temp file rather than real content.
    public static func isTemporary(_ name: FileName) -> Bool {
        name.hasPrefix(temporaryPrefix) && ByteSearch.firstIndex(of: Array(temporaryMarker.utf8), in: name.bytes) != nil
    }

    /// The temp file that stands in for `name` while it is replaced: `.NAME.tmp-PID`, from
    /// the name's bytes (a display form is never a path).
    static func temporaryName(for name: FileName) -> FileName {
        FileName(bytes: Array(temporaryPrefix.utf8) + name.bytes + Array((temporaryMarker + String(getpid())).utf8))
    }

    /// The directory holding `path` (`.` for a bare name) and the last component.
    static func split(_ path: String) -> (directory: String, name: FileName) {
        let filePath = FilePath(path)
        let parent = filePath.removingLastComponent()
        let directory = parent.isEmpty ? "." : parent.string
        return (directory, FileName(filePath.lastComponent?.string ?? path))
    }
}
