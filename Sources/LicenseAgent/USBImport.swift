import LicensePlatform
import LicensePolicy

/// `import-usb`: finds USB storage, reads the `*.lic` files at the top of each filesystem into
/// memory, and hands them to `LicenseImport` (CLI.md "Imports", USB; the vendor's "Deploying the
/// License without UMS" done safely).
///
/// Each filesystem is mounted read-only with nosuid, nodev, noexec in a fresh 0700 directory
/// under `/run/license-agent` and unmounted (lazily if busy) and removed before anything is
/// installed, on success and on error alike. Entries that are not plain files (symlinks, FIFOs,
/// devices, sockets, directories) or that are larger than 64 KiB are never opened; each becomes
/// a result with verdict `malformed` and the reason it was skipped.
public struct USBImport {
    public let layout: DeviceLayout

    /// Where the licenses come from.
    public enum Source: Sendable, Equatable {
        /// USB storage found with libudev (already inserted, or inserted while waiting).
        case scan
        /// One block device, mounted as it is (`--device /dev/sdb1`).
        case device(String)
        /// An already mounted stick or any directory (`--dir /media/stick`); nothing is mounted.
        case directory(String)
    }

    /// Filesystem types a stick may carry; anything else is skipped with its reason.
    public static let fileSystemTypes = ["vfat", "exfat", "ext4", "iso9660"]

    public init(layout: DeviceLayout) {
        self.layout = layout
    }

    /// Collects the candidates from `source` and imports them with action `import-usb`.
    /// `waitSeconds` (scan only): when no stick is present, wait this long for one.
    public func run(source: Source, waitSeconds: Double? = nil,
                    options: LicenseImport.Options = .init(action: "import-usb")) throws(AgentError) -> LicenseImport.Outcome {
        let found: [LicenseImport.Candidate]
        switch source {
        case .directory(let directory):
            guard try Directory.entries(of: directory) != nil else {
                throw AgentError(.io, "The directory does not exist", path: directory)
            }
            found = try USBImport.candidates(in: directory, sourcePrefix: directory + "/")
        case .device(let node):
            found = try candidates(onDevice: node, knownType: nil)
        case .scan:
            let devices = try USBStickWatcher(layout: layout).sticks(waitingUpTo: waitSeconds)
            var collected: [LicenseImport.Candidate] = []
            for device in devices {
                collected += try candidates(onDevice: device.deviceNode, knownType: device.fileSystemType)
            }
            found = collected
        }
        guard !found.isEmpty else {
            throw AgentError(.refused, "No license file (*.lic) was found in the top directory of \(USBImport.describe(source))",
                             remedy: "Copy the .lic file to the top directory of the stick and run the import again")
        }
        return try LicenseImport(layout: layout).run(found, options: options)
    }

    /// Mounts `node` privately, reads its candidates, and unmounts it again. A device that
    /// cannot be mounted becomes one `malformed` result naming the device and why.
    func candidates(onDevice node: String, knownType: String?) throws(AgentError) -> [LicenseImport.Candidate] {
        let mountedType: String
        switch try fileSystemType(ofDevice: node, udevType: knownType) {
        case .mount(let type):
            mountedType = type
        case .skip(let reason):
            log.debug("\(node): not mounted: \(reason)")
            return [USBImport.skipped(source: node, name: node, reason: reason)]
        }
        let mountPoint = try makePrivateDirectory()
        defer { removePrivateDirectory(mountPoint) }
        do {
            try Mounts.mountReadOnly(source: node, target: mountPoint, type: mountedType)
        } catch {
            log.debug("\(node): cannot mount as \(mountedType) (\(error.sentence))")
            return [USBImport.skipped(source: node, name: node,
                                      reason: "could not mount it read-only as \(mountedType) (\(error.cause.map { "\($0)" } ?? error.summary))")]
        }
        log.debug("\(node): mounted read-only as \(mountedType) at \(mountPoint)")
        let collected = Result { () throws(AgentError) in try USBImport.candidates(in: mountPoint, sourcePrefix: node + ":/") }
        unmount(mountPoint)
        return try collected.get()
    }

    /// The candidates in the top directory of `directory`: every entry whose name ends in
    /// `.lic` (any case; hidden files such as macOS `._X.lic` are ignored). Plain files of at
    /// most 64 KiB are read; everything else is skipped with its reason.
    static func candidates(in directory: String, sourcePrefix: String) throws(AgentError) -> [LicenseImport.Candidate] {
        var candidates: [LicenseImport.Candidate] = []
        for entry in try Directory.entries(of: directory) ?? [] {
            guard entry.name.lowercased().hasSuffix(".lic"), !entry.name.hasPrefix(".") else { continue }
            let source = sourcePrefix + entry.name
            let path = directory + "/" + entry.name
            if let reason = skipReason(entry.kind) {
                candidates.append(skipped(source: source, name: entry.name, reason: reason))
            } else if let size = DurableFile.size(of: path), size > LicenseLimits.maximumFileSize {
                candidates.append(skipped(source: source, name: entry.name,
                                          reason: "it is \(size) bytes, larger than the limit of \(LicenseLimits.maximumFileSize) bytes"))
            } else {
                let read = LicenseImport.candidate(path: path)
                candidates.append(LicenseImport.Candidate(source: source, preferredName: entry.name, contents: read.contents))
            }
        }
        return candidates
    }

    static func skipReason(_ kind: Directory.Entry.Kind) -> String? {
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
    static func skipped(source: String, name: String, reason: String) -> LicenseImport.Candidate {
        LicenseImport.Candidate(source: source, preferredName: name,
                                contents: .failure(AgentError(.refused, "Skipped: \(reason)")))
    }

    static func describe(_ source: Source) -> String {
        switch source {
        case .scan: return "any USB storage device"
        case .device(let node): return node
        case .directory(let directory): return directory
        }
    }

    // MARK: Which filesystem to mount a device as

    /// What to do with a device: mount it as this filesystem type, or skip it for this reason.
    enum FileSystemChoice: Equatable {
        case mount(String)
        case skip(String)
    }

    /// The filesystem type to mount `node` as, never found by trying mounts (issue 12):
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

    /// A new empty directory only root can enter: `/run/license-agent/usb-RANDOM`.
    func makePrivateDirectory() throws(AgentError) -> String {
        try DurableFile.makeDirectories(layout.runtimeDirectory)
        var lastError: AgentError?
        for _ in 0..<8 {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let path = layout.runtimeDirectory + "/usb-" + suffix
            do {
                try DirectorySwap.makeDirectory(path, mode: 0o700)
                return path
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

    /// Removes the (unmounted, empty) mount directory. A directory that is still a mount
    /// point cannot be removed (EBUSY), so nothing on the stick is ever touched.
    func removePrivateDirectory(_ path: String) {
        do {
            guard try Directory.entries(of: path)?.isEmpty ?? true else {
                log.debug("\(path): still mounted, left in place")
                return
            }
            try DirectorySwap.removeTree(path)
        } catch {
            log.debug("\(path): \(error.sentence)")
        }
    }
}
