import LicensePlatform
import LicensePolicy

/// Finds the USB filesystems to import from: those present now, or, with a wait, the first
/// ones inserted before the time is up (CLI.md "Imports", USB).
///
/// The udev monitor is opened before the first scan, so a stick inserted between the scan
/// and the wait is not missed. An event from the monitor triggers a re-scan at once. When no
/// udev daemon runs (no `/run/udev/control`: libudev's monitor would then hear nothing) or no
/// monitor could be opened, the devices are re-enumerated every 0.5 s instead, so the rescue
/// shell works without udevd. The USB device
/// the system itself runs from (the UD Pocket holding `/license`) is never offered.
struct USBStickWatcher {
    let layout: DeviceLayout

    /// How often the polling fallback re-enumerates, and how long a new stick may settle
    /// (its partitions appear just after the disk).
    static let pollMilliseconds: Int32 = 500

    /// The USB filesystems present now; when there are none and `seconds` is given, the
    /// first ones to appear within that time. Throws when there are none.
    func sticks(waitingUpTo seconds: Double?) throws(AgentError) -> [USBFileSystemDevice] {
        let udev = try Udev()
        let excluded = try MountInfo.read().deviceNumber(forMountPoint: Mounts.canonicalPath(layout.licensePartition))
        var monitor: UdevMonitor?
        if let seconds, seconds > 0 {
            if !UdevMonitor.daemonIsRunning {
                log.debug("no udev daemon runs; re-scanning every \(Self.pollMilliseconds) ms")
            } else {
                do {
                    monitor = try UdevMonitor(udev: udev, subsystem: "block")
                } catch {
                    log.debug("no udev monitor (\(error.sentence)); re-scanning every \(Self.pollMilliseconds) ms")
                }
            }
        }
        let present = try udev.usbFileSystemDevices(excluding: excluded)
        log.debug("USB filesystems present: \(present.isEmpty ? "none" : present.map(\.description).joined(separator: ", "))")
        guard present.isEmpty, let seconds, seconds > 0 else {
            if present.isEmpty {
                throw AgentError(.devices, "No USB storage device with a filesystem was found",
                                 remedy: "Insert the USB stick and run the import again, or add --wait SECONDS to wait for it")
            }
            return present
        }
        let polling = monitor == nil

        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
        while clock.now < deadline {
            let events = try UdevMonitor.events(from: monitor, waitingUpTo: min(Self.pollMilliseconds, milliseconds(until: deadline, clock)))
            let additions = events.filter { $0.action == "add" || $0.action == "change" }
            for event in additions { log.debug("udev reported \(event.action) of \(event.name)") }
            guard !additions.isEmpty || polling else { continue }
            var found = try udev.usbFileSystemDevices(excluding: excluded)
            guard !found.isEmpty else { continue }
            log.debug(additions.isEmpty ? "found on re-scan: \(found.map(\.description).joined(separator: ", "))"
                                  : "found after the udev event: \(found.map(\.description).joined(separator: ", "))")
            // Let the rest of the stick (its other partitions, udev's probing) appear, then look once more.
            _ = try UdevMonitor.events(from: monitor, waitingUpTo: Self.pollMilliseconds)
            let settled = try udev.usbFileSystemDevices(excluding: excluded)
            if !settled.isEmpty { found = settled }
            return found
        }
        throw AgentError(.devices, "No USB storage device was inserted within \(Self.format(seconds)) seconds",
                         remedy: "Insert the USB stick and run the import again")
    }

    private func milliseconds(until deadline: ContinuousClock.Instant, _ clock: ContinuousClock) -> Int32 {
        let remaining = clock.now.duration(to: deadline).components
        let total = remaining.seconds * 1000 + remaining.attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(total, 1))
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
