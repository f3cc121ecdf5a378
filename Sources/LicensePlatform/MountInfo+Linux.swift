import LicensePolicy
import SystemPackage

/// Reads the kernel's mount table for this process.
///
/// `/proc` files report a size of 0, so the file is read in chunks until end of file rather
/// than by its size; the parsing is `MountTable`'s.
public enum MountInfo {
    public static let defaultPath = "/proc/self/mountinfo"

    /// The parsed mount table at `path` (default: `/proc/self/mountinfo`).
    public static func read(path: String = defaultPath) throws(AgentError) -> MountTable {
        let bytes: [UInt8]
        do {
            let descriptor = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
            bytes = try descriptor.closeAfter {
                var collected: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 16_384)
                while true {
                    let count = try chunk.withUnsafeMutableBytes { try descriptor.read(into: $0) }
                    if count == 0 { break }
                    collected.append(contentsOf: chunk[0..<count])
                }
                return collected
            }
        } catch let error as Errno {
            throw AgentError(.io, "Could not read the mount table", path: path, cause: .system(error))
        } catch {
            throw AgentError(.io, "Could not read the mount table", path: path, cause: .text("\(error)"))
        }
        return try MountTable(parsing: String(decoding: bytes, as: UTF8.self))
    }
}
