internal import CBlkid
import Glibc
import LicensePolicy
import SystemPackage

/// A libblkid low-level probe (`blkid_probe`) of one block device: which filesystem its
/// superblock says it carries.
///
/// `import-usb` mounts a device as the filesystem udev recorded for it (`ID_FS_TYPE`, which
/// udev's own blkid builtin found). When udev knows nothing about a device (no udev daemon:
/// a rescue shell, a container) this is the same probe, run by the agent; it never guesses
/// by trying mounts. "Safe" probing: a device with two conflicting superblocks is ambiguous,
/// not the first match.
public final class BlockIDProbe {
    let pointer: OpaquePointer

    /// What the probe found.
    public enum Finding: Sendable, Equatable {
        /// A filesystem of this type (`vfat`, `exfat`, `ext4`, `iso9660`, …).
        case fileSystem(String)
        /// No filesystem superblock (a blank device, a partition table, swap is a type too).
        case nothing
        /// Superblocks of more than one type: libblkid will not choose, nor will the agent.
        case ambiguous
    }

    /// Opens `node` read-only for probing (and libblkid, the first time: see CBlkid's shim).
    public init(node: String) throws(AgentError) {
        guard blkid_shim_available() != 0 else {
            throw AgentError(.devices, "libblkid (libblkid.so.1) is not installed, so the device's filesystem cannot be probed",
                             path: node, cause: .text(DynamicLoader.lastError()), remedy: "Install the libblkid1 package")
        }
        pointer = try pointerOrErrno("blkid_new_probe_from_filename") { blkid_shim_new_probe_from_filename(node) }
            .orThrow(.devices, "Cannot open the device to probe its filesystem", path: node)
    }

    deinit { blkid_shim_free_probe(pointer) }

    /// Reads the superblocks and says which filesystem is there.
    public func probe() throws(AgentError) -> Finding {
        _ = blkid_shim_probe_enable_superblocks(pointer, 1)
        _ = blkid_shim_probe_set_superblocks_flags(pointer, BLKID_SUBLKS_TYPE)
        // libblkid answers -1 with errno set when it fails; -2 ("ambiguous") is an answer.
        let answer = try valueOrErrno("blkid_do_safeprobe") { blkid_shim_do_safeprobe(pointer) }
            .orThrow(.devices, "libblkid could not read the device's superblocks", path: nil)
        switch answer {
        case 0:
            var value: UnsafePointer<CChar>?
            var length = 0
            guard blkid_shim_probe_lookup_value(pointer, "TYPE", &value, &length) == 0, let value else { return .nothing }
            return .fileSystem(String(cString: value))
        case 1:
            return .nothing
        case -2:
            return .ambiguous
        default:
            throw AgentError(.devices, "libblkid could not read the device's superblocks",
                             cause: .text("libblkid answered \(answer), which it does not document"))
        }
    }
}
