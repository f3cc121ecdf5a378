internal import CUdev
import Glibc
import LicensePolicy

/// A filesystem on USB storage that `import-usb` may mount: a partition of a USB disk, or a
/// whole USB disk that carries a filesystem itself (a "superfloppy" stick).
public struct USBFileSystemDevice: Sendable, Equatable, CustomStringConvertible {
    /// e.g. `sdb1`.
    public let name: String
    /// e.g. `/dev/sdb1`.
    public let deviceNode: String
    /// udev's `ID_FS_TYPE` (`vfat`, `exfat`, `ext4`, …) when the udev database knows it.
    public let fileSystemType: String?
    /// The sysfs path of the block device, which identifies it across scans.
    public let syspath: String
    /// The sysfs path of the USB device (`usb_device`) it sits on.
    public let usbDevicePath: String

    public init(name: String, deviceNode: String, fileSystemType: String?, syspath: String, usbDevicePath: String) {
        self.name = name
        self.deviceNode = deviceNode
        self.fileSystemType = fileSystemType
        self.syspath = syspath
        self.usbDevicePath = usbDevicePath
    }

    public var description: String { fileSystemType.map { "\(deviceNode) (\($0))" } ?? deviceNode }
}

extension Udev {
    /// Every USB filesystem device that is present now (CLI.md "Imports", USB).
    ///
    /// Block devices (subsystem `block`) with a `usb` ancestor. Partitions are taken as they
    /// are; a whole disk is taken when udev found a filesystem on it (`ID_FS_TYPE`), or — when
    /// the udev database says nothing (no udev daemon) — when it has no partition table, no
    /// partitions and a non-zero size. Devices on the USB device that holds the block device
    /// `excluding` (the UD Pocket the system runs from) are left out.
    public func usbFileSystemDevices(excluding number: MountTable.DeviceNumber? = nil) throws(AgentError) -> [USBFileSystemDevice] {
        let blocks = try devices(inSubsystem: "block")
        var excludedUSBDevice: String?
        if let number, let pocket = try device(kind: "b", major: number.major, minor: number.minor) {
            excludedUSBDevice = try pocket.ancestor(subsystem: "usb", deviceType: "usb_device")?.syspath
        }

        var usbBlocks: [(device: UdevDevice, usb: UdevDevice)] = []
        var partitionParents: Set<String> = []
        for block in blocks {
            var usb = try block.ancestor(subsystem: "usb", deviceType: "usb_device")
            if usb == nil { usb = try block.ancestor(subsystem: "usb") }
            guard let usb, usb.syspath != excludedUSBDevice else { continue }
            usbBlocks.append((block, usb))
            if try Udev.isPartition(block), let parent = try block.parent() { partitionParents.insert(parent.syspath) }
        }

        var found: [USBFileSystemDevice] = []
        for (block, usb) in usbBlocks {
            guard let node = block.deviceNode, !node.isEmpty else { continue }
            let fileSystem = block.property("ID_FS_TYPE").flatMap { $0.isEmpty ? nil : $0 }
            if try !Udev.isPartition(block) {
                let hasPartitions = partitionParents.contains(block.syspath) || block.property("ID_PART_TABLE_TYPE") != nil
                let isEmpty = try block.trimmedAttribute("size") == "0"
                guard fileSystem != nil || (!hasPartitions && !isEmpty) else { continue }
            }
            found.append(USBFileSystemDevice(name: block.sysname, deviceNode: node, fileSystemType: fileSystem,
                                             syspath: block.syspath, usbDevicePath: usb.syspath))
        }
        return found.sorted { $0.name < $1.name }
    }

    /// The block device whose node is `node` (matched by its device number, `st_rdev`), or nil
    /// when `node` is not a block device or no block device has that number.
    public func blockDevice(node: String) throws(AgentError) -> UdevDevice? {
        var status = stat()
        guard stat(node, &status) == 0, (status.st_mode & S_IFMT) == S_IFBLK else { return nil }
        return try blockDevice(number: MountTable.DeviceNumber(major: gnu_dev_major(status.st_rdev),
                                                               minor: gnu_dev_minor(status.st_rdev)))
    }

    /// The block device numbered `number`, found by its sysfs `dev` attribute among the
    /// block devices (a umockdev testbed has no `/sys/dev/block` links to look it up by).
    public func blockDevice(number: MountTable.DeviceNumber) throws(AgentError) -> UdevDevice? {
        let wanted = "\(number.major):\(number.minor)"
        for block in try devices(inSubsystem: "block") where try block.trimmedAttribute("dev") == wanted {
            return block
        }
        return nil
    }

    /// True when `device` sits on the same USB device as the block device `number`, e.g. a
    /// partition of the UD Pocket whose other partition is mounted on `/license`.
    public func sharesUSBDevice(_ device: UdevDevice, withBlockDevice number: MountTable.DeviceNumber) throws(AgentError) -> Bool {
        guard let usb = try device.ancestor(subsystem: "usb", deviceType: "usb_device"),
              let other = try blockDevice(number: number)?.ancestor(subsystem: "usb", deviceType: "usb_device") else { return false }
        return usb.syspath == other.syspath
    }

    /// A partition, by udev's `DEVTYPE` or by sysfs's `partition` attribute.
    static func isPartition(_ device: UdevDevice) throws(AgentError) -> Bool {
        if device.deviceType == "partition" || device.property("DEVTYPE") == "partition" { return true }
        return try device.attribute("partition") != nil
    }
}
