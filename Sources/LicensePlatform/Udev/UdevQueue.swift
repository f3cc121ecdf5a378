internal import CUdev
import Glibc
import LicensePolicy
import SystemPackage

/// libudev's view of the udev daemon's event queue (`struct udev_queue`): whether events are
/// still being processed, and a way to wait until they are not.
///
/// At boot, `systemd-udev-trigger.service` only *queues* the "add" events of every device
/// present; udevd works through them afterwards, loading drivers and renaming interfaces as
/// it goes. A unit ordered after the trigger can therefore still see a NIC without its
/// driver's final name, or none at all. The boot check waits here, bounded, before it reads
/// the unit ID (CLI.md "Unit ID"; DECISIONS.md "Packaging and boot").
///
/// libudev reports the queue as non-empty while `/run/udev/queue` exists and watches
/// `/run/udev` with inotify for its removal. Without a udev daemon (a rescue shell, a
/// container) there is no queue file: the queue is empty and nothing waits.
public final class UdevQueue {
    let pointer: OpaquePointer
    /// Keeps the libudev context alive as long as the queue object.
    let context: Udev

    public init(udev: Udev) throws(AgentError) {
        pointer = try pointerOrErrno("udev_queue_new") { udev_queue_new(udev.pointer) }
            .orThrow(.devices, "libudev could not open udev's event queue", path: nil)
        context = udev
    }

    deinit { udev_queue_unref(pointer) }

    /// The longest wait between two looks at the queue: short beside the boot's limit, long
    /// enough that waiting costs nothing.
    static let recheckMilliseconds: Int64 = 100

    /// True when udevd has no event left to process (or no udevd runs). A queue whose state
    /// cannot be read (libudev's negative answer) counts as empty: waiting could not end sooner.
    public var isEmpty: Bool { udev_queue_get_queue_is_empty(pointer) != 0 }

    /// Waits until the queue is empty or `limit` has passed; returns whether it is empty.
    ///
    /// Wakes on libudev's inotify descriptor (the queue file's removal), and at least every
    /// `recheckMilliseconds` in case the file came back in between. When libudev cannot watch
    /// `/run/udev` (it does not exist), it re-checks at that pace.
    public func waitUntilEmpty(limit: Duration) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: limit)
        let descriptor = udev_queue_get_fd(pointer)
        while !isEmpty {
            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else { return false }
            let milliseconds = Int32(min(Self.recheckMilliseconds, max(1, remaining.components.seconds * 1000
                                                  + remaining.components.attoseconds / 1_000_000_000_000_000)))
            if descriptor >= 0 {
                var watched = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                if poll(&watched, 1, milliseconds) > 0 { _ = udev_queue_flush(pointer) }
            } else {
                _ = poll(nil, 0, milliseconds)
            }
        }
        return true
    }
}
