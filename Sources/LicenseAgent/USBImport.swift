import LicensePlatform
import LicensePolicy

/// `import-usb`: finds USB storage and offers the `*.lic` files at the top of each filesystem
/// to `LicenseImport`, one at a time (CLI.md "Imports", USB, "Memory"; the vendor's
/// "Deploying the License without UMS" done safely).
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

    /// Filesystem types a stick may carry, tried in this order when udev does not know the type.
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
                guard let opened = try OpenDirectory.open(directory) else {
                    throw AgentError(.notFound, "The directory does not exist", path: DisplayText.escaping(directory))
                }
                USBImport.offerCandidates(in: opened, sourcePrefix: directory + "/", to: counted)
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
        let types: [String]
        if let knownType {
            let normalised = ["ext2", "ext3"].contains(knownType) ? "ext4" : knownType
            guard USBImport.fileSystemTypes.contains(normalised) else {
                offer(USBImport.skipped(source: node, name: FileName(node),
                                        reason: "its filesystem \(knownType) is not one of \(USBImport.fileSystemTypes.joined(separator: ", "))"))
                return
            }
            types = [normalised]
        } else {
            types = USBImport.fileSystemTypes
        }
        let mountPoint = try makePrivateDirectory()
        defer { removePrivateDirectory(mountPoint) }

        var failures: [String] = []
        var mountedType: String?
        for type in types {
            do {
                try Mounts.mountReadOnly(source: node, target: mountPoint, type: type)
                mountedType = type
                break
            } catch {
                failures.append("\(type): \(error.cause.map { "\($0)" } ?? error.summary)")
            }
        }
        guard let mountedType else {
            log.debug("\(node): cannot mount (\(failures.joined(separator: "; ")))")
            offer(USBImport.skipped(source: node, name: FileName(node),
                                    reason: "could not mount it read-only (\(failures.joined(separator: "; ")))"))
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
    /// read when their turn comes (at most 64 KiB, checked while reading); everything else is
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
    static func skipped(source: String, name: FileName, reason: String) -> LicenseImport.Candidate {
        LicenseImport.Candidate(source: source, preferredName: name) { .failure(AgentError(.refused, "Skipped: \(reason)")) }
    }

    static func describe(_ source: Source) -> String {
        switch source {
        case .scan: return "any USB storage device"
        case .device(let node): return node
        case .directory(let directory): return directory
        }
    }

    // MARK: The private mount point

    /// A new empty directory only root can enter: `/run/license-agent/usb-RANDOM`.
    func makePrivateDirectory() throws(AgentError) -> String {
        try DurableFile.makeDirectory(layout.runtimeDirectory)
        guard let runtime = try OpenDirectory.open(layout.runtimeDirectory) else {
            throw AgentError(.io, "Cannot create a private mount directory", path: layout.runtimeDirectory)
        }
        var lastError: AgentError?
        for _ in 0..<8 {
            let name = FileName("usb-" + String(UInt64.random(in: 0...UInt64.max), radix: 36))
            do {
                try runtime.makeDirectory(name, mode: 0o700)
                return runtime.display(name)
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
    func removePrivateDirectory(_ path: String) {
        do {
            try OpenDirectory.open(layout.runtimeDirectory)?.removeEmptyDirectory(FileName(String(path.split(separator: "/").last ?? "")))
        } catch {
            log.debug("\(path): left in place (\(error.sentence))")
        }
    }
}
