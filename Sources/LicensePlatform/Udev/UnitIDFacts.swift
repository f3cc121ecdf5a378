// The facts behind a unit ID (network interfaces, the UD Pocket), read through libudev.

import LicensePolicy

extension Udev {
    /// The facts the unit ID rules need about every network interface (subsystem `net`),
    /// read from sysfs attributes, udev properties and the device's ancestors.
    ///
    /// Nothing is judged here; `UnitIDSelection` does that. "Virtual" means no parent
    /// device (or a devpath under `/devices/virtual`); "USB-attached" means a USB device
    /// among the ancestors; "wireless" means `DEVTYPE=wlan` or a `wireless`/`phy80211` entry.
    ///
    /// A sysfs read that fails is an error, never a missing fact: an address that could not be
    /// read is not "no address", and a parent that could not be found is not "virtual".
    public func networkInterfaceFacts() throws(AgentError) -> [NetworkInterfaceFacts] {
        var facts: [NetworkInterfaceFacts] = []
        for interface in try devices(inSubsystem: "net") {
            let parent = try interface.parent()
            let isVirtual = parent == nil || interface.devpath.hasPrefix("/devices/virtual/")
            let hasWirelessEntry = try interface.hasEntry("wireless")
            let hasPhy80211Entry = try interface.hasEntry("phy80211")
            let isWireless = interface.deviceType == "wlan" || interface.property("DEVTYPE") == "wlan"
                || hasWirelessEntry || hasPhy80211Entry
            facts.append(NetworkInterfaceFacts(
                name: interface.sysname,
                address: try interface.attribute("address")?.trimmingASCIIWhitespace() ?? "",
                linkType: try interface.integerAttribute("type"),
                hasParentDevice: !isVirtual,
                isUSBAttached: try interface.ancestor(subsystem: "usb") != nil,
                isWireless: isWireless,
                addressAssignType: try interface.integerAttribute("addr_assign_type"),
                busPath: parent?.devpath ?? interface.devpath))
        }
        return facts
    }
}

extension Udev {
    /// Whether the block device `major:minor` (the one holding `/license`) is a UD Pocket:
    /// a block device on a USB device (`usb`/`usb_device` ancestor) with a `serial`.
    ///
    /// The device is found by number (`/sys/dev/block/MAJ:MIN`); when the number is an
    /// anonymous one (major 0: btrfs, overlay) and `source` names a `/dev` node, by that
    /// node's name instead.
    /// A sysfs read that fails is an error, not "no UD Pocket".
    public func pocketFacts(major: UInt32, minor: UInt32, source: String) throws(AgentError) -> PocketFacts {
        var block = major == 0 ? nil : try device(kind: "b", major: major, minor: minor)
        if block == nil, source.hasPrefix("/dev/") {
            let name = source.split(separator: "/").last.map(String.init) ?? ""
            block = try device(subsystem: "block", sysname: name)
        }
        guard let block else {
            return .absent(reason: "/license is on \(source) (\(major):\(minor)), which is not a block device")
        }
        let name = block.sysname
        guard let usbDevice = try block.ancestor(subsystem: "usb", deviceType: "usb_device") else {
            return .absent(reason: "/license is on \(name), which is not on a USB device")
        }
        let serial = try usbDevice.attribute("serial")?.trimmingASCIIWhitespace() ?? ""
        guard !serial.isEmpty else {
            return .absent(reason: "/license is on \(name), whose USB device reports no serial")
        }
        return .usbFlash(blockDevice: name, serial: serial)
    }
}
