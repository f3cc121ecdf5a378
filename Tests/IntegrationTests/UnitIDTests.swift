import Foundation
import LicensePolicy
import TestSupport
import Testing

/// `license-agent unit-id` on fake hardware: umockdev testbeds for the interfaces, and for
/// the UD Pocket a real loop-mounted ext4 image in a private mount namespace.
@Suite struct UnitIDTests {
    /// `unit-id --json` under `fixture`; the parsed object and the raw result.
    func unitIDJSON(_ fixture: String) throws -> (json: [String: Any], result: ProcessResult) {
        let result = try Umockdev.run(deviceFile: try Umockdev.fixture(fixture), [Umockdev.agent, "unit-id", "--json"])
        return (try result.json(), result)
    }

    /// name → (chosen, reason) from the JSON candidates.
    func candidates(_ json: [String: Any]) -> [String: (chosen: Bool, reason: String)] {
        var table: [String: (chosen: Bool, reason: String)] = [:]
        for entry in json["candidates"] as? [[String: Any]] ?? [] {
            if let name = entry["name"] as? String {
                table[name] = (entry["chosen"] as? Bool ?? false, entry["reason"] as? String ?? "")
            }
        }
        return table
    }

    @Test func onboardNICWinsOverWiFiUSBBridgeAndLoopback() throws {
        let fixture = try Umockdev.fixture("onboard-wifi-usb-bridge-loopback")
        let plain = try Umockdev.run(deviceFile: fixture, [Umockdev.agent, "unit-id"])
        #expect(plain.status == 0, "\(plain)")
        #expect(plain.stdout == "00E0C51C5087\n")

        let all = try Umockdev.run(deviceFile: fixture, [Umockdev.agent, "unit-id", "--all"])
        #expect(all.status == 0, "\(all)")
        let lines = all.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "00E0C51C5087")
        func line(_ name: String) -> String? { lines.first { $0.hasPrefix(name + " ") } }
        #expect(line("eno1")?.contains("chosen: wired, universal, permanent") == true)
        #expect(line("wlp0s20f3")?.contains("candidate: wireless, universal, permanent") == true)
        #expect(line("enx00e04c680001")?.contains("skipped: USB-attached NIC (removable dongle)") == true)
        #expect(line("docker0")?.contains("skipped: virtual (no parent device)") == true)
        #expect(line("lo")?.contains("skipped: loopback") == true)
        #expect(line("ib0")?.contains("skipped: not Ethernet (type 32)") == true)

        let (json, result) = try unitIDJSON("onboard-wifi-usb-bridge-loopback")
        #expect(result.status == 0)
        #expect(json["schemaVersion"] as? Int == 1)
        #expect(json["unitId"] as? String == "00E0C51C5087")
        #expect(json["unitSource"] as? String == "mac")
        let table = candidates(json)
        #expect(table["eno1"]?.chosen == true)
        #expect(table.values.filter(\.chosen).count == 1)
        #expect(table["lo"]?.reason == "skipped: loopback")
        let eno1 = (json["candidates"] as? [[String: Any]])?.first { $0["name"] as? String == "eno1" }
        #expect(eno1?["address"] as? String == "00:e0:c5:1c:50:87")
    }

    @Test func twoWiredNICsLowestBusPathWins() throws {
        let (json, result) = try unitIDJSON("two-wired")
        #expect(result.status == 0, "\(result)")
        // enp3s0 sits behind the bridge at 00:1c.0, before eno1 at 00:1f.6, though "eno1" sorts first.
        #expect(json["unitId"] as? String == "00E0C5AABB01")
        #expect(candidates(json)["eno1"]?.reason.hasPrefix("candidate: wired, universal, permanent") == true)
    }

    @Test func wifiOnlyIsChosen() throws {
        let (json, result) = try unitIDJSON("wifi-only")
        #expect(result.status == 0, "\(result)")
        #expect(json["unitId"] as? String == "3C9C0F112233")
        #expect(candidates(json)["wlan0"]?.reason.hasPrefix("chosen: wireless") == true)
    }

    @Test func universalBeatsLocallyAdministered() throws {
        let (json, result) = try unitIDJSON("local-vs-universal")
        #expect(result.status == 0, "\(result)")
        #expect(json["unitId"] as? String == "00E0C51C5088")
        #expect(candidates(json)["eth0"]?.reason.hasPrefix("candidate: wired, locally administered") == true)
    }

    @Test func randomisedAddressIsSkipped() throws {
        let (json, result) = try unitIDJSON("randomised")
        #expect(result.status == 0, "\(result)")
        #expect(json["unitId"] as? String == "00E0C51C5089")
        #expect(candidates(json)["eth0"]?.reason == "skipped: randomised address")
        #expect(candidates(json)["eth1"]?.reason.hasPrefix("chosen: wired, universal, set address") == true)
    }

    @Test func nothingUsableExitsOneWithTheSentence() throws {
        let fixture = try Umockdev.fixture("nothing-usable")
        let result = try Umockdev.run(deviceFile: fixture, [Umockdev.agent, "unit-id"])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.isEmpty)
        let sentence = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!sentence.contains("\n"), "one sentence: \(sentence)")
        #expect(sentence.hasPrefix("No unit ID found"))
        for expected in ["lo (loopback)", "docker0 (virtual (no parent device))",
                         "usb0 (USB-attached NIC (removable dongle))", "eth0 (all-zero address)",
                         "eth1 (multicast address)", "eth2 (randomised address)"] {
            #expect(sentence.contains(expected), "missing \(expected) in \(sentence)")
        }

        let (json, jsonResult) = try unitIDJSON("nothing-usable")
        #expect(jsonResult.status == 1)
        #expect(json.keys.contains("unitId"))
        #expect(json["unitId"] is NSNull)
        #expect(json["unitSource"] is NSNull)
        #expect(candidates(json).values.allSatisfy { !$0.chosen })
    }

    /// Every interface the rules skip early (a virtual devpath, a devpath whose parent is no
    /// device, loopback by type, no link type, another link type) next to wireless ones found by
    /// `DEVTYPE` and by a `phy80211` entry: the whole list, its order (by devpath, not by name)
    /// and every reason, as the agent printed them when it read every fact of every interface.
    @Test func everyCandidateInDevpathOrderWithItsReason() throws {
        func interface(_ devpath: String, _ address: String, type: String?, assign: String? = nil,
                       properties: [(String, String)] = [], attributes: [(String, String)] = []) -> Umockdev.Device {
            let name = String(devpath.split(separator: "/").last ?? "")
            return Umockdev.Device(devpath, properties: [("INTERFACE", name), ("SUBSYSTEM", "net")] + properties,
                                   attributes: [("address", address)] + (type.map { [("type", $0)] } ?? [])
                                       + (assign.map { [("addr_assign_type", $0)] } ?? []) + attributes)
        }
        let devices = [
            interface("/devices/virtual/net/aaa0", "00:e0:c5:00:00:0a", type: "1", assign: "0"),
            interface("/devices/virtual/net/lo2", "00:00:00:00:00:00", type: "772"),
            interface("/devices/orphan/net/eth0", "00:e0:c5:00:00:01", type: "1", assign: "0"),
            interface("/devices/pci0000:00/0000:00:1c.0/net/wwan0", "00:e0:c5:00:00:02", type: "519"),
            interface("/devices/pci0000:00/0000:00:1c.0/net/eth3", "00:e0:c5:00:00:03", type: nil),
            Umockdev.Device("/devices/pci0000:00/0000:00:1c.0", properties: [("SUBSYSTEM", "pci")]),
            interface("/devices/pci0000:00/0000:00:1f.6/net/eth9", "00:e0:c5:00:00:09", type: "1", assign: "3",
                      properties: [("DEVTYPE", "wlan")]),
            interface("/devices/pci0000:00/0000:00:1f.6/net/eth8", "00:e0:c5:00:00:08", type: "1", assign: "0",
                      attributes: [("phy80211/name", "phy0")]),
            Umockdev.Device("/devices/pci0000:00/0000:00:1f.6", properties: [("SUBSYSTEM", "pci")]),
            interface("/devices/virtual/net/lo", "00:00:00:00:00:00", type: "772"),
        ]
        let directory = try TemporaryDirectory("unit-id-order")
        let deviceFile = try Umockdev.write(devices, as: "order.umockdev", in: directory)
        let result = try Umockdev.run(deviceFile: deviceFile, [Umockdev.agent, "unit-id", "--all"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == """
            00E0C5000008
            ud-pocket  -  skipped: /license is not a separate mount
            eth0  00:e0:c5:00:00:01  skipped: virtual (no parent device)
            eth3  00:e0:c5:00:00:03  skipped: not Ethernet (link type unknown)
            wwan0  00:e0:c5:00:00:02  skipped: not Ethernet (type 519)
            eth8  00:e0:c5:00:00:08  chosen: wireless, universal, permanent, bus /devices/pci0000:00/0000:00:1f.6
            eth9  00:e0:c5:00:00:09  candidate: wireless, universal, set address, bus /devices/pci0000:00/0000:00:1f.6
            aaa0  00:e0:c5:00:00:0a  skipped: virtual (no parent device)
            lo  00:00:00:00:00:00  skipped: loopback
            lo2  00:00:00:00:00:00  skipped: loopback

            """)
    }

    // MARK: - UD Pocket

    struct SetupFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// A loop device over a fresh ext4 image, detached when the value goes away.
    final class LoopDevice {
        let path: String
        let major: String
        let minor: String

        init(in directory: TemporaryDirectory) throws {
            let image = directory.appending("pocket.img")
            try ProcessRunner.checked(["truncate", "-s", "8M", image])
            try ProcessRunner.checked(["mkfs.ext4", "-q", image])
            path = try ProcessRunner.checked(["losetup", "-f", "--show", image]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let number = try? ProcessRunner.checked(["stat", "-c", "%Hr:%Lr", path]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":").map(String.init)
            guard let number, number.count == 2 else {
                _ = try? ProcessRunner.run(["losetup", "-d", path])
                throw SetupFailure(description: "cannot read the device number of \(path)")
            }
            (major, minor) = (number[0], number[1])
        }

        deinit { _ = try? ProcessRunner.run(["losetup", "-d", path]) }
    }

    /// A block device at `devpath` that carries the loop device's number.
    func blockDevice(_ loop: LoopDevice, at devpath: String) -> Umockdev.Device {
        Umockdev.Device(devpath, properties: [
            ("DEVNAME", "/dev/" + (devpath.split(separator: "/").last.map(String.init) ?? "")),
            ("DEVTYPE", "partition"), ("SUBSYSTEM", "block"),
            ("MAJOR", loop.major), ("MINOR", loop.minor),
        ], attributes: [("dev", "\(loop.major):\(loop.minor)"), ("partition", "1")])
    }

    /// An onboard NIC that would be the unit ID without a UD Pocket.
    static let onboardNIC = [
        Umockdev.Device("/devices/pci0000:00/0000:00:1f.6/net/eno1",
                        properties: [("INTERFACE", "eno1"), ("SUBSYSTEM", "net")],
                        attributes: [("address", "00:e0:c5:1c:50:87"), ("addr_assign_type", "0"), ("type", "1")]),
        Umockdev.Device("/devices/pci0000:00/0000:00:1f.6", properties: [("SUBSYSTEM", "pci")]),
    ]

    /// Mounts `loop` at ROOT/license in a private mount namespace and runs
    /// `license-agent unit-id --root ROOT --json` there under the devices of `deviceFile`.
    func runInNamespace(_ loop: LoopDevice, root: String, deviceFile: String) throws -> ProcessResult {
        let script = "mount \"$1\" \"$2\" && shift 2 && exec \"$@\""
        let agent = try Umockdev.commandLine(deviceFile: deviceFile,
                                             [Umockdev.agent, "unit-id", "--root", root, "--json"])
        return try ProcessRunner.run(["unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script, "sh",
                                      loop.path, root + "/license"] + agent)
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func udPocketSerialIsTheUnitID() throws {
        let directory = try TemporaryDirectory("unit-id-pocket")
        let root = try directory.makeDirectory("root")
        _ = try directory.makeDirectory("root/license")
        let loop = try LoopDevice(in: directory)
        let usb = "/devices/pci0000:00/0000:00:14.0/usb1/1-2"
        let devices = [
            blockDevice(loop, at: usb + "/1-2:1.0/host6/target6:0:0/6:0:0:0/block/sdb/sdb1"),
            Umockdev.Device(usb + "/1-2:1.0/host6/target6:0:0/6:0:0:0/block/sdb",
                            properties: [("DEVTYPE", "disk"), ("SUBSYSTEM", "block")]),
            Umockdev.Device(usb + "/1-2:1.0/host6/target6:0:0/6:0:0:0",
                            properties: [("DEVTYPE", "scsi_device"), ("SUBSYSTEM", "scsi")]),
            Umockdev.Device(usb + "/1-2:1.0", properties: [
                ("DEVTYPE", "usb_interface"), ("DRIVER", "usb-storage"), ("SUBSYSTEM", "usb")],
                attributes: [("bInterfaceClass", "08")]),
            Umockdev.Device(usb, properties: [("DEVTYPE", "usb_device"), ("SUBSYSTEM", "usb")],
                            attributes: [("serial", "85641000d308482019"), ("idVendor", "0951")]),
            Umockdev.Device("/devices/pci0000:00/0000:00:14.0", properties: [("SUBSYSTEM", "pci")]),
        ] + Self.onboardNIC
        let deviceFile = try Umockdev.write(devices, as: "pocket.umockdev", in: directory)

        let result = try runInNamespace(loop, root: root, deviceFile: deviceFile)
        #expect(result.status == 0, "\(result)")
        let json = try result.json()
        #expect(json["unitId"] as? String == "#85641000D308482019")
        #expect(json["unitSource"] as? String == "ud-pocket")
        let table = candidates(json)
        #expect(table["sdb1"]?.chosen == true)
        #expect(table["eno1"]?.chosen == false)
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func licenseOnANonUSBDiskFallsBackToTheMAC() throws {
        let directory = try TemporaryDirectory("unit-id-sata")
        let root = try directory.makeDirectory("root")
        _ = try directory.makeDirectory("root/license")
        let loop = try LoopDevice(in: directory)
        let sata = "/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0"
        let devices = [
            blockDevice(loop, at: sata + "/block/sda/sda3"),
            Umockdev.Device(sata + "/block/sda", properties: [("DEVTYPE", "disk"), ("SUBSYSTEM", "block")]),
            Umockdev.Device(sata, properties: [("DEVTYPE", "scsi_device"), ("SUBSYSTEM", "scsi")]),
            Umockdev.Device("/devices/pci0000:00/0000:00:17.0", properties: [("SUBSYSTEM", "pci")]),
        ] + Self.onboardNIC
        let deviceFile = try Umockdev.write(devices, as: "sata.umockdev", in: directory)

        let result = try runInNamespace(loop, root: root, deviceFile: deviceFile)
        #expect(result.status == 0, "\(result)")
        let json = try result.json()
        #expect(json["unitId"] as? String == "00E0C51C5087")
        #expect(json["unitSource"] as? String == "mac")
        #expect(candidates(json)["ud-pocket"]?.reason == "skipped: /license is on sda3, which is not on a USB device")
    }
}
