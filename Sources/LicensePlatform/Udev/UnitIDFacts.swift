// The facts behind a unit ID (network interfaces, the UD Pocket), read through libudev.

import LicensePolicy

extension Udev {
    /// The facts the unit ID rules need about every network interface (class `net`), read
    /// from sysfs attributes, udev properties and the device's ancestors.
    ///
    /// Nothing is judged here; `UnitIDSelection` does that. "Virtual" means no parent
    /// device (or a devpath under `/devices/virtual`); "USB-attached" means a USB device
    /// among the ancestors; "wireless" means `DEVTYPE=wlan` or a `wireless`/`phy80211` entry.
    ///
    /// Only what the rules reach is read. A devpath under `/devices/virtual` is virtual
    /// whatever its ancestors, so they are not looked up (each ancestor libudev looks up costs
    /// a walk of its path through sysfs); and an interface that the rules skip on its name,
    /// link type and parent alone gets no other fact read (`isSkippedBeforeBusFacts`).
    ///
    /// A sysfs read that fails is an error, never a missing fact: an address that could not be
    /// read is not "no address", and a parent that could not be found is not "virtual".
    public func networkInterfaceFacts() throws(AgentError) -> [NetworkInterfaceFacts] {
        var facts: [NetworkInterfaceFacts] = []
        for interface in try devices(inClass: "net") {
            let name = interface.sysname
            let address = try interface.trimmedAttribute("address") ?? ""
            let linkType = try interface.integerAttribute("type")
            let devpath = interface.devpath
            let parent = devpath.hasPrefix("/devices/virtual/") ? nil : try interface.parent()
            let hasParentDevice = parent != nil
            guard !UnitIDSelection.isSkippedBeforeBusFacts(name: name, linkType: linkType,
                                                           hasParentDevice: hasParentDevice), let parent else {
                facts.append(NetworkInterfaceFacts(
                    name: name, address: address, linkType: linkType, hasParentDevice: hasParentDevice,
                    isUSBAttached: false, isWireless: false, addressAssignType: nil, busPath: devpath))
                continue
            }
            facts.append(NetworkInterfaceFacts(
                name: name,
                address: address,
                linkType: linkType,
                hasParentDevice: true,
                isUSBAttached: try interface.ancestor(subsystem: "usb") != nil,
                isWireless: try Udev.isWireless(interface),
                addressAssignType: try interface.integerAttribute("addr_assign_type"),
                busPath: parent.devpath))
        }
        return facts
    }

    /// `DEVTYPE=wlan`, or a `wireless` or `phy80211` entry; asked in that order, up to the first yes.
    static func isWireless(_ interface: UdevDevice) throws(AgentError) -> Bool {
        if interface.deviceType == "wlan" || interface.property("DEVTYPE") == "wlan" { return true }
        if try interface.hasEntry("wireless") { return true }
        return try interface.hasEntry("phy80211")
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
        let serial = try usbDevice.trimmedAttribute("serial") ?? ""
        guard !serial.isEmpty else {
            return .absent(reason: "/license is on \(name), whose USB device reports no serial")
        }
        return .usbFlash(blockDevice: name, serial: serial)
    }
}
