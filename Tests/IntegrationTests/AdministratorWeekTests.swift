import Foundation
import Testing
import TestSupport

/// What an IGEL administrator meets in the first week, as `status`, `features` and `allows`
/// print it: the built binary on a fake device tree, the clock set with `faketime` to an
/// absolute day and every license dated absolutely, so the story is the same on any day.
@Suite struct AdministratorWeekTests {
    static let now = "2026-11-29 12:00:00"

    /// An OS 11 device with a license of `product` signed and installed under `name`.
    static func install(_ device: DeviceTree, _ name: String, product: String, model: String = "subscription",
                        packId: String? = nil, starts: String, expires: String) throws {
        try device.install(name, device.sign(DeviceTree.document(product: product, model: model, starts: starts,
                                                                expires: expires, packId: packId)))
    }

    static func warnings(_ json: [String: Any]) -> [[String: Any]] {
        json["warnings"] as? [[String: Any]] ?? []
    }

    static func product(_ code: String, in json: [String: Any]) throws -> [String: Any] {
        try #require((json["products"] as? [[String: Any]])?.first { $0["product"] as? String == code })
    }

    // MARK: The IGEL OS 11 subscription model

    /// "Use IGEL OS 11 ✓" after the subscription expired: a WE sold as a subscription keeps
    /// the device licensed, every row in its "after expiry" column.
    @Test func anExpiredOS11SubscriptionKeepsTheDeviceLicensed() throws {
        let device = try DeviceTree(osVersion: "11.08.100")
        try Self.install(device, "WE-SUB.lic", product: "WE", starts: "2025-11-01", expires: "2026-10-31")
        let status = try device.agent(["status", "--json"], at: Self.now)
        #expect(status.status == 0, "licensed: \(status)")
        let json = try status.json()
        #expect(json["licensed"] as? Bool == true)
        let features = try #require(json["features"] as? [String: Bool])
        for kept in ["use-os", "connect-ums", "config-changes", "remote-config", "shadow", "imi", "update-firmware-locally"] {
            #expect(features[kept] == true, "\(kept) is ✓ after expiry")
        }
        for denied in ["trigger-firmware-update", "custom-partition", "shared-workplace", "connect-icg", "ait"] {
            #expect(features[denied] == false, "\(denied) is ✗ after expiry")
        }
        let warning = try #require(Self.warnings(json).first { $0["product"] as? String == "WE" })
        #expect(warning["code"] as? String == "expired")
        #expect(try device.agent(["allows", "use-os"], at: Self.now).status == 0)
        let firmware = try device.agent(["may-update", "--release-date", "2026-10-01"], at: Self.now)
        #expect(firmware.status == 0, "firmware released before the expiry: \(firmware)")
        #expect(try device.agent(["may-update", "--release-date", "2026-11-01"], at: Self.now).status == 2)
    }

    /// Only evaluations end: an expired WE-E beside nothing else leaves the device unlicensed.
    @Test func anExpiredOS11EvaluationStillEndsTheLicense() throws {
        let device = try DeviceTree(osVersion: "11.08.100")
        try Self.install(device, "WE-E.lic", product: "WE-E", model: "evaluation", starts: "2026-08-01", expires: "2026-10-29")
        let status = try device.agent(["status", "--json"], at: Self.now)
        #expect(status.status == 2, "unlicensed: \(status)")
        #expect(try device.agent(["allows", "use-os"], at: Self.now).status == 2)
    }

    // MARK: Renewals

    /// EMP-R9HXH ends in 11 days; EMP-R9HXH-2027 starts the day after: the subscription
    /// continues, so no warning, `active`, and the text says until when.
    @Test func aContinuingRenewalEndsTheExpiringWarning() throws {
        let device = try DeviceTree(osVersion: "11.08.100")
        try Self.install(device, "WE.lic", product: "WE", model: "perpetual", starts: "2026-01-01", expires: "2028-12-31")
        try Self.install(device, "EMP-R9HXH.lic", product: "EMP", packId: "EMP-R9HXH",
                         starts: "2025-12-11", expires: "2026-12-10")
        let before = try device.agent(["status", "--json"], at: Self.now)
        #expect(Self.warnings(try before.json()).contains { $0["code"] as? String == "expiring" },
                "without the renewal the EMP is expiring: \(before)")

        try Self.install(device, "EMP-R9HXH-2027.lic", product: "EMP", packId: "EMP-R9HXH-2027",
                         starts: "2026-12-11", expires: "2027-12-10")
        let status = try device.agent(["status", "--json"], at: Self.now)
        #expect(status.status == 0, "\(status)")
        let json = try status.json()
        #expect(!Self.warnings(json).contains { $0["product"] as? String == "EMP" }, "\(Self.warnings(json))")
        let emp = try Self.product("EMP", in: json)
        #expect(emp["state"] as? String == "active")
        #expect(emp["expires"] as? String == "2026-12-10")
        #expect(emp["continuedUntil"] as? String == "2027-12-10")
        let text = try device.agent(["status"], at: Self.now)
        #expect(text.stdout.contains("renewed: continues until 2027-12-10"), "\(text.stdout)")
        #expect(!text.stdout.contains("Order a renewal"), "\(text.stdout)")
        #expect(!text.stdout.contains("WARNING"), "\(text.stdout)")
        // On the old license's last day the renewal still carries it; the day after, it runs itself.
        let lastDay = try device.agent(["status", "--json"], at: "2026-12-10 12:00:00").json()
        #expect(try Self.product("EMP", in: lastDay)["state"] as? String == "active")
        #expect(Self.warnings(lastDay).isEmpty, "\(Self.warnings(lastDay))")
        let features = try device.agent(["allows", "shared-workplace"], at: "2026-12-11 12:00:00")
        #expect(features.status == 0, "\(features)")
    }

    /// OS 12: a PAS with its renewal back-dated to the day after its end.
    @Test func aContinuingPASRenewalIsActive() throws {
        let device = try DeviceTree()
        try Self.install(device, "PAS.lic", product: "PAS", starts: "2025-12-06", expires: "2026-12-05")
        try Self.install(device, "PAS-2027.lic", product: "PAS", starts: "2026-12-06", expires: "2027-12-05")
        let json = try device.agent(["status", "--json"], at: Self.now).json()
        let pas = try Self.product("PAS", in: json)
        #expect(pas["state"] as? String == "active")
        #expect(pas["continuedUntil"] as? String == "2027-12-05")
        #expect(Self.warnings(json).isEmpty, "\(Self.warnings(json))")
    }

    /// A renewal that leaves a gap does not continue: `expiring`, and the warning names the gap.
    @Test func aRenewalWithAGapStillWarnsAndNamesTheGap() throws {
        let device = try DeviceTree(osVersion: "11.08.100")
        try Self.install(device, "WE.lic", product: "WE", model: "perpetual", starts: "2026-01-01", expires: "2028-12-31")
        try Self.install(device, "EMP-R9HXH.lic", product: "EMP", starts: "2025-12-11", expires: "2026-12-10")
        try Self.install(device, "EMP-R9HXH-2027.lic", product: "EMP", starts: "2027-01-05", expires: "2028-01-04")
        let json = try device.agent(["status", "--json"], at: Self.now).json()
        let emp = try Self.product("EMP", in: json)
        #expect(emp["state"] as? String == "expiring")
        #expect(emp["continuedUntil"] is NSNull)
        let warning = try #require(Self.warnings(json).first { $0["product"] as? String == "EMP" })
        #expect(warning["code"] as? String == "expiring")
        let message = try #require(warning["message"] as? String)
        #expect(message.contains("2027-01-05") && message.contains("2026-12-11") && message.contains("2027-01-04"), "\(message)")
    }

    // MARK: Release names with suffixes

    /// The source's own spellings: the numbers decide, the suffix is ignored.
    @Test(arguments: [("11.07.120.rc4", false), ("11.08.100.DER", false), ("11.03.500.tp2", true),
                      ("11.06.100.DER", true)])
    func releaseSuffixesStayInsideTheWindows(version: String, teradici: Bool) throws {
        let device = try DeviceTree(osVersion: version)
        try Self.install(device, "WE.lic", product: "WE", model: "perpetual", starts: "2026-01-01", expires: "2028-12-31")
        try Self.install(device, "TER.lic", product: "TER", starts: "2026-01-01", expires: "2028-12-31")
        let result = try device.agent(["allows", "pcoip-teradici"], at: Self.now)
        #expect(result.status == (teradici ? 0 : 2), "\(version): \(result)")
        if !teradici {
            #expect(result.stderr.contains("this device runs \(version)"), "\(result.stderr)")
        }
        let json = try device.agent(["status", "--json"], at: Self.now).json()
        #expect(!Self.warnings(json).contains { $0["code"] as? String == "os-version-unknown" })
    }

    /// An OS 11 version that cannot be read denies every version-limited feature and says so.
    @Test(arguments: ["VERSION_ID=\"11 beta\"\n", "NAME=\"IGEL OS\"\n"])
    func anUnreadableOS11VersionFailsClosed(osRelease: String) throws {
        let device = try DeviceTree(osVersion: "11.05.100")
        try device.directory.write("etc/os-release", osRelease)
        try device.directory.write("etc/license-agent/agent.conf", "os_generation=11\n")
        try Self.install(device, "WE.lic", product: "WE", model: "perpetual", starts: "2026-01-01", expires: "2028-12-31")
        try Self.install(device, "TER.lic", product: "TER", starts: "2026-01-01", expires: "2028-12-31")
        try Self.install(device, "PWT.lic", product: "PWT", model: "perpetual", starts: "2026-01-01", expires: "2028-12-31")
        try Self.install(device, "90M.lic", product: "90M", model: "perpetual", starts: "2026-01-01", expires: "2028-12-31")
        for feature in ["pcoip-teradici", "powerterm", "smartcard-90meter"] {
            let result = try device.agent(["allows", feature], at: Self.now)
            #expect(result.status == 2, "\(feature): \(result)")
            #expect(result.stderr.contains("cannot be read"), "\(result.stderr)")
        }
        #expect(try device.agent(["allows", "use-os"], at: Self.now).status == 0, "only version-limited features")
        let status = try device.agent(["status", "--json"], at: Self.now)
        #expect(status.status == 0, "\(status)")
        let warning = try #require(Self.warnings(try status.json()).first { $0["code"] as? String == "os-version-unknown" })
        #expect((warning["message"] as? String)?.contains("pcoip-teradici") == true, "\(warning)")
        let text = try device.agent(["status"], at: Self.now)
        #expect(text.stdout.contains("WARNING (os-version-unknown)"), "\(text.stdout)")
    }

    // MARK: Evaluations end

    /// No one can obtain a second WE-E: the warning says what can be done instead.
    @Test func anEndedEvaluationSaysWhatCanBeDone() throws {
        let device = try DeviceTree(osVersion: "11.08.100")
        try Self.install(device, "WE-E.lic", product: "WE-E", model: "evaluation", starts: "2026-08-01", expires: "2026-10-29")
        let text = try device.agent(["status"], at: Self.now)
        #expect(text.status == 2)
        #expect(!text.stdout.contains("Import a WE-E"), "\(text.stdout)")
        let json = try device.agent(["status", "--json"], at: Self.now).json()
        let warning = try #require(Self.warnings(json).first { $0["product"] as? String == "WE-E" })
        let message = try #require(warning["message"] as? String)
        #expect(message.contains("evaluation ended on 2026-10-29"), "\(message)")
        #expect(message.contains("Order a WE or PAS license"), "\(message)")
        #expect(message.contains("UMS"), "\(message)")
        #expect(message.contains("second evaluation is not possible"), "\(message)")
        #expect(!message.contains("WE-E license"), "\(message)")
    }

    @Test func anEndedEvaluationPASSaysWhatCanBeDone() throws {
        let device = try DeviceTree()
        try Self.install(device, "PAS-E.lic", product: "PAS", model: "evaluation", starts: "2026-08-01", expires: "2026-10-29")
        let json = try device.agent(["status", "--json"], at: Self.now).json()
        let warning = try #require(Self.warnings(json).first { $0["product"] as? String == "PAS" })
        let message = try #require(warning["message"] as? String)
        #expect(message.contains("Order a PAS license"), "\(message)")
        #expect(message.contains("second evaluation is not possible"), "\(message)")
    }
}
