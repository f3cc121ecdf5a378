// The facts behind a unit ID (network interfaces, the UD Pocket), read through libudev.

import LicensePolicy

extension Udev {
    /// The facts the unit ID rules need about every network interface (subsystem `net`),
    /// read from sysfs attributes, udev properties and the device's ancestors.
    ///
    /// Nothing is judged here; `UnitIDSelection` does that. "Virtual" means no parent
    /// device (or a devpath under `/devices/virtual`); "USB-attached" means a USB device
    /// among the ancestors; "wireless" means `DEVTYPE=wlan` or a `wireless`/`phy80211` entry.
    public func networkInterfaceFacts() throws(AgentError) -> [NetworkInterfaceFacts] {
        try devices(inSubsystem: "net").map { interface in
            let parent = interface.parent
            let isVirtual = parent == nil || interface.devpath.hasPrefix("/devices/virtual/")
            return NetworkInterfaceFacts(
                name: interface.sysname,
                address: interface.attribute("address")?.trimmingASCIIWhitespace() ?? "",
                linkType: interface.integerAttribute("type"),
                hasParentDevice: !isVirtual,
                isUSBAttached: interface.ancestor(subsystem: "usb") != nil,
                isWireless: interface.deviceType == "wlan" || interface.property("DEVTYPE") == "wlan"
                    || interface.hasEntry("wireless") || interface.hasEntry("phy80211"),
                addressAssignType: interface.integerAttribute("addr_assign_type"),
                busPath: parent?.devpath ?? interface.devpath)
        }
    }
}

extension Udev {
    /// Whether the block device `major:minor` (the one holding `/license`) is a UD Pocket:
    /// a block device on a USB device (`usb`/`usb_device` ancestor) with a `serial`.
    ///
    /// The device is found by number (`/sys/dev/block/MAJ:MIN`); when the number is an
    /// anonymous one (major 0: btrfs, overlay) and `source` names a `/dev` node, by that
    /// node's name instead.
    public func pocketFacts(major: UInt32, minor: UInt32, source: String) -> PocketFacts {
        var block = major == 0 ? nil : device(kind: "b", major: major, minor: minor)
        if block == nil, source.hasPrefix("/dev/") {
            let name = source.split(separator: "/").last.map(String.init) ?? ""
            block = device(subsystem: "block", sysname: name)
        }
        guard let block else {
            return .absent(reason: "/license is on \(source) (\(major):\(minor)), which is not a block device")
        }
        let name = block.sysname
        guard let usbDevice = block.ancestor(subsystem: "usb", deviceType: "usb_device") else {
            return .absent(reason: "/license is on \(name), which is not on a USB device")
        }
        let serial = usbDevice.attribute("serial")?.trimmingASCIIWhitespace() ?? ""
        guard !serial.isEmpty else {
            return .absent(reason: "/license is on \(name), whose USB device reports no serial")
        }
        return .usbFlash(blockDevice: name, serial: serial)
    }
}
