import LicensePolicy

/// Reads the kernel's mount table for this process.
///
/// `/proc` files report a size of 0; `DurableFile.read` reads until end of file, so that
/// is no obstacle. The table is a path at the edge: the kernel's, not the device layout's. The parsing is `MountTable`'s.
public enum MountInfo {
    public static let defaultPath = "/proc/self/mountinfo"

    /// The parsed mount table at `path` (default: `/proc/self/mountinfo`).
    public static func read(path: String = defaultPath) throws(AgentError) -> MountTable {
        guard let bytes = try DurableFile.read(path, limit: 16 << 20, followingSymlinks: true) else {
            throw AgentError(.io, "Could not read the mount table", path: path,
                             cause: .text("the file does not exist (is /proc mounted?)"))
        }
        return try MountTable(parsing: String(decoding: bytes, as: UTF8.self))
    }
}
