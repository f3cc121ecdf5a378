internal import CUdev
import Glibc
import LicensePolicy

extension Udev {
    /// Every device of the device class `name` (e.g. `net`): the same devices, in the same
    /// order, as a libudev enumeration that matches subsystem `name`, for a fraction of its
    /// system calls.
    ///
    /// An enumeration finds these devices the same way — the entries of `/sys/class/NAME` that
    /// are directories or links (not files such as `bonding_masters`), each opened by its path
    /// and kept when it is a device of that subsystem, sorted by devpath — but it also opens
    /// every ancestor of each one in search of more devices of the subsystem (a parent such as a
    /// PCI root bus is linked from no class directory), and it hands out only syspaths, so each
    /// device is then opened a second time. A class device's ancestors are never of its class
    /// (a network interface sits on a PCI, USB or virtual device), so that search finds nothing
    /// here; this lists the directory and opens each device once.
    ///
    /// A device that disappears between the listing and the open (hot-unplug) is left out; one
    /// that cannot be read is an error, as is a class directory that cannot be listed. No
    /// directory: no device of the class.
    func devices(inClass name: String) throws(AgentError) -> [UdevDevice] {
        let classPath = "/sys/class/" + name
        guard let directory = try OpenDirectory.open(classPath) else { return [] }
        var found: [(devpath: [UInt8], device: UdevDevice)] = []
        for entry in try directory.entries() where entry.kind == .directory || entry.kind == .symlink {
            let link = Array(classPath.utf8) + [UInt8(ascii: "/")] + entry.name.bytes
            let path = (entry.kind == .symlink ? Self.devicePath(linkedFrom: link) : nil) ?? link + [0]
            let opened = try path.withUnsafeBufferPointer { (buffer) throws(AgentError) -> OpaquePointer? in
                try buffer.withMemoryRebound(to: CChar.self) { (raw) throws(AgentError) -> OpaquePointer? in
                    try Udev.lookup("Cannot read a device in sysfs", path: directory.display(entry.name)) {
                        udev_device_new_from_syspath(pointer, raw.baseAddress)
                    }
                }
            }
            guard let opened else { continue }
            let device = UdevDevice(owning: opened, context: self)
            guard device.subsystem == name else { continue }
            found.append((Array(device.devpath.utf8), device))
        }
        // libudev's order: devpaths compared byte for byte (strcmp); one device per devpath.
        found.sort { $0.devpath.lexicographicallyPrecedes($1.devpath) }
        var devices: [UdevDevice] = []
        var previous: [UInt8]?
        for (devpath, device) in found where devpath != previous {
            devices.append(device)
            previous = devpath
        }
        return devices
    }

    /// `/sys/devices/…` (NUL-terminated) for the class link `link`, which the kernel always
    /// makes relative, two levels up and into `devices/`; nil for any other target, or when it
    /// cannot be read, and libudev then follows the link itself. Handing libudev the path it
    /// would arrive at spares it a walk through the link's own components (it opens each
    /// component of a path in turn).
    static func devicePath(linkedFrom link: [UInt8]) -> [UInt8]? {
        var target = [UInt8](repeating: 0, count: 4096)
        let count = (link + [0]).withUnsafeBufferPointer { name in
            name.withMemoryRebound(to: CChar.self) { name in
                target.withUnsafeMutableBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { buffer in
                        valueOrErrno("readlink") { readlink(name.baseAddress!, buffer.baseAddress!, buffer.count) }
                    }
                }
            }
        }
        let prefix = Array("../../devices/".utf8)
        guard case .success(let length) = count, length > prefix.count, length < target.count else { return nil }
        let relative = target[prefix.count..<length]
        guard target[..<length].starts(with: prefix), !relative.isEmpty, !relative.contains(0),
              !relative.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
                  .contains(where: { $0.isEmpty || $0.elementsEqual([0x2E]) || $0.elementsEqual([0x2E, 0x2E]) })
        else { return nil }
        return Array("/sys/devices/".utf8) + relative + [0]
    }
}
