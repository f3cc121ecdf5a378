import Foundation
import Testing
import TestSupport

/// Where the frozen configuration ends (ENTITLEMENTS.md "Frozen configuration" 4, DELIVERY.md
/// "Settings keys"): exactly five keys are license delivery and pass a freeze; every other
/// `system.remotemanager.*` key is configuration and is frozen like any other. The built
/// binary at absolute faked dates, with absolute license dates.
@Suite struct FreezeEdgesTests {
    static let link = "system.remotemanager.license_download_url=https://ums.example.com:8443/licenses/00E0C51C5087.lic"
    static let original = """
        system.remotemanager.server=https://ums.example.com:8443
        system.remotemanager.enable_ssl=true
        userinterface.theme=dark

        """

    /// A device whose PAS expired on 2026-12-31, frozen by the check of 2027-01-02.
    static func frozenDevice() throws -> DeviceTree {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", product: "PAS", starts: "2026-01-01", expires: "2026-12-31")
        try device.directory.write("wfs/group.ini", original)
        #expect(try device.agent(["check"], at: "2026-12-20 10:00:00").status == 0)
        #expect(try device.agent(["check"], at: "2027-01-02 10:00:00").status == 0)
        return device
    }

    static func settings(_ device: DeviceTree) -> String? {
        try? String(contentsOfFile: device.directory.appending("wfs/group.ini"), encoding: .utf8)
    }

    /// A remote-management key outside the five is reverted by the check; the five stay as
    /// the UMS wrote them.
    @Test func otherRemoteManagerKeysAreRevertedTheFiveStay() throws {
        let device = try Self.frozenDevice()
        let pushed = """
            system.remotemanager.server=https://ums2.example.com:8443
            system.remotemanager.enable_ssl=false
            userinterface.theme=dark
            \(Self.link)
            system.remotemanager.proxy=http://proxy.example.com:3128

            """
        try device.directory.write("wfs/group.ini", pushed)
        let check = try device.agent(["check"], at: "2027-01-03 10:00:00")
        #expect(check.status == 0, "\(check)")
        #expect(Self.settings(device) == """
            system.remotemanager.server=https://ums2.example.com:8443
            system.remotemanager.enable_ssl=true
            userinterface.theme=dark
            \(Self.link)
            system.remotemanager.proxy=http://proxy.example.com:3128

            """, "enable_ssl is configuration: back to the frozen value; server, link and proxy are delivery")

        // A change of delivery keys alone is no change of the configuration: nothing reverted.
        let delivery = Self.settings(device)! + "system.remotemanager.prompt_user_on_actions=false\nsystem.remotemanager.ums_ca=/wfs/ums-ca.pem\n"
        try device.directory.write("wfs/group.ini", delivery)
        #expect(try device.agent(["check"], at: "2027-01-04 10:00:00").status == 0)
        #expect(Self.settings(device) == delivery)
        let frozen = try FileManager.default.contentsOfDirectory(atPath: device.directory.appending("wfs/license-agent/frozen"))
        #expect(frozen.filter { $0.hasPrefix("group.ini.reverted-") }.count == 1, "only the first change was reverted: \(frozen)")
    }

    /// `config apply` while frozen accepts a file that differs only in the five keys, and
    /// refuses one that changes any other `system.remotemanager.*` key (exit 2, file untouched).
    @Test func configApplyWhileFrozenTakesOnlyTheFive() throws {
        let device = try Self.frozenDevice()
        let other = try device.candidate("other.ini", Data(Self.original.replacingOccurrences(
            of: "enable_ssl=true", with: "enable_ssl=false").utf8))
        let refused = try device.agent(["config", "apply", other], at: "2027-01-03 10:00:00")
        #expect(refused.status == 2, "\(refused)")
        #expect(Self.settings(device) == Self.original)

        let delivery = try device.candidate("delivery.ini", Data((Self.original + Self.link + "\n").utf8))
        let applied = try device.agent(["config", "apply", delivery, "--json"], at: "2027-01-03 10:01:00")
        #expect(applied.status == 0, "\(applied)")
        #expect(try applied.json()["deliveryKeysOnly"] as? Bool == true)
        #expect(Self.settings(device) == Self.original + Self.link + "\n")
    }
}
