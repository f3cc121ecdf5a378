import LicensePlatform
import LicensePolicy

/// The boot check's wait for udev before it reads the unit ID.
///
/// `license-agent-check.service` starts after `systemd-udev-trigger.service`, which only
/// queues the coldplug events; the NIC whose MAC is the unit ID may still be without its
/// driver then. So `check` first waits until udev's event queue is empty, at most
/// `limit` (CLI.md "Boot integration"), and then reads the unit ID whatever the queue
/// says: a device must not hang at boot because udev is slow, and a unit ID read early is
/// still better than none. `--verbose` says how long it waited; a timeout is a warning.
///
/// Only `check` waits: `status`, `unit-id` and the imports run when the system is up.
/// The queue is the system's own (`/run/udev`), also under `--root`, like the mount table.
public enum UdevSettling {
    public static let limit: Duration = .seconds(10)

    /// Waits for udev's event queue to be empty, at most `limit`; logs the time it took.
    public static func waitBeforeReadingUnitID(limit: Duration = UdevSettling.limit) {
        let queue: UdevQueue
        do {
            queue = try UdevQueue(udev: try Udev())
        } catch {
            log.warning("Not waiting for udev before reading the unit ID: \(error.sentence)")
            return
        }
        let clock = ContinuousClock()
        let start = clock.now
        let empty = queue.waitUntilEmpty(limit: limit)
        let waited = milliseconds(start.duration(to: clock.now))
        if empty {
            log.debug("udev: waited \(waited) ms for its event queue to be empty before reading the unit ID")
        } else {
            log.warning("udev's event queue was still not empty after \(waited) ms; reading the unit ID anyway (a NIC whose driver is not loaded yet is not seen)")
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
