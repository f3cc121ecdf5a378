internal import CUdev
import Glibc
import LicensePolicy
import SystemPackage

/// A libudev monitor (`struct udev_monitor`) on udev's netlink group, filtered to one
/// subsystem: how `import-usb --wait` learns that a stick was inserted.
///
/// Events from the udev daemon arrive after udev has probed the device, so `ID_FS_TYPE` is
/// known by then. Without a running daemon (`/run/udev/control` absent, as in a rescue shell
/// or a container) libudev may hand out a monitor that never hears anything; callers then
/// re-enumerate on a timer as well (`daemonIsRunning`). Under `umockdev` the testbed's
/// `uevent()` reaches this monitor, which is how the tests insert a stick.
public final class UdevMonitor {
    let pointer: OpaquePointer
    let context: Udev

    /// One event: what happened (`add`, `remove`, `change`, …) to which device.
    public struct Event: Sendable, Equatable {
        public let action: String
        public let name: String
        public let syspath: String
    }

    /// Opens the monitor for `subsystem` and starts receiving.
    public init(udev: Udev, subsystem: String) throws(AgentError) {
        pointer = try pointerOrErrno("udev_monitor_new_from_netlink") { udev_monitor_new_from_netlink(udev.pointer, "udev") }
            .orThrow(.devices, "libudev could not open a device monitor", path: nil)
        context = udev
        let filtered = udev_monitor_filter_add_match_subsystem_devtype(pointer, subsystem, nil)
        guard filtered >= 0 else {
            throw AgentError(.devices, "libudev could not filter the device monitor on \(subsystem)",
                             cause: .system(Errno(rawValue: -filtered)))
        }
        // libudev returns a negative errno here (or -1 with errno set). Binding the socket
        // again after an interruption would fail, so an interrupted start is a failure.
        _ = try valueOrErrno("udev_monitor_enable_receiving", retryOnInterrupt: false) {
            udev_monitor_enable_receiving(pointer)
        }
            .flatMap { enabled in enabled < 0 ? .failure(Errno(rawValue: -enabled)) : .success(enabled) }
            .orThrow(.devices, "libudev could not start the device monitor", path: nil)
    }

    deinit { udev_monitor_unref(pointer) }

    /// True when a udev daemon runs (its control socket exists), so that its monitor events
    /// can be relied on and no polling is needed.
    public static var daemonIsRunning: Bool { access("/run/udev/control", F_OK) == 0 }

    /// Waits up to `milliseconds` for events and returns those that arrived (empty on timeout).
    public func events(waitingUpTo milliseconds: Int32) throws(AgentError) -> [Event] {
        var descriptor = pollfd(fd: udev_monitor_get_fd(pointer), events: Int16(POLLIN), revents: 0)
        // An interrupted wait is an empty one: the caller's loop waits again.
        let ready = try valueOrErrno("poll", retryOnInterrupt: false) { poll(&descriptor, 1, milliseconds) }
            .ignoringInterruption(as: 0).orThrow(.devices, "Waiting for device events failed", path: nil)
        guard ready > 0 else { return [] }
        var events: [Event] = []
        // The socket is non-blocking: receive until it is empty.
        while let device = udev_monitor_receive_device(pointer) {
            let wrapped = UdevDevice(owning: device, context: context)
            let action = udev_device_get_action(device).map { String(cString: $0) } ?? "unknown"
            events.append(Event(action: action, name: wrapped.sysname, syspath: wrapped.syspath))
        }
        return events
    }
}

extension UdevMonitor {
    /// Waits `milliseconds` on `monitor`'s events, or simply sleeps that long when there is no
    /// monitor (libudev could not open one): the polling fallback's pace.
    public static func events(from monitor: UdevMonitor?, waitingUpTo milliseconds: Int32) throws(AgentError) -> [Event] {
        if let monitor { return try monitor.events(waitingUpTo: milliseconds) }
        _ = poll(nil, 0, milliseconds)
        return []
    }
}
