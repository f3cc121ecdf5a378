internal import CUdev
import Glibc
import LicensePolicy
import SystemPackage

/// A libudev device enumeration (`struct udev_enumerate`): filters, then one scan.
final class UdevEnumerate {
    let pointer: OpaquePointer
    let context: Udev

    init(udev: Udev) throws(AgentError) {
        pointer = try pointerOrErrno("udev_enumerate_new") { udev_enumerate_new(udev.pointer) }
            .orThrow(.devices, "libudev could not enumerate devices", path: nil)
        context = udev
    }

    deinit { udev_enumerate_unref(pointer) }

    func matchSubsystem(_ subsystem: String) throws(AgentError) {
        let result = udev_enumerate_add_match_subsystem(pointer, subsystem)
        guard result >= 0 else {
            throw AgentError(.devices, "libudev could not filter on subsystem \(subsystem)",
                             cause: .system(Errno(rawValue: -result)))
        }
    }

    /// Scans sysfs and opens every matching device. A device that disappears between the
    /// scan and the open (hot-unplug) is left out; one that cannot be read is an error. Nil when
    /// a signal cut the scan short (`EINTR` from a `getdents64` in sysfs, which libudev does not
    /// retry): the list may then lack devices, and this enumeration keeps that list (a second
    /// scan of it answers from it), so the caller scans again with a new one.
    func scan() throws(AgentError) -> [UdevDevice]? {
        let result = udev_enumerate_scan_devices(pointer)
        if result == -EINTR { return nil }
        guard result >= 0 else {
            throw AgentError(.devices, "libudev could not scan devices", path: "/sys",
                             cause: .system(Errno(rawValue: -result)))
        }
        var devices: [UdevDevice] = []
        var entry = udev_enumerate_get_list_entry(pointer)
        while let current = entry {
            if let syspath = udev_list_entry_get_name(current),
               let device = try Udev.lookup("Cannot read a device in sysfs", path: String(cString: syspath), {
                   udev_device_new_from_syspath(context.pointer, syspath)
               }) {
                devices.append(UdevDevice(owning: device, context: context))
            }
            entry = udev_list_entry_get_next(current)
        }
        return devices
    }
}
