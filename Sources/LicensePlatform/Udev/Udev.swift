internal import CUdev
import Glibc
import LicensePolicy
import SystemPackage

/// A libudev context (`struct udev`): the entry point for looking devices up.
///
/// One per operation; it is cheap. Under `umockdev-run` libudev sees the fake testbed, which
/// is how the tests give the agent hardware it does not have.
public final class Udev {
    let pointer: OpaquePointer

    public init() throws(AgentError) {
        pointer = try pointerOrErrno { udev_new() }.orThrow(.devices, "libudev could not start", path: nil)
    }

    deinit { udev_unref(pointer) }

    /// Every device of `subsystem` (e.g. `net`), in libudev's order.
    public func devices(inSubsystem subsystem: String) throws(AgentError) -> [UdevDevice] {
        let enumeration = try UdevEnumerate(udev: self)
        try enumeration.matchSubsystem(subsystem)
        return try enumeration.scan()
    }

    /// The block (`kind` "b") or character ("c") device with this number, or nil when the
    /// system has none (`/sys/dev/{block,char}/MAJ:MIN` is missing).
    public func device(kind: Character, major: UInt32, minor: UInt32) -> UdevDevice? {
        let type: CChar = kind == "c" ? CChar(UInt8(ascii: "c")) : CChar(UInt8(ascii: "b"))
        let number = Udev.deviceNumber(major: major, minor: minor)
        guard let device = udev_device_new_from_devnum(pointer, type, number) else { return nil }
        return UdevDevice(owning: device, context: self)
    }

    /// The device called `sysname` in `subsystem` (e.g. `block`, `sdb1`), or nil.
    public func device(subsystem: String, sysname: String) -> UdevDevice? {
        guard let device = udev_device_new_from_subsystem_sysname(pointer, subsystem, sysname) else { return nil }
        return UdevDevice(owning: device, context: self)
    }

    /// glibc's `makedev` (a macro Swift cannot import): the Linux `dev_t` encoding.
    static func deviceNumber(major: UInt32, minor: UInt32) -> dev_t {
        let major = UInt64(major), minor = UInt64(minor)
        let high = ((major & 0xFFFF_F000) << 32) | ((minor & 0xFFFF_FF00) << 12)
        return dev_t(high | ((major & 0x0000_0FFF) << 8) | (minor & 0x0000_00FF))
    }
}
