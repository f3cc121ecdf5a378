@testable import LicensePlatform
import Testing

/// `Udev.devices(inClass:)` against the libudev enumeration it stands in for, on this
/// machine's own sysfs: the same devices in the same order (the umockdev trees of
/// `UnitIDTests` check the same through the agent's output).
@Suite struct UdevClassDevicesTests {
    @Test func networkInterfacesAreTheEnumerationsDevicesInItsOrder() throws {
        let udev = try Udev()
        let listed = try udev.devices(inClass: "net").map(\.syspath)
        let enumerated = try udev.devices(inSubsystem: "net").map(\.syspath)
        #expect(listed == enumerated)
        #expect(listed.contains { $0.hasSuffix("/net/lo") }, "every Linux system has a loopback interface: \(listed)")
    }

    @Test func aClassLinkLeadsWhereTheKernelResolvesIt() throws {
        let udev = try Udev()
        for device in try udev.devices(inClass: "net") {
            let link = Array("/sys/class/net/\(device.sysname)".utf8)
            let path = try #require(Udev.devicePath(linkedFrom: link))
            #expect(String(decoding: path.dropLast(), as: UTF8.self) == device.syspath)
        }
        #expect(Udev.devicePath(linkedFrom: Array("/sys/class/net".utf8)) == nil, "not a link")
        #expect(Udev.devicePath(linkedFrom: Array("/sys/class/net/no-such-interface".utf8)) == nil)
    }

    @Test func aClassThatDoesNotExistHasNoDevices() throws {
        #expect(try Udev().devices(inClass: "no-such-class").isEmpty)
    }
}

/// `UdevDevice.trimmed` (bytes, for ASCII values) against `trimmingASCIIWhitespace` (characters),
/// on random values over an alphabet of whitespace, `\r\n`, letters and a combining mark.
@Suite struct UdevAttributeTrimmingTests {
    @Test func agreesWithTheCharacterAlgorithm() {
        let alphabet: [[UInt8]] = [[0x20], [0x09], [0x0A], [0x0D], [0x0D, 0x0A], [0x41], [0x30], [0x3A],
                                   [0xCC, 0x81], [0xC3, 0xA9], [0xFF], [0x0B]]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let parts = (0..<Int.random(in: 0...8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let bytes: [UInt8] = Array(parts.joined()) + [0]
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { raw in
                    let expected = String(cString: raw.baseAddress!).trimmingASCIIWhitespace()
                    #expect(UdevDevice.trimmed(raw.baseAddress!) == expected, "\(bytes)")
                }
            }
        }
    }

    @Test func everyNetworkAttributeReadsAsBefore() throws {
        for device in try Udev().devices(inClass: "net") {
            for name in ["address", "type", "addr_assign_type", "mtu", "operstate", "ifalias", "no-such-attribute"] {
                #expect(try device.trimmedAttribute(name) == device.attribute(name)?.trimmingASCIIWhitespace(),
                        "\(device.syspath)/\(name)")
            }
        }
    }
}
