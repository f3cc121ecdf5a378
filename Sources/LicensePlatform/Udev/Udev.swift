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
        pointer = try pointerOrErrno("udev_new") { udev_new() }.orThrow(.devices, "libudev could not start", path: nil)
    }

    deinit { udev_unref(pointer) }

    /// Every device of `subsystem` (e.g. `net`), in libudev's order; a scan that a signal cut
    /// short is done again, as every interrupted call is.
    public func devices(inSubsystem subsystem: String) throws(AgentError) -> [UdevDevice] {
        while true {
            let enumeration = try UdevEnumerate(udev: self)
            try enumeration.matchSubsystem(subsystem)
            if let devices = try enumeration.scan() { return devices }
        }
    }

    /// The block (`kind` "b") or character ("c") device with this number, or nil when the
    /// system has none (`/sys/dev/{block,char}/MAJ:MIN` is missing).
    public func device(kind: Character, major: UInt32, minor: UInt32) throws(AgentError) -> UdevDevice? {
        let type: CChar = kind == "c" ? CChar(UInt8(ascii: "c")) : CChar(UInt8(ascii: "b"))
        let number = Udev.deviceNumber(major: major, minor: minor)
        let device = try Udev.lookup("Cannot read device \(major):\(minor) in sysfs", path: nil) {
            udev_device_new_from_devnum(pointer, type, number)
        }
        return device.map { UdevDevice(owning: $0, context: self) }
    }

    /// The device called `sysname` in `subsystem` (e.g. `block`, `sdb1`), or nil.
    public func device(subsystem: String, sysname: String) throws(AgentError) -> UdevDevice? {
        let device = try Udev.lookup("Cannot read device \(sysname) in sysfs", path: nil) {
            udev_device_new_from_subsystem_sysname(pointer, subsystem, sysname)
        }
        return device.map { UdevDevice(owning: $0, context: self) }
    }

    /// Runs a libudev lookup that answers NULL both for "there is none" and for a failure, and
    /// tells the two apart by errno, which libudev sets on every failure: nil for none
    /// (`ENOENT`, `ENODEV`, or no errno at all), an error for anything else. A sysfs read that
    /// failed (EIO from a driver) must never pass for an absent attribute or device: the unit ID
    /// would then be missing, or another interface's (CLI.md "An error reading is never a verdict").
    /// libudev does not retry a read that a signal cut short (`EINTR`); this does.
    static func lookup<Found>(_ summary: String, path: String?, _ call: () -> Found?) throws(AgentError) -> Found? {
        while true {
            // Cleared first: an errno left over from an earlier call is no answer of this one.
            errno = 0
            switch pointerOrErrno("udev_device_new", { call() }) {
            case .success(let found):
                return found
            case .failure(.interrupted):
                continue
            case .failure(let failure) where failure.rawValue == 0 || failure == .noSuchFileOrDirectory
                                            || failure == .operationNotSupportedByDevice:
                return nil
            case .failure(let failure):
                throw AgentError(.io, summary, path: path, cause: .system(failure))
            }
        }
    }

    /// glibc's `makedev` (a macro Swift cannot import): the Linux `dev_t` encoding.
    static func deviceNumber(major: UInt32, minor: UInt32) -> dev_t {
        let major = UInt64(major), minor = UInt64(minor)
        let high = ((major & 0xFFFF_F000) << 32) | ((minor & 0xFFFF_FF00) << 12)
        return dev_t(high | ((major & 0x0000_0FFF) << 8) | (minor & 0x0000_00FF))
    }
}
