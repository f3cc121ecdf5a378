import LicensePlatform
import LicensePolicy

/// `import-usb`: finds USB storage and offers the `*.lic` files at the top of each filesystem
/// to `LicenseImport`, one at a time (CLI.md "Imports", USB, "Memory"; the vendor's
/// "Deploying the License without UMS" done safely).
///
/// Each filesystem is mounted read-only with nosuid, nodev, noexec in a fresh 0700 directory
/// under `/run/license-agent` and unmounted (lazily if busy) and removed before anything is
/// installed, on success and on error alike. Entries that are not plain files (symlinks, FIFOs,
/// devices, sockets, directories) or that are larger than the license size limit are never opened; each becomes
/// a result with verdict `malformed` and the reason it was skipped.
public struct USBImport {
    public let layout: DeviceLayout

    /// Where the licenses come from.
    public enum Source: Sendable, Equatable {
        /// USB storage found with libudev (already inserted, or inserted while waiting).
        case scan
        /// One block device, mounted as it is (`--device /dev/sdb1`).
        case device(String)
        /// An already mounted stick or any directory (`--dir /media/stick`), as the bytes the
        /// shell passed; nothing is mounted.
        case directory([UInt8])
    }

    /// Filesystem types a stick may carry; anything else is skipped with its reason.
    public static let fileSystemTypes = ["vfat", "exfat", "ext4", "iso9660"]

    public init(layout: DeviceLayout) {
        self.layout = layout
    }

    /// Imports the `*.lic` files of `source` with action `import-usb`, reading, verifying and
    /// dropping them one at a time while the stick is mounted; the stick is unmounted again
    /// before anything is installed. `waitSeconds` (scan only): when no stick is present,
    /// wait this long for one (before the writer lock is taken).
    public func run(source: Source, waitSeconds: Double? = nil,
                    options: LicenseImport.Options = .init(action: "import-usb")) throws(AgentError) -> LicenseImport.Outcome {
        var devices: [(node: String, type: String?)] = []
        switch source {
        case .scan:
            devices = try USBStickWatcher(layout: layout).sticks(waitingUpTo: waitSeconds).map { ($0.deviceNode, $0.fileSystemType) }
        case .device(let node):
            guard DurableFile.size(of: node) != nil else {
                throw AgentError(.notFound, "The device does not exist", path: DisplayText.escaping(node),
                                 remedy: "Run `lsblk` to see the USB stick's partitions, e.g. /dev/sdb1")
            }
            devices = [(node, nil)]
        case .directory:
            break
        }
        var offeredCount = 0
        return try LicenseImport(layout: layout).run(options: options) { offer throws(AgentError) in
            func counted(_ candidate: LicenseImport.Candidate) {
                offeredCount += 1
                offer(candidate)
            }
            if case .directory(let directory) = source {
                guard let opened = try OpenDirectory.open(bytes: directory) else {
                    throw AgentError(.notFound, "The directory does not exist", path: DisplayText.escaping(directory))
                }
                USBImport.offerCandidates(in: opened, sourcePrefix: opened.path + "/", to: counted)
            }
            for device in devices {
                try offerCandidates(onDevice: device.node, knownType: device.type, to: counted)
            }
            guard offeredCount > 0 else {
                throw AgentError(.refused, "No license file (*.lic) was found in the top directory of \(USBImport.describe(source))",
                                 remedy: "Copy the .lic file to the top directory of the stick and run the import again")
            }
        }
    }

    /// Mounts `node` privately, offers its candidates, and unmounts it again. A device that
    /// cannot be mounted becomes one `malformed` result naming the device and why.
    func offerCandidates(onDevice node: String, knownType: String?,
                         to offer: (LicenseImport.Candidate) -> Void) throws(AgentError) {
        let mountedType: String
        switch try fileSystemType(ofDevice: node, udevType: knownType) {
        case .mount(let type):
            mountedType = type
        case .skip(let reason):
            log.debug("\(node): not mounted: \(reason)")
            offer(USBImport.skipped(source: node, name: FileName(node), reason: reason))
            return
        }
        let (mountPoint, mountName) = try makePrivateDirectory()
        defer { removePrivateDirectory(mountName, at: mountPoint) }
        do {
            try Mounts.mountReadOnly(source: node, target: mountPoint, type: mountedType)
        } catch {
            log.debug("\(node): cannot mount as \(mountedType) (\(error.sentence))")
            offer(USBImport.skipped(source: node, name: FileName(node),
                                    reason: "could not mount it read-only as \(mountedType) (\(error.cause.map { "\($0)" } ?? error.summary))"))
            return
        }
        log.debug("\(node): mounted read-only as \(mountedType) at \(mountPoint)")
        defer { unmount(mountPoint) }
        guard let opened = try OpenDirectory.open(mountPoint) else {
            throw AgentError(.io, "The mounted stick vanished", path: mountPoint)
        }
        USBImport.offerCandidates(in: opened, sourcePrefix: node + ":/", to: offer)
    }

    /// Offers the candidates in the top directory of `directory`: every entry whose name ends
    /// in `.lic` (any case; hidden files such as macOS `._X.lic` are ignored). Plain files are
    /// read when their turn comes (at most the license size limit, checked while reading); everything else is
    /// skipped with its reason. A directory that cannot be listed is one skipped result.
    static func offerCandidates(in directory: OpenDirectory, sourcePrefix: String,
                                to offer: (LicenseImport.Candidate) -> Void) {
        let entries: [OpenDirectory.Entry]
        do {
            entries = try directory.entries()
        } catch {
            offer(skipped(source: directory.path, name: FileName(directory.path), reason: error.sentence))
            return
        }
        for entry in entries where isCandidateName(entry.name) {
            let source = sourcePrefix + entry.name.description
            if let reason = skipReason(entry.kind) {
                offer(skipped(source: source, name: entry.name, reason: reason))
            } else {
                offer(LicenseImport.Candidate(source: source, preferredName: entry.name) {
                    Result { () throws(AgentError) -> [UInt8] in
                        guard let bytes = try directory.readRegularFile(entry.name, limit: LicenseLimits.maximumFileSize) else {
                            throw AgentError(.io, "The file disappeared", path: directory.display(entry.name))
                        }
                        return bytes
                    }
                })
            }
        }
    }

    /// `*.lic` in any case, not hidden.
    static func isCandidateName(_ name: FileName) -> Bool {
        !name.hasPrefix(".") && name.bytes.count > 4
            && String(decoding: name.bytes.suffix(4), as: UTF8.self).lowercased() == ".lic"
    }

    static func skipReason(_ kind: OpenDirectory.Entry.Kind) -> String? {
        switch kind {
        case .regular: return nil
        case .symlink: return "it is a symbolic link, which is never followed"
        case .fifo: return "it is a FIFO, not a file"
        case .device: return "it is a device node, not a file"
        case .socket: return "it is a socket, not a file"
        case .directory: return "it is a directory"
        case .other: return "it is not a regular file"
        }
    }

    /// A candidate that was not read, with the reason (it becomes verdict `malformed`).
    static func skipped(source: String, name: FileName, reason: String) -> LicenseImport.Candidate {
        LicenseImport.Candidate(source: source, preferredName: name) { .failure(AgentError(.refused, "Skipped: \(reason)")) }
    }

    static func describe(_ source: Source) -> String {
        switch source {
        case .scan: return "any USB storage device"
        case .device(let node): return node
        case .directory(let directory): return DisplayText.escaping(directory)
        }
    }

    // MARK: Which filesystem to mount a device as

    /// What to do with a device: mount it as this filesystem type, or skip it for this reason.
    enum FileSystemChoice: Equatable {
        case mount(String)
        case skip(String)
    }

    /// The filesystem type to mount `node` as, never found by trying mounts:
    /// udev's `ID_FS_TYPE` (`udevType` from a scan, else looked up by the node's device
    /// number), which udev's blkid builtin recorded when the device appeared; when udev knows
    /// nothing of it (no udev daemon: a rescue shell), the same probe with libblkid. ext2 and
    /// ext3 are mounted with the ext4 driver. A device on the USB device that holds
    /// `/license` (the UD Pocket the system runs from; a scan never offers it, but the udev
    /// rule's `--device` can name it) is never mounted.
    func fileSystemType(ofDevice node: String, udevType: String?) throws(AgentError) -> FileSystemChoice {
        let udev = try Udev()
        let device = try udev.blockDevice(node: node)
        if let device, let system = try MountInfo.read().deviceNumber(forMountPoint: Mounts.canonicalPath(layout.licensePartition)),
           try udev.sharesUSBDevice(device, withBlockDevice: system) {
            return .skip("it is on the USB device that holds /license (the UD Pocket this system runs from), which is never imported from")
        }
        let found: String
        if let type = udevType ?? device?.property("ID_FS_TYPE"), !type.isEmpty {
            found = type
            log.debug("\(node): filesystem \(type) (udev's ID_FS_TYPE)")
        } else {
            let finding: BlockIDProbe.Finding
            do {
                finding = try BlockIDProbe(node: node).probe()
            } catch {
                return .skip("its filesystem cannot be probed (\(error.cause.map { "\($0)" } ?? error.summary))")
            }
            switch finding {
            case .fileSystem(let type):
                found = type
                log.debug("\(node): filesystem \(type) (libblkid; the udev database has no ID_FS_TYPE for it)")
            case .nothing:
                return .skip("it carries no filesystem that udev or libblkid recognises")
            case .ambiguous:
                return .skip("it carries signatures of more than one filesystem, so which one to mount is not clear")
            }
        }
        let type = ["ext2", "ext3"].contains(found) ? "ext4" : found
        guard USBImport.fileSystemTypes.contains(type) else {
            return .skip("its filesystem \(found) is not one of \(USBImport.fileSystemTypes.joined(separator: ", "))")
        }
        return .mount(type)
    }

    // MARK: The private mount point

    /// A new empty directory only root can enter: `/run/license-agent/usb-RANDOM`; its path
    /// (for mount(2), which takes paths) and its name in the runtime directory.
    func makePrivateDirectory() throws(AgentError) -> (path: String, name: FileName) {
        let runtime = try OpenDirectory.create(layout.runtimeDirectory)
        var lastError: AgentError?
        for _ in 0..<8 {
            let name = FileName("usb-" + String(UInt64.random(in: 0...UInt64.max), radix: 36))
            do {
                try runtime.makeDirectory(name, mode: 0o700)
                return (runtime.display(name), name)
            } catch {
                lastError = error
            }
        }
        throw lastError ?? AgentError(.io, "Cannot create a private mount directory", path: layout.runtimeDirectory)
    }

    /// Unmounts `mountPoint`; if the filesystem is busy, detaches it lazily instead.
    func unmount(_ mountPoint: String) {
        do {
            try Mounts.unmount(mountPoint)
        } catch {
            log.debug("\(mountPoint): busy, detaching lazily (\(error.sentence))")
            do { try Mounts.unmount(mountPoint, lazy: true) } catch { log.debug("\(mountPoint): \(error.sentence)") }
        }
    }

    /// Removes the (unmounted, empty) mount directory with rmdir alone: a directory that is
    /// still a mount point, or not empty, cannot be removed, so nothing on a stick is ever touched.
    func removePrivateDirectory(_ name: FileName, at path: String) {
        do {
            try OpenDirectory.open(layout.runtimeDirectory)?.removeEmptyDirectory(name)
        } catch {
            log.debug("\(path): left in place (\(error.sentence))")
        }
    }
}
