import LicensePolicy
import Testing

/// The unit ID rules of CLI.md "Unit ID" on hand-made interface facts.
@Suite struct UnitIDSelectionTests {
    /// A wired, PCI-attached, permanent Ethernet interface; tests change one fact at a time.
    func nic(_ name: String, _ address: String, bus: String = "/devices/pci0000:00/0000:00:1f.6",
             type: Int? = 1, parent: Bool = true, usb: Bool = false, wireless: Bool = false,
             assign: Int? = 0) -> NetworkInterfaceFacts {
        NetworkInterfaceFacts(name: name, address: address, linkType: type, hasParentDevice: parent,
                              isUSBAttached: usb, isWireless: wireless, addressAssignType: assign, busPath: bus)
    }

    func reason(_ selection: UnitIDSelection, _ name: String) -> String? {
        selection.candidates.first { $0.name == name }?.reason
    }

    @Test func eachSkipRuleHasItsReason() {
        let selection = UnitIDSelection(pocket: nil, interfaces: [
            nic("lo", "00:00:00:00:00:00", type: 772, parent: false),
            nic("docker0", "02:42:ac:11:00:01", parent: false, assign: 3),
            nic("sit0", "00:00:00:00", type: 776),
            nic("enx00e04c680001", "00:e0:4c:68:00:01", usb: true),
            nic("eth1", "01:00:5e:00:00:fb"),
            nic("eth2", "00:00:00:00:00:00"),
            nic("eth3", "00:e0:c5:1c:50:87", assign: 1),
            nic("eth4", "not-a-mac"),
        ])
        #expect(selection.unitID == nil)
        #expect(selection.source == nil)
        #expect(reason(selection, "lo") == "skipped: loopback")
        #expect(reason(selection, "docker0") == "skipped: virtual (no parent device)")
        #expect(reason(selection, "sit0") == "skipped: not Ethernet (type 776)")
        #expect(reason(selection, "enx00e04c680001") == "skipped: USB-attached NIC (removable dongle)")
        #expect(reason(selection, "eth1") == "skipped: multicast address")
        #expect(reason(selection, "eth2") == "skipped: all-zero address")
        #expect(reason(selection, "eth3") == "skipped: randomised address")
        #expect(reason(selection, "eth4") == "skipped: address is not a MAC (not-a-mac)")
        #expect(selection.candidates.allSatisfy { !$0.chosen })
    }

    @Test func theOnlyQualifyingInterfaceIsChosenInCanonicalForm() throws {
        let selection = UnitIDSelection(pocket: nil, interfaces: [
            nic("lo", "00:00:00:00:00:00", type: 772, parent: false),
            nic("eno1", "00:e0:c5:1c:50:87"),
        ])
        #expect(selection.unitID?.value == "00E0C51C5087")
        #expect(selection.source == .mac)
        let chosen = try #require(selection.candidates.first { $0.chosen })
        #expect(chosen.name == "eno1")
        #expect(chosen.address == "00:e0:c5:1c:50:87")
        #expect(chosen.reason.hasPrefix("chosen: wired, universal, permanent"))
    }

    @Test func wiredBeatsWirelessEvenWhenLocallyAdministered() {
        let selection = UnitIDSelection(pocket: nil, interfaces: [
            nic("wlan0", "3c:9c:0f:11:22:33", bus: "/devices/pci0000:00/0000:00:00.1", wireless: true),
            nic("eth0", "02:11:22:33:44:55", bus: "/devices/pci0000:00/0000:00:1f.6"),
        ])
        #expect(selection.unitID?.value == "021122334455")
        #expect(reason(selection, "wlan0") == "candidate: wireless, universal, permanent, bus /devices/pci0000:00/0000:00:00.1")
    }

    @Test func universalBeatsLocallyAdministeredBeforeBusPath() {
        let selection = UnitIDSelection(pocket: nil, interfaces: [
            nic("eth0", "02:11:22:33:44:55", bus: "/devices/pci0000:00/0000:00:1c.0"),
            nic("eth1", "00:e0:c5:1c:50:88", bus: "/devices/pci0000:00/0000:00:1f.6"),
        ])
        #expect(selection.unitID?.value == "00E0C51C5088")
        #expect(reason(selection, "eth0")?.hasPrefix("candidate: wired, locally administered, permanent") == true)
    }

    @Test func permanentBeatsSetAndStolenAndUnknown() {
        for otherAssign in [2, 3, nil] as [Int?] {
            let selection = UnitIDSelection(pocket: nil, interfaces: [
                nic("eth0", "00:e0:c5:00:00:01", bus: "/devices/pci0000:00/0000:00:01.0", assign: otherAssign),
                nic("eth1", "00:e0:c5:00:00:02", bus: "/devices/pci0000:00/0000:00:1f.6", assign: 0),
            ])
            #expect(selection.unitID?.value == "00E0C5000002", "other assign type \(String(describing: otherAssign))")
        }
    }

    @Test func amongEqualsLowestBusPathThenName() {
        let byBus = UnitIDSelection(pocket: nil, interfaces: [
            nic("eno1", "00:e0:c5:00:00:01", bus: "/devices/pci0000:00/0000:00:1f.6"),
            nic("enp3s0", "00:e0:c5:00:00:02", bus: "/devices/pci0000:00/0000:00:1c.0/0000:03:00.0"),
        ])
        #expect(byBus.unitID?.value == "00E0C5000002")
        let byName = UnitIDSelection(pocket: nil, interfaces: [
            nic("eth1", "00:e0:c5:00:00:01", bus: "/devices/pci0000:00/0000:00:1f.6"),
            nic("eth0", "00:e0:c5:00:00:02", bus: "/devices/pci0000:00/0000:00:1f.6"),
        ])
        #expect(byName.unitID?.value == "00E0C5000002")
        #expect(byName.candidates.filter(\.chosen).map(\.name) == ["eth0"])
    }

    @Test func chosenIndependentOfInputOrder() {
        let interfaces = [
            nic("eth0", "02:11:22:33:44:55", bus: "/devices/pci0000:00/0000:00:01.0"),
            nic("wlan0", "3c:9c:0f:11:22:33", bus: "/devices/pci0000:00/0000:00:02.0", wireless: true),
            nic("eth1", "00:e0:c5:00:00:03", bus: "/devices/pci0000:00/0000:00:1f.6", assign: 3),
            nic("eth2", "00:e0:c5:00:00:04", bus: "/devices/pci0000:00/0000:00:1f.7", assign: 0),
        ]
        for rotation in 0..<interfaces.count {
            let rotated = Array(interfaces[rotation...] + interfaces[..<rotation])
            #expect(UnitIDSelection(pocket: nil, interfaces: rotated).unitID?.value == "00E0C5000004")
        }
    }

    @Test func udPocketSerialWinsOverEveryInterface() throws {
        let selection = UnitIDSelection(
            pocket: .usbFlash(blockDevice: "sdb1", serial: " 85641000d308482019\n"),
            interfaces: [nic("eno1", "00:e0:c5:1c:50:87")])
        #expect(selection.unitID?.value == "#85641000D308482019")
        #expect(selection.source == .udPocket)
        #expect(selection.candidates.filter(\.chosen).map(\.name) == ["sdb1"])
        #expect(selection.candidates.first { $0.name == "sdb1" }?.address == "85641000d308482019")
        #expect(reason(selection, "eno1")?.hasPrefix("candidate: wired") == true)
    }

    @Test func emptyPocketSerialFallsBackToTheMAC() {
        let selection = UnitIDSelection(pocket: .usbFlash(blockDevice: "sdb1", serial: "  "),
                                        interfaces: [nic("eno1", "00:e0:c5:1c:50:87")])
        #expect(selection.unitID?.value == "00E0C51C5087")
        #expect(reason(selection, "sdb1") == "skipped: USB flash device has no usable serial")
    }

    @Test func absentPocketIsListedWithItsReason() {
        let selection = UnitIDSelection(pocket: .absent(reason: "/license is not a separate mount"),
                                        interfaces: [nic("eno1", "00:e0:c5:1c:50:87")])
        #expect(selection.candidates.first?.name == "ud-pocket")
        #expect(selection.candidates.first?.reason == "skipped: /license is not a separate mount")
        #expect(selection.candidates.first?.chosen == false)
    }

    @Test func noUnitIDErrorListsEverythingSeen() {
        let selection = UnitIDSelection(
            pocket: .absent(reason: "/license is not a separate mount"),
            interfaces: [nic("lo", "00:00:00:00:00:00", type: 772, parent: false),
                         nic("usb0", "00:e0:4c:68:00:02", usb: true)])
        let error = selection.noUnitIDError
        #expect(error.code == .noUnitID)
        #expect(error.exitStatus == 1)
        #expect(error.sentence.contains("ud-pocket (/license is not a separate mount)"))
        #expect(error.sentence.contains("lo (loopback)"))
        #expect(error.sentence.contains("usb0 (USB-attached NIC (removable dongle))"))
        #expect(UnitIDSelection(pocket: nil, interfaces: []).noUnitIDError.sentence
            .contains("no network interfaces"))
    }
}
